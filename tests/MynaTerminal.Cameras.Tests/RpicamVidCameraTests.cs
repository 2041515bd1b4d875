using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging.Abstractions;
using MynaTerminal.Cameras.Rpicam;
using MynaTerminal.Core.Devices;

namespace MynaTerminal.Cameras.Tests;

/// <summary>Test classes that start processes run one at a time (a script being written while another test forks can fail with ETXTBSY).</summary>
internal static partial class ProcessTests
{
    public const string Collection = "starts processes";

    /// <summary>Waits, on a pidfd (an event, not a sleep loop), until the process has exited; false after <paramref name="timeout"/>.</summary>
    public static async Task<bool> ExitedAsync(int pid, TimeSpan timeout)
    {
        var fd = pidfd_open(pid, 0);
        if (fd < 0)
        {
            const int ESRCH = 3;
            var errno = Marshal.GetLastPInvokeError();
            Assert.True(errno == ESRCH, $"pidfd_open({pid}) failed with errno {errno}");
            return true; // already gone and reaped
        }

        try
        {
            return await Task.Run(() => PollReadable(fd, (int)timeout.TotalMilliseconds), TestContext.Current.CancellationToken);
        }
        finally
        {
            close(fd);
        }
    }

    private static unsafe bool PollReadable(int fd, int timeoutMilliseconds)
    {
        var descriptor = new V4l2.PollFd { fd = fd, events = 1 };
        return poll(&descriptor, 1, timeoutMilliseconds) == 1;
    }

    [LibraryImport("libc.so.6", SetLastError = true)]
    private static partial int pidfd_open(int pid, uint flags);

    [LibraryImport("libc.so.6", SetLastError = true)]
    private static unsafe partial int poll(V4l2.PollFd* fds, nuint count, int timeout);

    [LibraryImport("libc.so.6")]
    private static partial int close(int fd);
}

