using System.Runtime.InteropServices;
using System.Text;

namespace MynaTerminal.Cameras.V4l2;

// The V4L2 structs of <linux/videodev2.h> that the capture loop uses, laid out for 64-bit Linux (LP64: x86_64 and
// arm64 share it). Every size and offset is pinned in V4l2NativeLayoutTests with values read off the kernel header
// by a C program compiled with gcc. Field names follow the C header so the two can be compared line by line.

/// <summary>struct v4l2_capability (104 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct V4l2Capability
{
    public fixed byte driver[16];
    public fixed byte card[32];
    public fixed byte bus_info[32];
    public uint version;
    public uint capabilities;
    public uint device_caps;
    public fixed uint reserved[3];

    /// <summary>The capabilities of this device node: device_caps when the driver fills it, else capabilities.</summary>
    public readonly uint NodeCapabilities =>
        (capabilities & V4l2Constants.CapDeviceCaps) != 0 ? device_caps : capabilities;

    public readonly string Driver
    {
        get
        {
            fixed (byte* text = driver)
            {
                return V4l2Constants.CString(text, 16);
            }
        }
    }

    public readonly string Card
    {
        get
        {
            fixed (byte* text = card)
            {
                return V4l2Constants.CString(text, 32);
            }
        }
    }
}

/// <summary>struct v4l2_pix_format (48 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct V4l2PixFormat
{
    public uint width;
    public uint height;
    public uint pixelformat;
    public uint field;
    public uint bytesperline;
    public uint sizeimage;
    public uint colorspace;
    public uint priv;
    public uint flags;
    public uint ycbcr_enc;
    public uint quantization;
    public uint xfer_func;
}

/// <summary>
/// struct v4l2_format (208 bytes): the union <c>fmt</c> starts at offset 8 because some of its members
/// (v4l2_window) hold pointers; only <c>pix</c> is used here.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 208)]
internal struct V4l2Format
{
    [FieldOffset(0)]
    public uint type;

    [FieldOffset(8)]
    public V4l2PixFormat pix;
}

/// <summary>struct v4l2_requestbuffers (20 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct V4l2RequestBuffers
{
    public uint count;
    public uint type;
    public uint memory;
    public uint capabilities;
    public byte flags;
    public fixed byte reserved[3];
}

/// <summary>
/// struct v4l2_buffer (88 bytes): timestamp is a struct timeval (two 8-byte longs) at 24 after 4 bytes of padding;
/// the union <c>m</c> (offset / userptr / planes / fd) is 8 bytes at 64.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 88)]
internal struct V4l2Buffer
{
    [FieldOffset(0)]
    public uint index;

    [FieldOffset(4)]
    public uint type;

    [FieldOffset(8)]
    public uint bytesused;

    [FieldOffset(12)]
    public uint flags;

    [FieldOffset(16)]
    public uint field;

    [FieldOffset(24)]
    public long timestamp_sec;

    [FieldOffset(32)]
    public long timestamp_usec;

    [FieldOffset(40)]
    public V4l2Timecode timecode;

    [FieldOffset(56)]
    public uint sequence;

    [FieldOffset(60)]
    public uint memory;

    /// <summary>m.offset: for V4L2_MEMORY_MMAP, the value to pass to mmap.</summary>
    [FieldOffset(64)]
    public uint m_offset;

    [FieldOffset(64)]
    public ulong m_userptr;

    [FieldOffset(72)]
    public uint length;

    [FieldOffset(76)]
    public uint reserved2;

    [FieldOffset(80)]
    public int request_fd;
}

/// <summary>struct v4l2_timecode (16 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct V4l2Timecode
{
    public uint type;
    public uint flags;
    public byte frames;
    public byte seconds;
    public byte minutes;
    public byte hours;
    public fixed byte userbits[4];
}

/// <summary>struct v4l2_fract (8 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct V4l2Fract
{
    public uint numerator;
    public uint denominator;
}

/// <summary>struct v4l2_captureparm (40 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct V4l2CaptureParm
{
    public uint capability;
    public uint capturemode;
    public V4l2Fract timeperframe;
    public uint extendedmode;
    public uint readbuffers;
    public fixed uint reserved[4];
}

/// <summary>struct v4l2_streamparm (204 bytes; the union <c>parm</c> is 200 bytes at offset 4, no pointers).</summary>
[StructLayout(LayoutKind.Explicit, Size = 204)]
internal struct V4l2StreamParm
{
    [FieldOffset(0)]
    public uint type;

    [FieldOffset(4)]
    public V4l2CaptureParm capture;
}

/// <summary>struct v4l2_fmtdesc (64 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct V4l2FmtDesc
{
    public uint index;
    public uint type;
    public uint flags;
    public fixed byte description[32];
    public uint pixelformat;
    public uint mbus_code;
    public fixed uint reserved[3];
}

/// <summary>struct pollfd (8 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct PollFd
{
    public int fd;
    public short events;
    public short revents;
}


/// <summary>V4L2, ioctl, mmap, poll and errno constants (Linux, x86_64 and arm64 alike).</summary>
internal static unsafe class V4l2Constants
{
    public const uint BufTypeVideoCapture = 1;
    public const uint MemoryMmap = 1;
    public const uint FieldAny = 0;
    public const uint FieldNone = 1;

    public const uint CapVideoCapture = 0x00000001;
    public const uint CapStreaming = 0x04000000;
    public const uint CapDeviceCaps = 0x80000000;

    /// <summary>v4l2_captureparm.capability: the driver honours timeperframe.</summary>
    public const uint CapTimePerFrame = 0x1000;

    public const uint BufFlagError = 0x40;

