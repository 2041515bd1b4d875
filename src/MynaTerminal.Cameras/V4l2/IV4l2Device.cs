using System.Runtime.InteropServices;

namespace MynaTerminal.Cameras.V4l2;

/// <summary>
/// The syscalls of one open V4L2 device node, so the capture loop (<see cref="V4l2Stream"/>) can be tested
/// with a fake. Every method returns 0 or the errno of the failure; none throws for a device error.
/// </summary>
internal interface IV4l2Device : IDisposable
{
    int QueryCapability(out V4l2Capability capability);

    /// <summary>VIDIOC_ENUM_FMT; EINVAL past the last format.</summary>
    int EnumerateFormat(ref V4l2FmtDesc description);

    int SetFormat(ref V4l2Format format);

    int SetStreamParameters(ref V4l2StreamParm parameters);

    int RequestBuffers(ref V4l2RequestBuffers request);

    int QueryBuffer(ref V4l2Buffer buffer);

    int QueueBuffer(ref V4l2Buffer buffer);

    /// <summary>VIDIOC_DQBUF on a non-blocking descriptor: EAGAIN when no buffer is ready.</summary>
    int DequeueBuffer(ref V4l2Buffer buffer);

    int StreamOn();

    int StreamOff();

    /// <summary>mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, offset).</summary>
    int Map(uint offset, uint length, out nint address);

    int Unmap(nint address, uint length);

    /// <summary>poll() for POLLIN; <paramref name="events"/> = revents, 0 when the time ran out.</summary>
    int Poll(int timeoutMilliseconds, out short events);
}

/// <summary>Opens device nodes.</summary>
internal interface IV4l2DeviceOpener
{
    /// <summary>open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC); 0 or errno.</summary>
    int Open(string path, out IV4l2Device? device);
}

/// <summary>The real thing: libc on a <c>/dev/video*</c> node.</summary>
internal sealed unsafe class LinuxV4l2Device : IV4l2Device
{
    private int _fd;

    private LinuxV4l2Device(int fd) => _fd = fd;

    public static IV4l2DeviceOpener Opener { get; } = new LinuxOpener();

    public int QueryCapability(out V4l2Capability capability)
    {
        V4l2Capability value = default;
        var result = Ioctl(V4l2Constants.VIDIOC_QUERYCAP, &value);
        capability = value;
        return result;
    }

    public int EnumerateFormat(ref V4l2FmtDesc description)
    {
        fixed (V4l2FmtDesc* pointer = &description)
        {
            return Ioctl(V4l2Constants.VIDIOC_ENUM_FMT, pointer);
        }
    }

    public int SetFormat(ref V4l2Format format)
    {
        fixed (V4l2Format* pointer = &format)
        {
            return Ioctl(V4l2Constants.VIDIOC_S_FMT, pointer);
        }
    }

    public int SetStreamParameters(ref V4l2StreamParm parameters)
    {
        fixed (V4l2StreamParm* pointer = &parameters)
        {
            return Ioctl(V4l2Constants.VIDIOC_S_PARM, pointer);
        }
    }

    public int RequestBuffers(ref V4l2RequestBuffers request)
    {
        fixed (V4l2RequestBuffers* pointer = &request)
        {
            return Ioctl(V4l2Constants.VIDIOC_REQBUFS, pointer);
        }
    }

    public int QueryBuffer(ref V4l2Buffer buffer)
    {
        fixed (V4l2Buffer* pointer = &buffer)
        {
            return Ioctl(V4l2Constants.VIDIOC_QUERYBUF, pointer);
        }
    }

    public int QueueBuffer(ref V4l2Buffer buffer)
    {
        fixed (V4l2Buffer* pointer = &buffer)
        {
            return Ioctl(V4l2Constants.VIDIOC_QBUF, pointer);
        }
    }

    public int DequeueBuffer(ref V4l2Buffer buffer)
    {
        fixed (V4l2Buffer* pointer = &buffer)
        {
            return Ioctl(V4l2Constants.VIDIOC_DQBUF, pointer);
        }
    }

    public int StreamOn()
    {
        var type = (int)V4l2Constants.BufTypeVideoCapture;
        return Ioctl(V4l2Constants.VIDIOC_STREAMON, &type);
    }

    public int StreamOff()
    {
        var type = (int)V4l2Constants.BufTypeVideoCapture;
        return Ioctl(V4l2Constants.VIDIOC_STREAMOFF, &type);
    }

    public int Map(uint offset, uint length, out nint address)
    {
        address = Libc.Mmap(0, length, V4l2Constants.PROT_READ | V4l2Constants.PROT_WRITE, V4l2Constants.MAP_SHARED, Fd(), (nint)offset);
        if (address == -1)
        {
            address = 0;
            return Marshal.GetLastPInvokeError();
        }

        return 0;
    }

    public int Unmap(nint address, uint length) =>
        Libc.Munmap(address, length) == 0 ? 0 : Marshal.GetLastPInvokeError();

    public int Poll(int timeoutMilliseconds, out short events)
    {
        var descriptor = new PollFd { fd = Fd(), events = V4l2Constants.POLLIN };
        var result = Libc.Poll(&descriptor, 1, timeoutMilliseconds);
        if (result < 0)
        {
            events = 0;
            return Marshal.GetLastPInvokeError();
        }

        events = result == 0 ? (short)0 : descriptor.revents;
        return 0;
    }

    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            Libc.Close(fd);
        }
    }

    private int Fd()
    {
        var fd = Volatile.Read(ref _fd);
        ObjectDisposedException.ThrowIf(fd < 0, this);
        return fd;
    }

    private int Ioctl(nuint request, void* argument) =>
        Libc.Ioctl(Fd(), request, argument) == -1 ? Marshal.GetLastPInvokeError() : 0;

    private sealed class LinuxOpener : IV4l2DeviceOpener
    {
        public int Open(string path, out IV4l2Device? device)
        {
            var fd = Libc.Open(path, V4l2Constants.O_RDWR | V4l2Constants.O_NONBLOCK | V4l2Constants.O_CLOEXEC);
            if (fd < 0)
            {
                device = null;
                return Marshal.GetLastPInvokeError();
            }

            device = new LinuxV4l2Device(fd);
            return 0;
        }
    }
}
