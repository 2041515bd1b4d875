using Microsoft.Extensions.Logging;
using MynaTerminal.Cameras.Imaging;
using MynaTerminal.Core.Devices;
using static MynaTerminal.Cameras.V4l2.V4l2Constants;

namespace MynaTerminal.Cameras.V4l2;

/// <summary>What a V4L2 device agreed to deliver.</summary>
/// <param name="PixelFormat">FourCC as text: <c>MJPG</c>, <c>JPEG</c> or <c>YUYV</c>.</param>
/// <param name="FramesPerSecond">The frame rate the driver reported after VIDIOC_S_PARM; null when it does not support setting one.</param>
public sealed record V4l2StreamFormat(int Width, int Height, string PixelFormat, int BytesPerLine, double? FramesPerSecond, int BufferCount);

/// <summary>
/// One streaming session on a V4L2 capture device with memory-mapped buffers: open, VIDIOC_QUERYCAP, format
/// negotiation (S_FMT), frame rate (S_PARM), REQBUFS + QUERYBUF + mmap, QBUF all, STREAMON; then
/// poll → DQBUF → decode into a new image → QBUF per frame; and at the end STREAMOFF, the buffers wiped and
/// unmapped, REQBUFS 0, close. Blocking: the camera runs it on the thread pool. Thread-safe: <see cref="Dispose"/>
/// waits for a <see cref="NextFrame"/> in progress (at most one poll slice plus one decode).
/// </summary>
internal sealed unsafe class V4l2Stream : IDisposable
{
    /// <summary>Longest single poll(); cancellation is noticed between slices.</summary>
    internal static readonly TimeSpan PollSlice = TimeSpan.FromMilliseconds(100);

    /// <summary>Consecutive undecodable or damaged frames after which the stream gives up.</summary>
    internal const int MaxConsecutiveBadFrames = 30;

    private readonly Lock _sync = new();
    private readonly IV4l2Device _device;
    private readonly string _path;
    private readonly TimeProvider _time;
    private readonly TimeSpan _frameTimeout;
    private readonly ILogger _logger;
    private readonly List<(nint Address, uint Length)> _mappings = [];
    private readonly JpegCodec _codec = new() { AcceptWarnings = true };
    private bool _buffersRequested;
    private bool _streaming;
    private bool _disposed;
    private int _badFrames;
    private uint _pixelFormat;

    private V4l2Stream(IV4l2Device device, string path, TimeProvider time, TimeSpan frameTimeout, ILogger logger)
    {
        _device = device;
        _path = path;
        _time = time;
        _frameTimeout = frameTimeout;
        _logger = logger;
    }

    public V4l2StreamFormat Format { get; private set; } = new(0, 0, "", 0, null, 0);

    public static V4l2Stream Start(IV4l2DeviceOpener opener, CameraOptions options, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var path = options.Device;
        var rc = opener.Open(path, out var device);
        if (rc != 0 || device is null)
        {
            throw OpenError(path, rc);
        }

        var stream = new V4l2Stream(device, path, time, options.FrameTimeout, logger);
        try
        {
            stream.Negotiate(options);
            stream.AllocateAndStart(options.BufferCount);
            cancellationToken.ThrowIfCancellationRequested();
            return stream;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Waits for the next good frame and returns it as a new image the caller owns.</summary>
    public FaceImage NextFrame(CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var start = _time.GetTimestamp();
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var left = _frameTimeout - _time.GetElapsedTime(start);
                if (left <= TimeSpan.Zero)
                {
                    throw new CameraException(
                        CameraErrorKind.Timeout,
                        $"Camera '{_path}' delivered no frame within {_frameTimeout.TotalSeconds:0.###} s (is it covered by another stream, or stalled? unplug and replug it).");
                }

                var slice = (int)Math.Ceiling((left < PollSlice ? left : PollSlice).TotalMilliseconds);
                var rc = _device.Poll(slice, out var events);
                if (rc == EINTR)
                {
                    continue;
                }

                if (rc != 0)
                {
                    throw Failure("poll", rc);
                }

                if (events == 0)
                {
                    continue;
                }

                var buffer = new V4l2Buffer { type = BufTypeVideoCapture, memory = MemoryMmap };
                rc = _device.DequeueBuffer(ref buffer);
                if (rc is EAGAIN or EINTR)
                {
                    if ((events & (POLLERR | POLLHUP | POLLNVAL)) != 0 && (events & POLLIN) == 0)
                    {
                        throw new CameraException(
                            CameraErrorKind.Disconnected, $"Camera '{_path}' stopped streaming (poll reported 0x{events:X}); was it unplugged?");
                    }

                    continue;
                }

                if (rc != 0)
                {
                    throw Failure("VIDIOC_DQBUF", rc);
                }

                if (buffer.index >= _mappings.Count)
                {
                    throw new CameraException(CameraErrorKind.DeviceError, $"Camera '{_path}' returned buffer {buffer.index}, but only {_mappings.Count} exist.");
                }

                var image = Convert(buffer);
                Requeue(ref buffer, image);
                if (image is not null)
                {
                    _badFrames = 0;
                    return image;
                }

                if (++_badFrames >= MaxConsecutiveBadFrames)
                {
                    throw new CameraException(
                        CameraErrorKind.BadFrames, $"Camera '{_path}' delivered {_badFrames} damaged or undecodable frames in a row ({Format.PixelFormat} {Format.Width}x{Format.Height}).");
                }
            }
        }
    }