    public static readonly uint PixelFormatMjpeg = FourCc('M', 'J', 'P', 'G');
    public static readonly uint PixelFormatJpeg = FourCc('J', 'P', 'E', 'G');
    public static readonly uint PixelFormatYuyv = FourCc('Y', 'U', 'Y', 'V');

    // ioctl request numbers, <asm-generic/ioctl.h> (used by x86_64 and arm64):
    //   _IOC(dir, type, nr, size) = dir << 30 | size << 16 | type << 8 | nr     (8-bit nr, 8-bit type, 14-bit size)
    //   _IOR = _IOC(READ = 2, ...), _IOW = _IOC(WRITE = 1, ...), _IOWR = _IOC(READ | WRITE = 3, ...)
    // "read" and "write" are from user space's view: _IOR = the kernel writes the struct back.
    public static readonly nuint VIDIOC_QUERYCAP = Ior('V', 0, sizeof(V4l2Capability));
    public static readonly nuint VIDIOC_ENUM_FMT = Iowr('V', 2, sizeof(V4l2FmtDesc));
    public static readonly nuint VIDIOC_G_FMT = Iowr('V', 4, sizeof(V4l2Format));
    public static readonly nuint VIDIOC_S_FMT = Iowr('V', 5, sizeof(V4l2Format));
    public static readonly nuint VIDIOC_REQBUFS = Iowr('V', 8, sizeof(V4l2RequestBuffers));
    public static readonly nuint VIDIOC_QUERYBUF = Iowr('V', 9, sizeof(V4l2Buffer));
    public static readonly nuint VIDIOC_QBUF = Iowr('V', 15, sizeof(V4l2Buffer));
    public static readonly nuint VIDIOC_DQBUF = Iowr('V', 17, sizeof(V4l2Buffer));
    public static readonly nuint VIDIOC_STREAMON = Iow('V', 18, sizeof(int));
    public static readonly nuint VIDIOC_STREAMOFF = Iow('V', 19, sizeof(int));
    public static readonly nuint VIDIOC_G_PARM = Iowr('V', 21, sizeof(V4l2StreamParm));
    public static readonly nuint VIDIOC_S_PARM = Iowr('V', 22, sizeof(V4l2StreamParm));

    // <fcntl.h>, <sys/mman.h>, <poll.h> (the same values on x86_64 and arm64).
    public const int O_RDWR = 0x2;
    public const int O_NONBLOCK = 0x800;
    public const int O_CLOEXEC = 0x80000;
    public const int PROT_READ = 0x1;
    public const int PROT_WRITE = 0x2;
    public const int MAP_SHARED = 0x1;
    public const short POLLIN = 0x1;
    public const short POLLERR = 0x8;
    public const short POLLHUP = 0x10;
    public const short POLLNVAL = 0x20;

    // <errno.h>
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int EINTR = 4;
    public const int EIO = 5;
    public const int ENXIO = 6;
    public const int EAGAIN = 11;
    public const int EACCES = 13;
    public const int EBUSY = 16;
    public const int ENODEV = 19;
    public const int EINVAL = 22;
    public const int ENOTTY = 25;

    public static uint FourCc(char a, char b, char c, char d) => a | ((uint)b << 8) | ((uint)c << 16) | ((uint)d << 24);

    public static string FourCcText(uint value) =>
        string.Create(4, value, static (span, v) =>
        {
            for (var i = 0; i < 4; i++)
            {
                var c = (char)((v >> (8 * i)) & 0xFF);
                span[i] = c is >= ' ' and <= '~' ? c : '?';
            }
        }).TrimEnd();

    public static nuint Ioc(uint direction, char type, uint number, int size)
    {
        if ((uint)size >= 1 << 14)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "ioctl argument sizes have 14 bits.");
        }

        return (nuint)((direction << 30) | ((uint)size << 16) | ((uint)type << 8) | number);
    }

    public static nuint Ior(char type, uint number, int size) => Ioc(2, type, number, size);

    public static nuint Iow(char type, uint number, int size) => Ioc(1, type, number, size);

    public static nuint Iowr(char type, uint number, int size) => Ioc(3, type, number, size);

    public static string CString(byte* text, int capacity)
    {
        var length = new ReadOnlySpan<byte>(text, capacity).IndexOf((byte)0);
        return Encoding.UTF8.GetString(text, length < 0 ? capacity : length);
    }

    public static string ErrnoName(int errno) => errno switch
    {
        EPERM => "EPERM",
        ENOENT => "ENOENT",
        EINTR => "EINTR",
        EIO => "EIO",
        ENXIO => "ENXIO",
        EAGAIN => "EAGAIN",
        EACCES => "EACCES",
        EBUSY => "EBUSY",
        ENODEV => "ENODEV",
        EINVAL => "EINVAL",
        ENOTTY => "ENOTTY",
        _ => $"errno {errno}",
    };

    /// <summary>"ENODEV (No such device)" style text for messages.</summary>
    public static string Describe(int errno) => $"{ErrnoName(errno)} ({Marshal.GetPInvokeErrorMessage(errno)})";
}

/// <summary>libc entry points (glibc, <c>libc.so.6</c>) for the real device. ioctl is variadic in C; on x86_64 and arm64 Linux a third pointer argument is passed like a fixed one.</summary>
internal static unsafe partial class Libc
{
    private const string Library = "libc.so.6";

    [LibraryImport(Library, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport(Library, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Library, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, void* argument);

    [LibraryImport(Library, EntryPoint = "mmap", SetLastError = true)]
    public static partial nint Mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport(Library, EntryPoint = "munmap", SetLastError = true)]
    public static partial int Munmap(nint address, nuint length);

    [LibraryImport(Library, EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMilliseconds);
}
