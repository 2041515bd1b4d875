using System.Runtime.InteropServices;
using Microsoft.Extensions.Time.Testing;
using MynaTerminal.Cameras.V4l2;
using static MynaTerminal.Cameras.V4l2.V4l2Constants;

namespace MynaTerminal.Cameras.Tests.Fakes;

/// <summary>One thing the fake camera does when the capture loop next polls.</summary>
internal abstract record FakeStep
{
    /// <summary>A frame is ready: poll says POLLIN, DQBUF fills the oldest queued buffer with these bytes.</summary>
    public sealed record Frame(byte[] Data, uint Flags = 0) : FakeStep;

    /// <summary>poll() runs out of time (the fake clock advances by the poll time-out).</summary>
    public sealed record PollTimeout : FakeStep;

    /// <summary>poll() fails with errno.</summary>
    public sealed record PollFails(int Errno) : FakeStep;

    /// <summary>poll() says POLLIN (or the given events), then DQBUF fails with errno.</summary>
    public sealed record DequeueFails(int Errno, short Events = POLLIN) : FakeStep;
}

/// <summary>
/// An in-memory V4L2 capture device with the kernel's rules that matter to the loop: formats offered, S_FMT
/// adjusting the size, REQBUFS granting a count, mmap'd buffers (real native memory), a FIFO of queued buffers
/// (DQBUF of an unqueued buffer or QBUF of a queued one is a recorded violation), STREAMON/OFF, poll and errno
/// results from a script. No frame is delivered unless the script says so.
/// </summary>
internal sealed unsafe class FakeV4l2Device(FakeTimeProvider clock) : IV4l2Device, IV4l2DeviceOpener
{
    private readonly Queue<uint> _queued = new();
    private readonly List<(nint Address, uint Length)> _buffers = [];
    private readonly Lock _sync = new();
    private uint _sequence;

    public int OpenErrno { get; set; }

    public int QueryCapErrno { get; set; }

    public uint DeviceCaps { get; set; } = CapVideoCapture | CapStreaming;

    public List<uint> Formats { get; set; } = [PixelFormatYuyv, PixelFormatMjpeg];

    /// <summary>The size S_FMT settles on, whatever was asked (null = as asked).</summary>
    public (uint Width, uint Height)? DriverSize { get; set; }

    /// <summary>Extra bytes per YUYV row (bytesperline = width·2 + this).</summary>
    public uint RowPadding { get; set; }

    public uint? GrantedBuffers { get; set; }

    public bool SupportsFrameRate { get; set; } = true;

    public Queue<FakeStep> Script { get; } = new();

    public List<string> Calls { get; } = [];

    public List<string> Violations { get; } = [];

    public string? OpenedPath { get; private set; }

    public V4l2PixFormat AgreedFormat { get; private set; }

    public uint RequestedFrameRate { get; private set; }

    public List<uint> DequeuedIndexes { get; } = [];

    public bool Streaming { get; private set; }

    public bool Closed { get; private set; }

    /// <summary>For each unmapped buffer: whether every byte was zero when munmap came.</summary>
    public List<bool> WipedOnUnmap { get; } = [];

    public int MappedCount { get; private set; }

    public int LiveMappings
    {
        get
        {
            lock (_sync)
            {
                return _buffers.Count(b => b.Address != 0);
            }
        }
    }

    public void Enqueue(params FakeStep[] steps)
    {
        lock (_sync)
        {
            foreach (var step in steps)
            {
                Script.Enqueue(step);
            }
        }
    }

    public int Open(string path, out IV4l2Device? device)
    {
        Record($"open {path}");
        OpenedPath = path;
        device = OpenErrno == 0 ? this : null;
        return OpenErrno;
    }

    public int QueryCapability(out V4l2Capability capability)
    {
        Record("QUERYCAP");
        capability = default;
        capability.capabilities = DeviceCaps | CapDeviceCaps;
        capability.device_caps = DeviceCaps;
        var name = "Fake UVC Camera"u8;
        fixed (byte* card = capability.card)
        {
            name.CopyTo(new Span<byte>(card, 32));
        }

        return QueryCapErrno;
    }

    public int EnumerateFormat(ref V4l2FmtDesc description)
    {
        if (description.type != BufTypeVideoCapture || description.index >= Formats.Count)
        {
            return EINVAL;
        }

        description.pixelformat = Formats[(int)description.index];
        return 0;
    }

    public int SetFormat(ref V4l2Format format)
    {
        Record($"S_FMT {FourCcText(format.pix.pixelformat)} {format.pix.width}x{format.pix.height}");
        if (format.type != BufTypeVideoCapture)
        {
            return EINVAL;
        }

        if (!Formats.Contains(format.pix.pixelformat))
        {
            // Like real drivers: an unknown format is replaced by the default one, not refused.
            format.pix.pixelformat = Formats[0];
        }

        if (DriverSize is { } size)
        {
            (format.pix.width, format.pix.height) = size;
        }

        format.pix.field = FieldNone;
        var yuyv = format.pix.pixelformat == PixelFormatYuyv;
        format.pix.bytesperline = yuyv ? (format.pix.width * 2) + RowPadding : 0;
        format.pix.sizeimage = yuyv ? format.pix.bytesperline * format.pix.height : 512 * 1024;
        AgreedFormat = format.pix;
        return 0;
    }

