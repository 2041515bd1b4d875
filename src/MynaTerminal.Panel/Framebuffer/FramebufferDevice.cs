using System.Runtime.InteropServices;
using MynaTerminal.Panel.Native;

namespace MynaTerminal.Panel.Framebuffer;

/// <summary>
/// The system calls on an open /dev/fbN: the two FBIOGET ioctls and pwrite into the frame memory. Every method
/// returns 0 or the errno of the failure, so tests can stand in a fake (and a regular file for the memory).
/// </summary>
public interface IFramebufferDevice : IDisposable
{
    int GetVariableScreenInfo(out FbVarScreenInfo info);

    int GetFixedScreenInfo(out FbFixScreenInfo info);

    /// <summary>pwrite(fd, data, offset) until all is written.</summary>
    int Write(long offset, ReadOnlySpan<byte> data);
}

/// <summary>Opens framebuffer devices.</summary>
public interface IFramebufferOpener
{
    /// <summary>open(path, O_RDWR | O_CLOEXEC): 0 or errno.</summary>
    int Open(string path, out IFramebufferDevice? device);
}

/// <summary>The real thing: libc on a /dev/fbN node (also works on a regular file, where the ioctls fail with ENOTTY).</summary>
public sealed unsafe class LinuxFramebufferDevice : IFramebufferDevice
{
    private int _fd;

    private LinuxFramebufferDevice(int fd) => _fd = fd;

    public static IFramebufferOpener Opener { get; } = new LinuxOpener();

    public int GetVariableScreenInfo(out FbVarScreenInfo info)
    {
        FbVarScreenInfo value = default;
        var result = Libc.Ioctl(Fd(), FbConstants.FBIOGET_VSCREENINFO, &value) == -1 ? Marshal.GetLastPInvokeError() : 0;
        info = value;
        return result;
    }

    public int GetFixedScreenInfo(out FbFixScreenInfo info)
    {
        FbFixScreenInfo value = default;
        var result = Libc.Ioctl(Fd(), FbConstants.FBIOGET_FSCREENINFO, &value) == -1 ? Marshal.GetLastPInvokeError() : 0;
        info = value;
        return result;
    }

    public int Write(long offset, ReadOnlySpan<byte> data)
    {
        fixed (byte* start = data)
        {
            var done = 0;
            while (done < data.Length)
            {
                var written = Libc.PWrite(Fd(), start + done, (nuint)(data.Length - done), offset + done);
                if (written < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == Libc.EINTR)
                    {
                        continue;
                    }

                    return errno;
                }

                if (written == 0)
                {
                    return Libc.ENXIO; // past the end of the frame memory
                }

                done += (int)written;
            }
        }

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

    private sealed class LinuxOpener : IFramebufferOpener
    {
        public int Open(string path, out IFramebufferDevice? device)
        {
            var fd = Libc.Open(path, Libc.O_RDWR | Libc.O_CLOEXEC);
            if (fd < 0)
            {
                device = null;
                return Marshal.GetLastPInvokeError();
            }

            device = new LinuxFramebufferDevice(fd);
            return 0;
        }
    }
}
