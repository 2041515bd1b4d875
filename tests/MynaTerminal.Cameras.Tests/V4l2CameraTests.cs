using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MynaTerminal.Cameras.Tests.Fakes;
using MynaTerminal.Cameras.V4l2;
using MynaTerminal.Core.Devices;
using static MynaTerminal.Cameras.V4l2.V4l2Constants;

namespace MynaTerminal.Cameras.Tests;

/// <summary>
/// The V4L2 capture loop against <see cref="FakeV4l2Device"/>: format negotiation, buffer cycling, errno handling,
/// time-outs, clean-up. There is no /dev/video device on the build machine (and no v4l2loopback module to make
/// one), so the real ioctls on a real camera run only in <see cref="V4l2RealDeviceTests"/> where /dev/video0 exists.
/// </summary>
public sealed class V4l2CameraTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly FakeTimeProvider _clock = new();
    private readonly FakeV4l2Device _device;

    public V4l2CameraTests() => _device = new FakeV4l2Device(_clock);

    [Fact]
    public async Task Auto_prefers_mjpeg_and_decodes_each_frame_into_a_new_image()
    {
        var frames = TestImages.NumberedFrames(3, 64, 48);
        _device.Enqueue(frames.Select(f => (FakeStep)new FakeStep.Frame(f)).ToArray());
        using var camera = Camera();

        var images = await TakeAsync(camera, 3);

        Assert.Equal([0, 1, 2], images.Select(TestImages.FrameNumber));
        Assert.All(images, i => Assert.Equal((64, 48), (i.Width, i.Height)));
        Assert.Equal(3, images.Select(i => i.Bgr).Distinct().Count());
        Assert.Contains("S_FMT MJPG 640x480", _device.Calls);
        Assert.Equal("/dev/video0", _device.OpenedPath);
        Assert.Empty(_device.Violations);
    }

    [Fact]
    public async Task Buffers_cycle_through_every_mapped_buffer_and_go_back_to_the_driver()
    {
        var frames = TestImages.NumberedFrames(10, 16, 16);
        _device.Enqueue(frames.Select(f => (FakeStep)new FakeStep.Frame(f)).ToArray());
        using var camera = Camera(o => o.BufferCount = 3);

        var images = await TakeAsync(camera, 10);

        Assert.Equal(10, images.Count);
        Assert.Equal(3, _device.MappedCount);
        Assert.Equal([0u, 1, 2, 0, 1, 2, 0, 1, 2, 0], _device.DequeuedIndexes);
        Assert.Empty(_device.Violations); // a buffer never queued twice, never dequeued unqueued
    }

    [Fact]
    public async Task The_driver_may_grant_another_buffer_count()
    {
        _device.GrantedBuffers = 2;
        _device.Enqueue(new FakeStep.Frame(TestImages.NumberedFrames(1)[0]));
        using var camera = Camera(o => o.BufferCount = 8);

        await using var frames = camera.FramesAsync(Ct).GetAsyncEnumerator(Ct);
        Assert.True(await frames.MoveNextAsync());

        Assert.Equal(2, camera.ActiveFormat!.BufferCount);
        Assert.Equal(2, _device.MappedCount);
    }

    [Fact]
    public async Task Yuyv_is_used_when_the_camera_has_no_mjpeg_and_padded_rows_are_respected()
    {
        _device.Formats = [PixelFormatYuyv];
        _device.RowPadding = 64;
        _device.DriverSize = (64, 48);
        var picture = TestImages.Quadrants(64, 48);
        _device.Enqueue(new FakeStep.Frame(TestImages.ToYuyv(picture, (64 * 2) + 64)));
        using var camera = Camera();

        await using var frames = camera.FramesAsync(Ct).GetAsyncEnumerator(Ct);
        Assert.True(await frames.MoveNextAsync());

        Assert.Equal(new V4l2StreamFormat(64, 48, "YUYV", 192, 15, 4), camera.ActiveFormat);
        TestImages.AssertQuadrants(frames.Current, tolerance: 3);
    }

    [Fact]
    public async Task Yuyv_can_be_forced_when_the_camera_also_offers_mjpeg()
    {
        _device.DriverSize = (32, 24);
        _device.Enqueue(new FakeStep.Frame(TestImages.ToYuyv(TestImages.Solid(32, 24, Bgr.Grey))));
        using var camera = Camera(o => o.PixelFormat = CameraPixelFormat.Yuyv);

        var image = (await TakeAsync(camera, 1))[0];

        Assert.Contains("S_FMT YUYV 640x480", _device.Calls);
        Assert.DoesNotContain(_device.Calls, c => c.StartsWith("S_FMT MJPG", StringComparison.Ordinal));
        TestImages.AssertColour(Bgr.Grey, image, 16, 12, tolerance: 2);
    }

    [Fact]
    public async Task A_short_yuyv_frame_is_skipped()
    {
        _device.Formats = [PixelFormatYuyv];
        _device.DriverSize = (32, 24);
        var good = TestImages.ToYuyv(TestImages.Solid(32, 24, Bgr.White));
        _device.Enqueue(new FakeStep.Frame(good[..100]), new FakeStep.Frame(good));
        using var camera = Camera();

        var image = (await TakeAsync(camera, 1))[0];

        TestImages.AssertColour(Bgr.White, image, 0, 0, tolerance: 2);
        Assert.Equal(2, _device.DequeuedIndexes.Count);
    }

    [Fact]
    public async Task The_frame_rate_is_asked_for_and_reported()
    {
        _device.Enqueue(new FakeStep.Frame(TestImages.NumberedFrames(1)[0]));
        using var camera = Camera(o => o.FramesPerSecond = 30);

        await using var frames = camera.FramesAsync(Ct).GetAsyncEnumerator(Ct);
        Assert.True(await frames.MoveNextAsync());

        Assert.Equal(30u, _device.RequestedFrameRate);
        Assert.Equal(30, camera.ActiveFormat!.FramesPerSecond);
    }

    [Fact]
    public async Task A_camera_that_ignores_the_frame_rate_still_streams()
    {
        _device.SupportsFrameRate = false;
        _device.Enqueue(new FakeStep.Frame(TestImages.NumberedFrames(1)[0]));
        using var camera = Camera();

        await using var frames = camera.FramesAsync(Ct).GetAsyncEnumerator(Ct);
        Assert.True(await frames.MoveNextAsync());

        Assert.Null(camera.ActiveFormat!.FramesPerSecond);
    }

    [Fact]
    public async Task No_supported_format_lists_what_the_camera_offers()
    {
        _device.Formats = [FourCc('H', '2', '6', '4'), FourCc('G', 'R', 'E', 'Y')];
        using var camera = Camera();

        var error = await Assert.ThrowsAsync<CameraException>(() => TakeAsync(camera, 1));

        Assert.Equal(CameraErrorKind.Unsupported, error.Kind);
        Assert.Contains("/dev/video0", error.Message, StringComparison.Ordinal);
        Assert.Contains("H264, GREY", error.Message, StringComparison.Ordinal);
        Assert.True(_device.Closed);
    }

    [Fact]
    public async Task Forcing_mjpeg_on_a_yuyv_only_camera_is_refused()
    {
        _device.Formats = [PixelFormatYuyv];
        using var camera = Camera(o => o.PixelFormat = CameraPixelFormat.Mjpeg);

        var error = await Assert.ThrowsAsync<CameraException>(() => TakeAsync(camera, 1));

        Assert.Equal(CameraErrorKind.Unsupported, error.Kind);
        Assert.Contains("offers YUYV", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_node_without_video_capture_is_refused_with_a_hint()
    {
        _device.DeviceCaps = CapStreaming | 0x00800000; // V4L2_CAP_META_CAPTURE: the UVC metadata node
        using var camera = Camera(o => o.Device = "/dev/video1");

        var error = await Assert.ThrowsAsync<CameraException>(() => TakeAsync(camera, 1));

        Assert.Equal(CameraErrorKind.Unsupported, error.Kind);
        Assert.Contains("'/dev/video1'", error.Message, StringComparison.Ordinal);
        Assert.Contains("not a video capture device", error.Message, StringComparison.Ordinal);
        Assert.Contains("Fake UVC Camera", error.Message, StringComparison.Ordinal);
        Assert.True(_device.Closed);
    }

    [Fact]
    public async Task A_file_that_is_not_a_v4l2_device_is_refused()
    {
        _device.QueryCapErrno = ENOTTY;
        using var camera = Camera();

        var error = await Assert.ThrowsAsync<CameraException>(() => TakeAsync(camera, 1));

        Assert.Equal(CameraErrorKind.Unsupported, error.Kind);
        Assert.Contains("not a V4L2 video device", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ENOENT, CameraErrorKind.NotFound, "does not exist")]
    [InlineData(ENODEV, CameraErrorKind.NotFound, "unplugged")]
    [InlineData(EACCES, CameraErrorKind.PermissionDenied, "'video' group")]
    [InlineData(EPERM, CameraErrorKind.PermissionDenied, "'video' group")]
    [InlineData(EBUSY, CameraErrorKind.Busy, "in use by another process")]
    [InlineData(EIO, CameraErrorKind.DeviceError, "EIO")]
    public async Task Open_errors_name_the_device_and_say_what_to_do(int errno, CameraErrorKind kind, string hint)
    {
        _device.OpenErrno = errno;
        using var camera = Camera(o => o.Device = "/dev/video7");

        var error = await Assert.ThrowsAsync<CameraException>(() => TakeAsync(camera, 1));

        Assert.Equal(kind, error.Kind);
        Assert.Contains("'/dev/video7'", error.Message, StringComparison.Ordinal);
        Assert.Contains(hint, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Interrupted_and_spurious_wake_ups_are_retried()
    {
        var frames = TestImages.NumberedFrames(2);
        _device.Enqueue(
            new FakeStep.PollFails(EINTR),
            new FakeStep.PollTimeout(),
            new FakeStep.DequeueFails(EAGAIN),
            new FakeStep.DequeueFails(EINTR),
            new FakeStep.Frame(frames[0]),
            new FakeStep.DequeueFails(EAGAIN),
            new FakeStep.Frame(frames[1]));
        using var camera = Camera();

        var images = await TakeAsync(camera, 2);

        Assert.Equal([0, 1], images.Select(TestImages.FrameNumber));
        Assert.Empty(_device.Violations);
    }

    [Theory]
    [InlineData(ENODEV, POLLIN | POLLERR)]
    [InlineData(EIO, POLLERR)]
    [InlineData(EAGAIN, POLLERR)]
    public async Task Unplugging_ends_the_stream_with_disconnected_and_cleans_up(int errno, short events)
    {
        _device.Enqueue(new FakeStep.Frame(TestImages.NumberedFrames(1)[0]), new FakeStep.DequeueFails(errno, events));
        using var camera = Camera();
        var received = new List<FaceImage>();

        var error = await Assert.ThrowsAsync<CameraException>(async () =>
        {
            await foreach (var frame in camera.FramesAsync(Ct))
            {
                received.Add(frame);
            }
        });

        Assert.Single(received);
        Assert.Equal(CameraErrorKind.Disconnected, error.Kind);
        Assert.Contains("unplugged", error.Message, StringComparison.Ordinal);
        AssertCleanedUp();
    }

    [Fact]
    public async Task A_poll_failure_is_a_device_error()
    {
        _device.Enqueue(new FakeStep.PollFails(EINVAL));
        using var camera = Camera();

        var error = await Assert.ThrowsAsync<CameraException>(() => TakeAsync(camera, 1));

        Assert.Equal(CameraErrorKind.DeviceError, error.Kind);
        Assert.Contains("poll failed with EINVAL", error.Message, StringComparison.Ordinal);
        AssertCleanedUp();
    }

    [Fact]
    public async Task No_frame_within_the_frame_timeout_is_a_timeout()
    {
        using var camera = Camera(o => o.FrameTimeout = TimeSpan.FromSeconds(2));
        var started = _clock.GetUtcNow();

        var error = await Assert.ThrowsAsync<CameraException>(() => TakeAsync(camera, 1));

        Assert.Equal(CameraErrorKind.Timeout, error.Kind);
        Assert.Contains("within 2 s", error.Message, StringComparison.Ordinal);
        // Polled in slices of at most 100 ms, on the injected clock.
        Assert.Equal(TimeSpan.FromSeconds(2), _clock.GetUtcNow() - started);
        AssertCleanedUp();
    }

    [Fact]
    public async Task Damaged_frames_are_skipped_and_too_many_in_a_row_fail()
    {
        var good = TestImages.NumberedFrames(1)[0];
        _device.Enqueue(new FakeStep.Frame(good, BufFlagError), new FakeStep.Frame([0xFF, 0xD8, 0x00]), new FakeStep.Frame(good));
        for (var i = 0; i < V4l2Stream.MaxConsecutiveBadFrames; i++)
        {
            _device.Enqueue(new FakeStep.Frame([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, (byte)i]));
        }

        using var camera = Camera();
        await using var frames = camera.FramesAsync(Ct).GetAsyncEnumerator(Ct);

        Assert.True(await frames.MoveNextAsync());
        Assert.Equal(0, TestImages.FrameNumber(frames.Current));
        var error = await Assert.ThrowsAsync<CameraException>(async () => await frames.MoveNextAsync());
        Assert.Equal(CameraErrorKind.BadFrames, error.Kind);
        Assert.Empty(_device.Violations);
    }

    [Fact]
    public async Task Cancelling_stops_streaming_wipes_and_unmaps_the_buffers_and_closes()
    {
        var frames = TestImages.NumberedFrames(5);
        _device.Enqueue(frames.Select(f => (FakeStep)new FakeStep.Frame(f)).ToArray());
        using var camera = Camera();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var received = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var frame in camera.FramesAsync(cancel.Token))
            {
                frame.Clear();
                if (++received == 2)
                {
                    await cancel.CancelAsync();
                }
            }
        });

        Assert.Equal(2, received);
        AssertCleanedUp();
        Assert.Null(camera.ActiveFormat);
    }

    [Fact]
    public async Task A_camera_streams_again_after_a_stream_ended()
    {
        var frames = TestImages.NumberedFrames(2);
        using var camera = Camera();
        _device.Enqueue(new FakeStep.Frame(frames[0]));
        Assert.Equal(0, TestImages.FrameNumber((await TakeAsync(camera, 1))[0]));

        _device.Enqueue(new FakeStep.Frame(frames[1]));
        Assert.Equal(1, TestImages.FrameNumber((await TakeAsync(camera, 1))[0]));

        Assert.Equal(2, _device.Calls.Count(c => c == "STREAMON"));
        Assert.Equal(2, _device.Calls.Count(c => c == "close"));
    }

    [Fact]
    public async Task Dispose_while_a_consumer_holds_the_stream_releases_the_device_at_once()
    {
        _device.Enqueue(new FakeStep.Frame(TestImages.NumberedFrames(1)[0]));
        var camera = Camera();
        await using var frames = camera.FramesAsync(Ct).GetAsyncEnumerator(Ct);
        Assert.True(await frames.MoveNextAsync());

        camera.Dispose();

        AssertCleanedUp();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await frames.MoveNextAsync());
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await camera.FramesAsync(Ct).GetAsyncEnumerator(Ct).MoveNextAsync());
    }

    [Fact]
    public async Task Only_one_stream_at_a_time()
    {
        _device.Enqueue(new FakeStep.Frame(TestImages.NumberedFrames(1)[0]));
        using var camera = Camera();
        await using var first = camera.FramesAsync(Ct).GetAsyncEnumerator(Ct);
        Assert.True(await first.MoveNextAsync());

        await using var second = camera.FramesAsync(Ct).GetAsyncEnumerator(Ct);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await second.MoveNextAsync());

        Assert.Contains("already streaming", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_real_binding_reports_a_missing_device_by_name()
    {
        // Real open(2) through libc: this path exists on every machine.
        using var camera = new V4l2Camera(new CameraOptions { Device = "/dev/video-myna-missing" });

        var error = await Assert.ThrowsAsync<CameraException>(() => TakeAsync(camera, 1));

        Assert.Equal(CameraErrorKind.NotFound, error.Kind);
        Assert.Contains("'/dev/video-myna-missing' does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_real_binding_refuses_a_device_that_is_not_v4l2()
    {
        // Real open(2) and ioctl(VIDIOC_QUERYCAP) on /dev/null: the kernel answers ENOTTY.
        Assert.SkipUnless(File.Exists("/dev/null"), "No /dev/null.");
        using var camera = new V4l2Camera(new CameraOptions { Device = "/dev/null" });

        var error = await Assert.ThrowsAsync<CameraException>(() => TakeAsync(camera, 1));

        Assert.Equal(CameraErrorKind.Unsupported, error.Kind);
        Assert.Contains("'/dev/null' is not a V4L2 video device", error.Message, StringComparison.Ordinal);
        Assert.Contains("ENOTTY", error.Message, StringComparison.Ordinal);
    }

    private V4l2Camera Camera(Action<CameraOptions>? configure = null)
    {
        var options = new CameraOptions();
        configure?.Invoke(options);
        return new V4l2Camera(options, _device, _clock, NullLogger.Instance);
    }

    private void AssertCleanedUp()
    {
        Assert.Contains("STREAMOFF", _device.Calls);
        Assert.Equal(0, _device.LiveMappings);
        Assert.NotEmpty(_device.WipedOnUnmap);
        Assert.All(_device.WipedOnUnmap, Assert.True);
        Assert.Equal("REQBUFS 0", _device.Calls[^2]);
        Assert.Equal("close", _device.Calls[^1]);
        Assert.Empty(_device.Violations);
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

/// <summary>A real camera, where one is plugged in.</summary>
public sealed class V4l2RealDeviceTests
{
    [Fact]
    public async Task Streams_frames_from_dev_video0_when_it_exists()
    {
        Assert.SkipUnless(
            File.Exists("/dev/video0"),
            "No /dev/video0: this build machine has no camera and no v4l2loopback module, so the real V4L2 path runs only on a machine with a camera.");
        using var camera = new V4l2Camera(new CameraOptions { Device = "/dev/video0" });
        var count = 0;

        await foreach (var frame in camera.FramesAsync(TestContext.Current.CancellationToken))
        {
            Assert.Equal(frame.Width * frame.Height * 3, frame.Bgr.Length);
            Assert.NotNull(camera.ActiveFormat);
            frame.Clear();
            if (++count == 3)
            {
                break;
            }
        }

        Assert.Equal(3, count);
        Assert.Null(camera.ActiveFormat);
    }
}
