using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MynaTerminal.Cameras.Files;
using MynaTerminal.Cameras.Imaging;
using MynaTerminal.Core.Devices;

namespace MynaTerminal.Cameras.Tests;

public sealed class FileFaceCameraTests : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1.0 / 10);
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _clock = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Frames_come_at_the_configured_rate_on_the_injected_clock()
    {
        var path = _folder.Write("face.png", TestImages.Png(TestImages.Quadrants(40, 30)));
        var camera = Camera(path);
        await using var frames = camera.FramesAsync(Ct).GetAsyncEnumerator(Ct);

        // The first frame at once, then one per 1/10 s.
        Assert.True(await frames.MoveNextAsync());
        var second = frames.MoveNextAsync();
        Assert.False(second.IsCompleted);
        _clock.Advance(Interval - TimeSpan.FromMilliseconds(1));
        Assert.False(second.IsCompleted);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(await second);

        var third = frames.MoveNextAsync();
        Assert.False(third.IsCompleted);
        _clock.Advance(Interval);
        Assert.True(await third);
        TestImages.AssertQuadrants(frames.Current, tolerance: 0);
    }

    [Fact]
    public async Task A_slow_consumer_gets_the_next_frame_at_once_but_no_burst()
    {
        var path = _folder.Write("face.bmp", TestImages.Bmp(TestImages.Solid(8, 8, Bgr.Red)));
        var camera = Camera(path);
        await using var frames = camera.FramesAsync(Ct).GetAsyncEnumerator(Ct);
        Assert.True(await frames.MoveNextAsync());

        _clock.Advance(Interval * 5); // the consumer was busy for five intervals
        Assert.True(frames.MoveNextAsync().IsCompleted);
        var next = frames.MoveNextAsync();

        Assert.False(next.IsCompleted);
        _clock.Advance(Interval);
        Assert.True(await next);
    }

    [Fact]
    public async Task One_image_is_repeated_decoded_once_and_each_frame_is_a_fresh_copy()
    {
        var path = _folder.Write("face.jpg", TestImages.Jpeg(TestImages.Quadrants(64, 48)));
        var camera = Camera(path, o => o.Loop = false); // Loop does not stop a still image
        await using var frames = camera.FramesAsync(Ct).GetAsyncEnumerator(Ct);
        Assert.True(await frames.MoveNextAsync());
        var first = frames.Current;
        File.Delete(path); // decoded once: the file is not read again

        first.Clear();
        for (var i = 0; i < 3; i++)
        {
            var next = frames.MoveNextAsync();
            _clock.Advance(Interval);
            Assert.True(await next);
            Assert.NotSame(first.Bgr, frames.Current.Bgr);
            TestImages.AssertQuadrants(frames.Current, tolerance: 10);
            frames.Current.Clear();
        }
    }

    [Fact]
    public async Task A_folder_plays_its_images_in_ordinal_name_order_and_loops()
    {
        _folder.Write("b.png", TestImages.Png(TestImages.Solid(8, 8, TestImages.FrameColour(2))));
        _folder.Write("B.jpg", TestImages.Jpeg(TestImages.Solid(8, 8, TestImages.FrameColour(0))));
        _folder.Write("a10.bmp", TestImages.Bmp(TestImages.Solid(8, 8, TestImages.FrameColour(1))));
        _folder.Write("notes.txt", "not an image"u8.ToArray());
        var camera = Camera(_folder.Path);

        var numbers = (await TakeAsync(camera, 7)).Select(TestImages.FrameNumber);

        // Ordinal: "B.jpg" < "a10.bmp" < "b.png" (upper case first).
        Assert.Equal([0, 1, 2, 0, 1, 2, 0], numbers);
    }

    [Fact]
    public async Task Without_loop_a_folder_ends_after_its_last_image()
    {
        _folder.Write("1.png", TestImages.Png(TestImages.Solid(8, 8, TestImages.FrameColour(0))));
        _folder.Write("2.png", TestImages.Png(TestImages.Solid(8, 8, TestImages.FrameColour(1))));
        var camera = Camera(_folder.Path, o => o.Loop = false);

        var numbers = (await TakeAsync(camera, 10)).Select(TestImages.FrameNumber);

        Assert.Equal([0, 1], numbers);
    }

    [Fact]
    public async Task A_broken_image_in_a_folder_is_skipped()
    {
        _folder.Write("1.png", TestImages.Png(TestImages.Solid(8, 8, TestImages.FrameColour(0))));
        _folder.Write("2.jpg", [0xFF, 0xD8, 0xFF, 0x00]);
        _folder.Write("3.png", TestImages.Png(TestImages.Solid(8, 8, TestImages.FrameColour(2))));
        var camera = Camera(_folder.Path);

        var numbers = (await TakeAsync(camera, 4)).Select(TestImages.FrameNumber);

        Assert.Equal([0, 2, 0, 2], numbers);
    }

    [Fact]
    public async Task A_folder_of_only_broken_images_fails()
    {
        _folder.Write("1.jpg", [0xFF, 0xD8, 0xFF, 0x00]);
        _folder.Write("2.png", [0x89, 0x50, 0x4E, 0x47]);
        var camera = Camera(_folder.Path);

        var error = await Assert.ThrowsAsync<CameraException>(() => TakeAsync(camera, 1));

        Assert.Equal(CameraErrorKind.BadFrames, error.Kind);
        Assert.Contains(_folder.Path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_folder_is_named()
    {
        var camera = Camera(_folder.Path);

        var error = await Assert.ThrowsAsync<CameraException>(() => TakeAsync(camera, 1));

        Assert.Equal(CameraErrorKind.NotFound, error.Kind);
        Assert.Contains($"'{_folder.Path}' has no images", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("clip.mjpeg")]
    [InlineData("clip.MJPG")]
    [InlineData("clip.avi")]
    public async Task An_mjpeg_video_plays_its_frames_in_order_and_loops(string name)
    {
        var jpegs = TestImages.NumberedFrames(4, 33, 21);
        var content = name.EndsWith(".avi", StringComparison.Ordinal) ? TestImages.Avi(jpegs, 33, 21) : jpegs.SelectMany(f => f).ToArray();
        var camera = Camera(_folder.Write(name, content));

        var images = await TakeAsync(camera, 6);

        Assert.Equal([0, 1, 2, 3, 0, 1], images.Select(TestImages.FrameNumber));
        Assert.All(images, i => Assert.Equal((33, 21), (i.Width, i.Height)));
    }

    [Fact]
    public async Task A_long_video_beyond_the_cache_is_decoded_again_on_each_pass()
    {
        var jpegs = TestImages.NumberedFrames(3, 16, 16);
        var camera = new FileFaceCamera(Options(_folder.Write("clip.mjpeg", jpegs.SelectMany(f => f).ToArray())), _clock, NullLogger.Instance)
        {
            DecodedCacheBytes = 16 * 16 * 3, // room for one decoded frame only
        };

        var images = await TakeAsync(camera, 7);

        Assert.Equal([0, 1, 2, 0, 1, 2, 0], images.Select(TestImages.FrameNumber));
        images[0].Clear();
        Assert.Equal(6, images.Skip(1).Select(i => i.Bgr).Distinct().Count());
    }

    [Fact]
    public async Task A_video_without_jpeg_frames_is_refused()
    {
        var camera = Camera(_folder.Write("clip.avi", "RIFF....AVI LIST....hdrl h264 only"u8.ToArray()));

        var error = await Assert.ThrowsAsync<CameraException>(() => TakeAsync(camera, 1));

        Assert.Equal(CameraErrorKind.BadFrames, error.Kind);
        Assert.Contains("contains no JPEG frames", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_path_is_named()
    {
        var path = _folder.File("nobody.jpg");
        var camera = Camera(path);

        var error = await Assert.ThrowsAsync<CameraException>(() => TakeAsync(camera, 1));

        Assert.Equal(CameraErrorKind.NotFound, error.Kind);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelling_ends_the_stream()
    {
        var camera = Camera(_folder.Write("face.png", TestImages.Png(TestImages.Solid(4, 4, Bgr.Blue))));
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        await using var frames = camera.FramesAsync(cancel.Token).GetAsyncEnumerator(cancel.Token);
        Assert.True(await frames.MoveNextAsync());
        var waiting = frames.MoveNextAsync();

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await waiting);
    }

    [Fact]
    public void The_decoded_frames_and_the_video_bytes_are_wiped_when_the_frame_set_is_disposed()
    {
        var jpegs = TestImages.NumberedFrames(2, 8, 8);
        var set = FileFrameSet.Open(_folder.Write("clip.mjpeg", jpegs.SelectMany(f => f).ToArray()), long.MaxValue, NullLogger.Instance);
        set.Frame(0)!.Clear();
        set.Frame(1)!.Clear();
        var cached = set.CachedFrames.ToList();
        var compressed = set.CompressedFrames.ToList();
        Assert.Equal(2, cached.Count);
        Assert.All(cached, f => Assert.Contains(f.Bgr, b => b != 0));
        Assert.Equal(jpegs, compressed);

        set.Dispose();

        Assert.All(cached, f => Assert.All(f.Bgr, b => Assert.Equal(0, b)));
        Assert.All(compressed, f => Assert.All(f, b => Assert.Equal(0, b)));
        Assert.Empty(set.CachedFrames);
    }

    private CameraOptions Options(string path, Action<CameraOptions>? configure = null)
    {
        var options = new CameraOptions { Source = CameraSource.Files, Path = path, FramesPerSecond = 10 };
        configure?.Invoke(options);
        return options;
    }

    private FileFaceCamera Camera(string path, Action<CameraOptions>? configure = null) =>
        new(Options(path, configure), _clock, NullLogger.Instance);

    /// <summary>Takes up to <paramref name="count"/> frames, advancing the fake clock whenever the camera waits.</summary>
    private async Task<List<FaceImage>> TakeAsync(IFaceCamera camera, int count)
    {
        var images = new List<FaceImage>();
        await using var frames = camera.FramesAsync(Ct).GetAsyncEnumerator(Ct);
        while (images.Count < count)
        {
            var move = frames.MoveNextAsync();
            if (!move.IsCompleted)
            {
                _clock.Advance(Interval);
            }

            if (!await move)
            {
                break;
            }

            images.Add(frames.Current);
        }

        return images;
    }
}
