using System.Runtime.InteropServices;
using MynaTerminal.Panel.Native;

namespace MynaTerminal.Panel.Input;

/// <summary>An open evdev node: its event stream and the two ioctls the inputs use.</summary>
public interface IEvdevDevice : IDisposable
{
    /// <summary>The events as bytes (<see cref="EvdevReader"/> decodes them); a read honours cancellation.</summary>
    Stream Events { get; }

    /// <summary>EVIOCGABS: the range the device reports for an absolute axis; false when it has no such axis.</summary>
    bool TryGetAbsoluteRange(ushort axis, out int minimum, out int maximum);

    /// <summary>EVIOCGRAB: receive the events exclusively (nobody else, not the console, sees them).</summary>
    void Grab();
}

/// <summary>Opens evdev nodes; throws <see cref="PanelDeviceException"/> with what to do when it cannot.</summary>
public interface IEvdevOpener
{
    IEvdevDevice Open(string path);
}

/// <summary>The real thing: libc on /dev/input/eventN (non-blocking, read with poll so that cancellation works).</summary>
public sealed unsafe class LinuxEvdevDevice : IEvdevDevice
{
    /// <summary>EVIOCGRAB = _IOW('E', 0x90, int).</summary>
    internal static readonly nuint EVIOCGRAB = Libc.Ioc(1, 'E', 0x90, 4);

    private readonly EvdevStream _stream;

    private LinuxEvdevDevice(string path, int fd)
    {
        Path = path;
        _stream = new EvdevStream(path, fd);
    }

    /// <summary>Opens /dev/input/* nodes.</summary>
    public static IEvdevOpener Opener { get; } = new LinuxOpener();

    public string Path { get; }

    public Stream Events => _stream;

    /// <summary>EVIOCGABS(axis) = _IOR('E', 0x40 + axis, struct input_absinfo) (24 bytes).</summary>
    internal static nuint EVIOCGABS(ushort axis) => Libc.Ioc(2, 'E', 0x40u + axis, 24);

    public bool TryGetAbsoluteRange(ushort axis, out int minimum, out int maximum)
    {
        var info = stackalloc int[6]; // value, minimum, maximum, fuzz, flat, resolution
        if (Libc.Ioctl(_stream.Fd, EVIOCGABS(axis), info) == -1)
        {
            minimum = maximum = 0;
            return false;
        }

        (minimum, maximum) = (info[1], info[2]);
        return maximum > minimum;
    }

    public void Grab()
    {
        if (Libc.Ioctl(_stream.Fd, EVIOCGRAB, 1) == -1)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new PanelDeviceException($"{Path}: cannot grab the device (EVIOCGRAB: {Libc.Describe(errno)}); another program holds it.");
        }
    }

    public void Dispose() => _stream.Dispose();

    private sealed class LinuxOpener : IEvdevOpener
    {
        public IEvdevDevice Open(string path)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(path);
            var fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_NONBLOCK | Libc.O_CLOEXEC);
            if (fd < 0)
            {
                throw PanelDeviceException.FromOpen(path, Marshal.GetLastPInvokeError(), "input device", "input");
            }

            return new LinuxEvdevDevice(path, fd);
        }
    }

    /// <summary>
    /// A read-only stream over the non-blocking descriptor. A read waits with poll() in slices of
    /// <see cref="PollSliceMilliseconds"/> on a pool thread, checking the token between slices; an unplugged device
    /// (ENODEV, POLLHUP/POLLERR) is an <see cref="IOException"/>.
    /// </summary>
    private sealed class EvdevStream(string path, int fd) : Stream
    {
        private const int PollSliceMilliseconds = 200;

        private int _fd = fd;

        public int Fd
        {
            get
            {
                var value = Volatile.Read(ref _fd);
                ObjectDisposedException.ThrowIf(value < 0, this);
                return value;
            }
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count), CancellationToken.None);

        public override int Read(Span<byte> buffer) => Read(buffer, CancellationToken.None);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
            new(Task.Run(() => Read(buffer.Span, cancellationToken), cancellationToken));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            var descriptor = Interlocked.Exchange(ref _fd, -1);
            if (descriptor >= 0)
            {
                Libc.Close(descriptor);
            }

            base.Dispose(disposing);
        }

        private int Read(Span<byte> buffer, CancellationToken cancellationToken)
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                nint read;
                fixed (byte* pointer = buffer)
                {
                    read = Libc.Read(Fd, pointer, (nuint)buffer.Length);
                }

                if (read >= 0)
                {
                    return (int)read;
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno == Libc.EINTR)
                {
                    continue;
                }

                if (errno != Libc.EAGAIN)
                {
                    throw new IOException($"{path}: read failed: {Libc.Describe(errno)}" + (errno == Libc.ENODEV ? " (unplugged)" : string.Empty));
                }

                var poll = new PollFd { fd = Fd, events = Libc.POLLIN };
                if (Libc.Poll(&poll, 1, PollSliceMilliseconds) < 0 && Marshal.GetLastPInvokeError() != Libc.EINTR)
                {
                    throw new IOException($"{path}: poll failed: {Libc.Describe(Marshal.GetLastPInvokeError())}");
                }

                if ((poll.revents & (Libc.POLLERR | Libc.POLLHUP | Libc.POLLNVAL)) != 0 && (poll.revents & Libc.POLLIN) == 0)
                {
                    throw new IOException($"{path}: the device is gone (unplugged).");
                }
            }
        }
    }
}