/// <summary>
/// rpicam-vid for real, played by shell scripts the tests write into a temporary folder: one streams a generated
/// MJPEG file to stdout forever (with a background child, to check the whole process tree is killed), others exit
/// with an error, stop after a few frames, or hang.
/// </summary>
[Collection(ProcessTests.Collection)]
public sealed class RpicamVidCameraTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly byte[][] _frames = TestImages.NumberedFrames(3);

    public RpicamVidCameraTests() => _folder.Write("stream.mjpeg", _frames.SelectMany(f => f).ToArray());

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Streams_decoded_frames_from_stdout_with_the_documented_arguments()
    {
        using var camera = Camera(StreamingScript(), o => (o.Width, o.Height, o.FramesPerSecond) = (1280, 720, 30));

        var images = await TakeAsync(camera, 5);

        Assert.Equal([0, 1, 2, 0, 1], images.Select(TestImages.FrameNumber));
        Assert.All(images, i => Assert.Equal((32, 24), (i.Width, i.Height)));
        Assert.Equal(
            ["-t", "0", "-n", "--codec", "mjpeg", "--width", "1280", "--height", "720", "--framerate", "30", "-o", "-"],
            File.ReadAllLines(_folder.File("args.txt")));
    }

    [Fact]
    public async Task Cancelling_kills_the_whole_process_tree()
    {
        using var camera = Camera(StreamingScript());
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        int? scriptPid = null;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var frame in camera.FramesAsync(cancel.Token))
            {
                frame.Clear();
                scriptPid = camera.ProcessId;
                await cancel.CancelAsync();
            }
        });

        var childPid = int.Parse(File.ReadAllText(_folder.File("child.pid")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.NotNull(scriptPid);
        Assert.True(await ProcessTests.ExitedAsync(scriptPid.Value, TimeSpan.FromSeconds(10)), "the script is still running");
        Assert.True(await ProcessTests.ExitedAsync(childPid, TimeSpan.FromSeconds(10)), "the script's child is still running");
        Assert.Null(camera.ProcessId);
    }

    [Fact]
    public async Task Dispose_kills_the_process_and_ends_the_stream()
    {
        var camera = Camera(StreamingScript());
        await using var frames = camera.FramesAsync(Ct).GetAsyncEnumerator(Ct);
        Assert.True(await frames.MoveNextAsync());
        var pid = camera.ProcessId!.Value;

        camera.Dispose();

        Assert.True(await ProcessTests.ExitedAsync(pid, TimeSpan.FromSeconds(10)), "rpicam-vid is still running after Dispose");
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await frames.MoveNextAsync());
    }

    [Fact]
    public async Task An_exit_at_start_is_an_error_with_the_exit_code_and_the_last_stderr_lines()
    {
        var script = Script("""
            for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do echo "[0:00:00.$i] INFO Camera camera_manager.cpp:327 line $i" >&2; done
            echo "ERROR: *** no cameras available ***" >&2
            exit 3
            """);
        using var camera = Camera(script);

        var error = await Assert.ThrowsAsync<CameraException>(() => TakeAsync(camera, 1));

        Assert.Equal(CameraErrorKind.Disconnected, error.Kind);
        Assert.Contains($"'{script}' exited with code 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("ERROR: *** no cameras available ***", error.Message, StringComparison.Ordinal);
        Assert.Contains("line 15", error.Message, StringComparison.Ordinal);
        // Only the last 12 lines are kept: lines 5 to 15 and the ERROR line.
        Assert.Contains("line 5" + Environment.NewLine, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("line 4" + Environment.NewLine, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_exit_after_some_frames_delivers_them_then_fails()
    {
        var script = Script($"""
            cat "{_folder.File("stream.mjpeg")}"
            echo "camera pipeline stopped" >&2
            """);
        using var camera = Camera(script);
        var received = new List<FaceImage>();

        var error = await Assert.ThrowsAsync<CameraException>(async () =>
        {
            await foreach (var frame in camera.FramesAsync(Ct))
            {
                received.Add(frame);
            }
        });

        Assert.Equal([0, 1, 2], received.Select(TestImages.FrameNumber));
        Assert.Contains("exited with code 0", error.Message, StringComparison.Ordinal);
        Assert.Contains("camera pipeline stopped", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/nonexistent/rpicam-vid")]
    [InlineData("rpicam-vid-myna-missing")]
    public async Task A_missing_executable_is_named(string path)
    {
        using var camera = Camera(path);

        var error = await Assert.ThrowsAsync<CameraException>(() => TakeAsync(camera, 1));

        Assert.Equal(CameraErrorKind.NotFound, error.Kind);
        Assert.Contains($"Cannot start '{path}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("rpicam-apps", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_silent_process_times_out_and_is_killed()
    {
        var script = Script("""
            echo "waiting for the camera" >&2
            exec sleep 1000
            """);
        using var camera = Camera(script, o => o.FrameTimeout = TimeSpan.FromMilliseconds(500));
        int? pid = null;

        var error = await Assert.ThrowsAsync<CameraException>(async () =>
        {
            await using var frames = camera.FramesAsync(Ct).GetAsyncEnumerator(Ct);
            var move = frames.MoveNextAsync();
            pid = camera.ProcessId;
            await move;
        });

        Assert.Equal(CameraErrorKind.Timeout, error.Kind);
        Assert.Contains("no frame within 0.5 s", error.Message, StringComparison.Ordinal);
        Assert.NotNull(pid);
        Assert.True(await ProcessTests.ExitedAsync(pid.Value, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Garbage_and_broken_frames_in_the_stream_are_skipped()
    {
        var mixed = _folder.Write("mixed.mjpeg", [.. "rpicam banner\n"u8, .. _frames[0], 0xFF, 0xD8, 0xFF, 0xDB, 0x00, 0x04, 0x01, 0x02, 0xFF, 0xDA, 0x00, 0x02, 0x55, 0xFF, 0xD9, .. _frames[1]]);
        var script = Script($"""
            cat "{mixed}"
            exec sleep 1000
            """);
        using var camera = Camera(script);

        var images = await TakeAsync(camera, 2);

        Assert.Equal([0, 1], images.Select(TestImages.FrameNumber));
    }

    private RpicamVidCamera Camera(string executable, Action<CameraOptions>? configure = null)
    {
        var options = new CameraOptions { Source = CameraSource.Rpicam, RpicamPath = executable };
        configure?.Invoke(options);
        return new RpicamVidCamera(options, TimeProvider.System, NullLogger.Instance);
    }

    private string StreamingScript() => Script($"""
        printf '%s\n' "$@" > "{_folder.File("args.txt")}"
        echo "fake rpicam-vid: streaming" >&2
        sleep 1000 &
        echo $! > "{_folder.File("child.pid")}"
        while :; do cat "{_folder.File("stream.mjpeg")}" || exit 1; done
        """);

    private string Script(string body)
    {
        var path = _folder.File($"rpicam-vid-{Guid.NewGuid():N}.sh");
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private static async Task<List<FaceImage>> TakeAsync(IFaceCamera camera, int count)
    {
        var images = new List<FaceImage>();
        await foreach (var image in camera.FramesAsync(Ct))
        {
            images.Add(image);
            if (images.Count == count)
            {
                break;
            }
        }

        return images;
    }
}
