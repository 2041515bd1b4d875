using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MynaTerminal.Cameras.Imaging;
using MynaTerminal.Cameras.Mjpeg;
using MynaTerminal.Core.Devices;

namespace MynaTerminal.Cameras.Rpicam;

/// <summary>
/// A Raspberry Pi camera module (libcamera) through <c>rpicam-vid</c>: each <see cref="FramesAsync"/> call starts
/// <c>rpicam-vid -t 0 -n --codec mjpeg --width W --height H --framerate F -o -</c>, splits its stdout into JPEG
/// frames (<see cref="MjpegFrameSplitter"/>) and decodes each into a new BGR image. When the enumeration ends
/// (cancelled, disposed, failed) the process tree is killed. A missing executable, an exit, or no frame within
/// <see cref="CameraOptions.FrameTimeout"/> is a <see cref="CameraException"/> carrying the last lines rpicam-vid
/// wrote to stderr.
/// </summary>
public sealed class RpicamVidCamera : IFaceCamera, IDisposable
{
    /// <summary>How many stderr lines are kept for error messages.</summary>
    internal const int StderrLinesKept = 12;

    private const int ReadChunkBytes = 64 * 1024;

    private readonly CameraOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _disposing = new();
    private readonly Lock _gate = new();
    private Process? _process;
    private int _busy;

    public RpicamVidCamera(CameraOptions options, TimeProvider? timeProvider = null, ILogger<RpicamVidCamera>? logger = null)
        : this(options, timeProvider ?? TimeProvider.System, (ILogger?)logger ?? NullLogger.Instance)
    {
    }

    internal RpicamVidCamera(CameraOptions options, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Clone();
        _time = timeProvider;
        _logger = logger;
    }

    /// <summary>The executable started (a name looked up on PATH, or a path).</summary>
    public string Executable => _options.RpicamPath;

    /// <summary>The command-line arguments given to rpicam-vid.</summary>
    public IReadOnlyList<string> Arguments =>
    [
        "-t", "0", "-n", "--codec", "mjpeg",
        "--width", _options.Width.ToString(CultureInfo.InvariantCulture),
        "--height", _options.Height.ToString(CultureInfo.InvariantCulture),
        "--framerate", _options.FramesPerSecond.ToString(CultureInfo.InvariantCulture),
        "-o", "-",
    ];

    /// <summary>The process id of the running rpicam-vid; null when not streaming.</summary>
    internal int? ProcessId
    {
        get
        {
            lock (_gate)
            {
                return _process?.Id;
            }
        }
    }