    public void Dispose()
    {
        lock (_sync)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (_streaming)
            {
                // Errors are expected here when the camera was unplugged; cleanup goes on regardless.
                _ = _device.StreamOff();
                _streaming = false;
            }

            foreach (var (address, length) in _mappings)
            {
                // Privacy: the driver's buffers hold the last frames of a face; wipe them before giving them back.
                new Span<byte>((void*)address, checked((int)length)).Clear();
                _ = _device.Unmap(address, length);
            }

            _mappings.Clear();
            if (_buffersRequested)
            {
                var release = new V4l2RequestBuffers { count = 0, type = BufTypeVideoCapture, memory = MemoryMmap };
                _ = _device.RequestBuffers(ref release);
                _buffersRequested = false;
            }

            _device.Dispose();
            _codec.Dispose();
        }
    }

    private static CameraException OpenError(string path, int errno) => errno switch
    {
        ENOENT => new CameraException(
            CameraErrorKind.NotFound,
            $"Camera device '{path}' does not exist. Is the camera plugged in? 'ls /dev/video*' lists the V4L2 nodes (Camera:Device chooses one)."),
        ENODEV or ENXIO => new CameraException(
            CameraErrorKind.NotFound, $"Camera device '{path}' has no device behind it ({Describe(errno)}); was it unplugged?"),
        EACCES or EPERM => new CameraException(
            CameraErrorKind.PermissionDenied,
            $"Permission denied opening camera device '{path}' ({Describe(errno)}). The service user must be in the 'video' group: 'sudo usermod -aG video <user>', then restart the service."),
        EBUSY => new CameraException(CameraErrorKind.Busy, $"Camera device '{path}' is in use by another process ('fuser {path}' shows which)."),
        _ => new CameraException(CameraErrorKind.DeviceError, $"Cannot open camera device '{path}': {Describe(errno)}."),
    };

    private CameraException Failure(string call, int errno) => errno switch
    {
        ENODEV or EIO or ENXIO => new CameraException(
            CameraErrorKind.Disconnected, $"Camera '{_path}' went away during {call} ({Describe(errno)}); was it unplugged?"),
        EBUSY => new CameraException(CameraErrorKind.Busy, $"Camera '{_path}' is busy ({call}: {Describe(errno)}); another process may be streaming from it."),
        _ => new CameraException(CameraErrorKind.DeviceError, $"Camera '{_path}': {call} failed with {Describe(errno)}."),
    };

    private void Negotiate(CameraOptions options)
    {
        var rc = _device.QueryCapability(out var capability);
        if (rc is ENOTTY or EINVAL)
        {
            throw new CameraException(CameraErrorKind.Unsupported, $"'{_path}' is not a V4L2 video device (VIDIOC_QUERYCAP: {Describe(rc)}).");
        }

        if (rc != 0)
        {
            throw Failure("VIDIOC_QUERYCAP", rc);
        }

        var caps = capability.NodeCapabilities;
        if ((caps & CapVideoCapture) == 0 || (caps & CapStreaming) == 0)
        {
            throw new CameraException(
                CameraErrorKind.Unsupported,
                $"'{_path}' ({capability.Card}, driver {capability.Driver}) is not a video capture device with streaming I/O (device capabilities 0x{caps:X8}). " +
                "USB cameras also create a metadata node (often the odd-numbered /dev/videoN); choose the capture node. " +
                "A Raspberry Pi camera module is read with Camera:Source = Rpicam.");
        }

        var offered = EnumerateFormats();
        var wanted = options.PixelFormat switch
        {
            CameraPixelFormat.Mjpeg => new[] { PixelFormatMjpeg, PixelFormatJpeg },
            CameraPixelFormat.Yuyv => [PixelFormatYuyv],
            _ => [PixelFormatMjpeg, PixelFormatJpeg, PixelFormatYuyv],
        };
        var candidates = offered.Count == 0 ? wanted : wanted.Where(offered.Contains).ToArray();
        var offeredText = offered.Count == 0 ? "(the driver does not list its formats)" : string.Join(", ", offered.Select(FourCcText));
        var wantedText = string.Join(" or ", wanted.Select(FourCcText));
        if (candidates.Length == 0)
        {
            throw new CameraException(
                CameraErrorKind.Unsupported,
                $"Camera '{_path}' ({capability.Card}) offers no supported pixel format: it offers {offeredText}; Camera:PixelFormat = {options.PixelFormat} needs {wantedText}.");
        }

        foreach (var candidate in candidates)
        {
            var format = new V4l2Format { type = BufTypeVideoCapture };
            format.pix.width = (uint)options.Width;
            format.pix.height = (uint)options.Height;
            format.pix.pixelformat = candidate;
            format.pix.field = FieldAny;
            rc = _device.SetFormat(ref format);
            if (rc == EBUSY)
            {
                throw Failure("VIDIOC_S_FMT", rc);
            }

            if (rc != 0)
            {
                _logger.LogDebug("Camera {Device}: VIDIOC_S_FMT {Format} failed with {Error}", _path, FourCcText(candidate), Describe(rc));
                continue;
            }

            var agreed = format.pix.pixelformat;
            if (!wanted.Contains(agreed) || format.pix.width < 2 || format.pix.height < 1)
            {
                _logger.LogDebug("Camera {Device}: asked for {Asked}, driver chose {Chosen}", _path, FourCcText(candidate), FourCcText(agreed));
                continue;
            }

            var width = (int)format.pix.width;
            var bytesPerLine = (int)format.pix.bytesperline;
            if (agreed == PixelFormatYuyv)
            {
                if ((width & 1) != 0)
                {
                    continue;
                }

                bytesPerLine = Math.Max(bytesPerLine, width * 2);
            }

            _pixelFormat = agreed;
            Format = new V4l2StreamFormat(width, (int)format.pix.height, FourCcText(agreed), bytesPerLine, null, 0);
            Format = Format with { FramesPerSecond = SetFrameRate(options.FramesPerSecond) };
            if (Format.Width != options.Width || Format.Height != options.Height)
            {
                _logger.LogInformation(
                    "Camera {Device}: asked for {AskedWidth}x{AskedHeight}, the driver chose {Width}x{Height}",
                    _path, options.Width, options.Height, Format.Width, Format.Height);
            }

            return;
        }

        throw new CameraException(
            CameraErrorKind.Unsupported,
            $"Camera '{_path}' ({capability.Card}) refused every supported format ({string.Join(", ", candidates.Select(FourCcText))}) at {options.Width}x{options.Height}; it offers {offeredText}.");
    }

    private List<uint> EnumerateFormats()
    {
        var formats = new List<uint>();
        for (uint index = 0; index < 64; index++)
        {
            var description = new V4l2FmtDesc { index = index, type = BufTypeVideoCapture };
            if (_device.EnumerateFormat(ref description) != 0)
            {
                break;
            }

            formats.Add(description.pixelformat);
        }

        return formats;
    }

    private double? SetFrameRate(int framesPerSecond)
    {
        var parameters = new V4l2StreamParm { type = BufTypeVideoCapture };
        parameters.capture.timeperframe = new V4l2Fract { numerator = 1, denominator = (uint)framesPerSecond };
        var rc = _device.SetStreamParameters(ref parameters);
        var frame = parameters.capture.timeperframe;
        if (rc != 0 || (parameters.capture.capability & CapTimePerFrame) == 0 || frame.numerator == 0 || frame.denominator == 0)
        {
            _logger.LogDebug("Camera {Device}: the driver does not set the frame rate ({Result})", _path, rc == 0 ? "no V4L2_CAP_TIMEPERFRAME" : Describe(rc));
            return null;
        }

        return (double)frame.denominator / frame.numerator;
    }

    private void AllocateAndStart(int bufferCount)
    {
        var request = new V4l2RequestBuffers { count = (uint)bufferCount, type = BufTypeVideoCapture, memory = MemoryMmap };
        var rc = _device.RequestBuffers(ref request);
        if (rc == EINVAL)
        {
            throw new CameraException(CameraErrorKind.Unsupported, $"Camera '{_path}' does not support memory-mapped streaming (VIDIOC_REQBUFS: {Describe(rc)}).");
        }

        if (rc != 0)
        {
            throw Failure("VIDIOC_REQBUFS", rc);
        }

        _buffersRequested = true;
        if (request.count < 2)
        {
            throw new CameraException(CameraErrorKind.DeviceError, $"Camera '{_path}' granted {request.count} buffer(s); at least 2 are needed (out of memory?).");
        }

        for (uint index = 0; index < request.count; index++)
        {
            var buffer = new V4l2Buffer { index = index, type = BufTypeVideoCapture, memory = MemoryMmap };
            rc = _device.QueryBuffer(ref buffer);
            if (rc != 0)
            {
                throw Failure("VIDIOC_QUERYBUF", rc);
            }

            rc = _device.Map(buffer.m_offset, buffer.length, out var address);
            if (rc != 0)
            {
                throw Failure($"mmap of buffer {index}", rc);
            }

            _mappings.Add((address, buffer.length));
        }

        for (uint index = 0; index < request.count; index++)
        {
            var buffer = new V4l2Buffer { index = index, type = BufTypeVideoCapture, memory = MemoryMmap };
            rc = _device.QueueBuffer(ref buffer);
            if (rc != 0)
            {
                throw Failure("VIDIOC_QBUF", rc);
            }
        }

        Format = Format with { BufferCount = (int)request.count };
        rc = _device.StreamOn();
        if (rc != 0)
        {
            throw Failure("VIDIOC_STREAMON", rc);
        }

        _streaming = true;
        _logger.LogInformation(
            "Camera {Device}: streaming {PixelFormat} {Width}x{Height} at {Fps} fps with {Buffers} buffers",
            _path, Format.PixelFormat, Format.Width, Format.Height, Format.FramesPerSecond?.ToString("0.##") ?? "driver default", Format.BufferCount);
    }

    private FaceImage? Convert(in V4l2Buffer buffer)
    {
        var (address, length) = _mappings[(int)buffer.index];
        if ((buffer.flags & BufFlagError) != 0 || buffer.bytesused == 0)
        {
            _logger.LogDebug("Camera {Device}: frame {Sequence} is damaged (flags 0x{Flags:X}, {Bytes} bytes); skipped", _path, buffer.sequence, buffer.flags, buffer.bytesused);
            return null;
        }

        var data = new ReadOnlySpan<byte>((void*)address, (int)Math.Min(buffer.bytesused, length));
        if (_pixelFormat == PixelFormatYuyv)
        {
            var needed = ((long)Format.BytesPerLine * (Format.Height - 1)) + (Format.Width * 2);
            if (data.Length < needed)
            {
                _logger.LogDebug("Camera {Device}: YUYV frame {Sequence} has {Bytes} bytes, {Needed} needed; skipped", _path, buffer.sequence, data.Length, needed);
                return null;
            }

            return PixelConversions.YuyvToBgr(data, Format.Width, Format.Height, Format.BytesPerLine);
        }

        try
        {
            return _codec.DecodeBgr(data);
        }
        catch (ImageDecodeException ex)
        {
            _logger.LogDebug("Camera {Device}: frame {Sequence} cannot be decoded: {Reason}", _path, buffer.sequence, ex.Message);
            return null;
        }
    }

    private void Requeue(ref V4l2Buffer buffer, FaceImage? image)
    {
        int rc;
        do
        {
            rc = _device.QueueBuffer(ref buffer);
        }
        while (rc == EINTR);

        if (rc != 0)
        {
            image?.Clear();
            throw Failure("VIDIOC_QBUF", rc);
        }
    }
}