    public int SetStreamParameters(ref V4l2StreamParm parameters)
    {
        Record($"S_PARM {parameters.capture.timeperframe.numerator}/{parameters.capture.timeperframe.denominator}");
        if (!SupportsFrameRate)
        {
            return EINVAL;
        }

        RequestedFrameRate = parameters.capture.timeperframe.denominator;
        parameters.capture.capability = CapTimePerFrame;
        return 0;
    }

    public int RequestBuffers(ref V4l2RequestBuffers request)
    {
        Record($"REQBUFS {request.count}");
        if (request.memory != MemoryMmap || request.type != BufTypeVideoCapture)
        {
            return EINVAL;
        }

        lock (_sync)
        {
            if (request.count == 0)
            {
                if (_buffers.Any(b => b.Address != 0))
                {
                    Violations.Add("REQBUFS 0 while buffers are still mapped");
                }

                _buffers.Clear();
                return 0;
            }

            request.count = GrantedBuffers ?? request.count;
            for (var i = 0; i < request.count; i++)
            {
                _buffers.Add((0, AgreedFormat.sizeimage));
            }
        }

        return 0;
    }

    public int QueryBuffer(ref V4l2Buffer buffer)
    {
        lock (_sync)
        {
            if (buffer.index >= _buffers.Count)
            {
                return EINVAL;
            }

            buffer.length = _buffers[(int)buffer.index].Length;
            buffer.m_offset = buffer.index * 0x100000;
            return 0;
        }
    }

    public int QueueBuffer(ref V4l2Buffer buffer)
    {
        lock (_sync)
        {
            if (buffer.index >= _buffers.Count || buffer.type != BufTypeVideoCapture || buffer.memory != MemoryMmap)
            {
                Violations.Add($"QBUF of a bad buffer {buffer.index}");
                return EINVAL;
            }

            if (_queued.Contains(buffer.index))
            {
                Violations.Add($"QBUF of buffer {buffer.index}, already queued");
                return EINVAL;
            }

            _queued.Enqueue(buffer.index);
            return 0;
        }
    }

    public int DequeueBuffer(ref V4l2Buffer buffer)
    {
        lock (_sync)
        {
            if (!Streaming)
            {
                Violations.Add("DQBUF while not streaming");
                return EINVAL;
            }

            if (!Script.TryDequeue(out var step))
            {
                return EAGAIN;
            }

            switch (step)
            {
                case FakeStep.DequeueFails fails:
                    return fails.Errno;
                case FakeStep.Frame frame:
                    if (!_queued.TryDequeue(out var index))
                    {
                        Violations.Add("a frame arrived but no buffer was queued");
                        return EAGAIN;
                    }

                    var (address, length) = _buffers[(int)index];
                    var target = new Span<byte>((void*)address, (int)length);
                    target.Clear();
                    frame.Data.CopyTo(target);
                    buffer.index = index;
                    buffer.bytesused = (uint)frame.Data.Length;
                    buffer.flags = frame.Flags;
                    buffer.sequence = _sequence++;
                    DequeuedIndexes.Add(index);
                    return 0;
                default:
                    Violations.Add($"DQBUF met script step {step}");
                    return EAGAIN;
            }
        }
    }

    public int StreamOn()
    {
        Record("STREAMON");
        lock (_sync)
        {
            if (_queued.Count != _buffers.Count)
            {
                Violations.Add($"STREAMON with {_queued.Count} of {_buffers.Count} buffers queued");
            }
        }

        Streaming = true;
        return 0;
    }

    public int StreamOff()
    {
        Record("STREAMOFF");
        Streaming = false;
        lock (_sync)
        {
            _queued.Clear();
        }

        return 0;
    }

    public int Map(uint offset, uint length, out nint address)
    {
        lock (_sync)
        {
            var index = (int)(offset / 0x100000);
            address = (nint)NativeMemory.Alloc(length);
            new Span<byte>((void*)address, (int)length).Fill(0xAA);
            _buffers[index] = (address, length);
            MappedCount++;
            return 0;
        }
    }

    public int Unmap(nint address, uint length)
    {
        lock (_sync)
        {
            var index = _buffers.FindIndex(b => b.Address == address);
            if (index < 0)
            {
                Violations.Add("munmap of an unknown address");
                return EINVAL;
            }

            WipedOnUnmap.Add(!new ReadOnlySpan<byte>((void*)address, (int)length).ContainsAnyExcept((byte)0));
            NativeMemory.Free((void*)address);
            _buffers[index] = (0, length);
            return 0;
        }
    }

    public int Poll(int timeoutMilliseconds, out short events)
    {
        lock (_sync)
        {
            events = 0;
            if (!Script.TryPeek(out var step))
            {
                clock.Advance(TimeSpan.FromMilliseconds(timeoutMilliseconds));
                return 0;
            }

            switch (step)
            {
                case FakeStep.PollTimeout:
                    Script.Dequeue();
                    clock.Advance(TimeSpan.FromMilliseconds(timeoutMilliseconds));
                    return 0;
                case FakeStep.PollFails fails:
                    Script.Dequeue();
                    return fails.Errno;
                case FakeStep.DequeueFails fails:
                    events = fails.Events;
                    return 0;
                default:
                    events = POLLIN;
                    return 0;
            }
        }
    }

    public void Dispose()
    {
        Record("close");
        Closed = true;
    }

    private void Record(string call)
    {
        lock (_sync)
        {
            Calls.Add(call);
        }
    }
}