    public async IAsyncEnumerable<FaceImage> FramesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposing.IsCancellationRequested, this);
        if (Interlocked.Exchange(ref _busy, 1) == 1)
        {
            throw new InvalidOperationException($"'{Executable}' is already streaming; this camera has one reader at a time.");
        }

        var stderr = new StderrTail(StderrLinesKept);
        var chunk = new byte[ReadChunkBytes];
        using var splitter = new MjpegFrameSplitter();
        using var codec = new JpegCodec { AcceptWarnings = true };
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposing.Token);
        Process? process = null;
        try
        {
            process = Start(stderr);
            lock (_gate)
            {
                _process = process;
            }

            // rpicam-vid ends when its stdout closes, but a stuck one is killed when the consumer cancels.
            using var kill = linked.Token.Register(static state => KillTree((Process)state!), process);
            var stdout = process.StandardOutput.BaseStream;
            var offset = 0;
            var count = 0;
            var badFrames = 0;
            while (true)
            {
                FaceImage? image = null;
                while (image is null)
                {
                    ThrowIfDisposed();
                    linked.Token.ThrowIfCancellationRequested();
                    if (offset == count)
                    {
                        offset = 0;
                        count = await ReadAsync(stdout, chunk, process, stderr, linked.Token).ConfigureAwait(false);
                        if (count == 0)
                        {
                            ThrowIfDisposed();
                            linked.Token.ThrowIfCancellationRequested();
                            throw await ExitedAsync(process, stderr).ConfigureAwait(false);
                        }
                    }

                    var jpeg = splitter.NextFrame(chunk, ref offset, count);
                    if (jpeg is null)
                    {
                        continue;
                    }

                    image = Decode(codec, jpeg, ref badFrames);
                }

                yield return image;
            }
        }
        finally
        {
            lock (_gate)
            {
                _process = null;
            }

            Array.Clear(chunk);
            if (process is not null)
            {
                KillTree(process);
                using var exitWait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                try
                {
                    // Also waits for stderr's end; bounded in case a detached grandchild still holds the pipe.
                    await process.WaitForExitAsync(exitWait.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    _logger.LogWarning("Camera: {Executable} (pid {Pid}) did not end within 5 s of being killed", _options.RpicamPath, process.Id);
                }

                process.Dispose();
            }

            Volatile.Write(ref _busy, 0);
        }
    }

    /// <summary>Kills a running rpicam-vid (its enumeration ends with <see cref="ObjectDisposedException"/>).</summary>
    public void Dispose()
    {
        if (_disposing.IsCancellationRequested)
        {
            return;
        }

        _disposing.Cancel();
        Process? process;
        lock (_gate)
        {
            process = _process;
        }

        if (process is not null)
        {
            KillTree(process);
        }
    }

    private static void KillTree(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited (or never started).
        }
        catch (Win32Exception)
        {
            // Exited while the tree was being walked.
        }
    }

    private Process Start(StderrTail stderr)
    {
        var start = new ProcessStartInfo(_options.RpicamPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                stderr.Add(line);
            }
        };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            process.Dispose();
            throw new CameraException(
                CameraErrorKind.NotFound,
                $"Cannot start '{_options.RpicamPath}': {ex.Message}. Install rpicam-apps ('sudo apt install rpicam-apps' on Raspberry Pi OS) or set Camera:RpicamPath.",
                ex);
        }

        process.StandardInput.Close();
        process.BeginErrorReadLine();
        _logger.LogInformation("Camera: started {Executable} {Arguments} (pid {Pid})", _options.RpicamPath, string.Join(' ', Arguments), process.Id);
        return process;
    }

    private async Task<int> ReadAsync(Stream stdout, byte[] chunk, Process process, StderrTail stderr, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.FrameTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        // Killing the process closes the pipe, which ends a read that does not observe its token.
        using var kill = timeout.Token.Register(static state => KillTree((Process)state!), process);
        int read;
        try
        {
            read = await stdout.ReadAsync(chunk, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw Stalled(stderr);
        }
        catch (OperationCanceledException) when (_disposing.IsCancellationRequested)
        {
            ThrowIfDisposed();
            throw;
        }

        if (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw Stalled(stderr);
        }

        return read;
    }

    private CameraException Stalled(StderrTail stderr) => new(
        CameraErrorKind.Timeout,
        $"'{_options.RpicamPath}' delivered no frame within {_options.FrameTimeout.TotalSeconds:0.###} s; it was stopped.{stderr.Describe()}");

    private async Task<CameraException> ExitedAsync(Process process, StderrTail stderr)
    {
        // WaitForExitAsync also waits until stderr has been read to its end.
        await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        return new CameraException(
            CameraErrorKind.Disconnected,
            $"'{_options.RpicamPath}' exited with code {process.ExitCode}.{stderr.Describe()}");
    }

    private FaceImage? Decode(JpegCodec codec, byte[] jpeg, ref int badFrames)
    {
        try
        {
            var image = codec.DecodeBgr(jpeg);
            badFrames = 0;
            return image;
        }
        catch (ImageDecodeException ex)
        {
            _logger.LogDebug("Camera: rpicam-vid frame cannot be decoded: {Reason}", ex.Message);
            if (++badFrames >= 30)
            {
                throw new CameraException(CameraErrorKind.BadFrames, $"'{_options.RpicamPath}' delivered {badFrames} undecodable frames in a row: {ex.Message}", ex);
            }

            return null;
        }
        finally
        {
            Array.Clear(jpeg);
        }
    }

    private void ThrowIfDisposed()
    {
        if (_disposing.IsCancellationRequested)
        {
            throw new ObjectDisposedException(nameof(RpicamVidCamera), $"'{_options.RpicamPath}' was stopped because the camera was disposed.");
        }
    }

    /// <summary>The last lines of stderr, thread-safe (lines arrive on a thread-pool thread).</summary>
    private sealed class StderrTail(int capacity)
    {
        private readonly Queue<string> _lines = new();
        private readonly Lock _sync = new();

        public void Add(string line)
        {
            lock (_sync)
            {
                _lines.Enqueue(line);
                while (_lines.Count > capacity)
                {
                    _lines.Dequeue();
                }
            }
        }

        public string Describe()
        {
            lock (_sync)
            {
                return _lines.Count == 0
                    ? " It wrote nothing to stderr."
                    : " Last stderr lines:" + Environment.NewLine + string.Join(Environment.NewLine, _lines);
            }
        }
    }
}
