using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using MynaTerminal.Cameras.V4l2;
using static MynaTerminal.Cameras.V4l2.V4l2Constants;

namespace MynaTerminal.Cameras.Tests;

/// <summary>
/// The V4L2 structs and ioctl numbers of the binding. The expected values were read off the kernel header
/// (/usr/include/linux/videodev2.h of linux-libc-dev 6.1, Debian 12) on x86_64 by a C program compiled with gcc 12
/// that prints sizeof/offsetof and the VIDIOC_* macros (the program is <see cref="CheckProgram"/>). arm64 uses the same
/// LP64 layout and the same asm-generic ioctl encoding. <see cref="Kernel_header_agrees_when_gcc_is_here"/> repeats
/// the comparison live on any machine that has gcc and the header (a Raspberry Pi with build-essential, too).
/// </summary>
[Collection(ProcessTests.Collection)]
public sealed class V4l2NativeLayoutTests
{
    internal const string CheckProgram = """
        #include <stdio.h>
        #include <stddef.h>
        #include <linux/videodev2.h>
        #define S(t) printf("sizeof %s %zu\n", #t, sizeof(struct t))
        #define O(t,f) printf("offset %s.%s %zu\n", #t, #f, offsetof(struct t,f))
        #define X(n) printf("ioctl %s %lu\n", #n, (unsigned long)(n))
        int main(void) {
          S(v4l2_capability); S(v4l2_format); S(v4l2_pix_format); S(v4l2_requestbuffers); S(v4l2_buffer);
          S(v4l2_streamparm); S(v4l2_captureparm); S(v4l2_fmtdesc); S(v4l2_timecode); S(v4l2_fract);
          O(v4l2_capability,version); O(v4l2_capability,capabilities); O(v4l2_capability,device_caps);
          O(v4l2_format,fmt); O(v4l2_pix_format,bytesperline); O(v4l2_pix_format,sizeimage); O(v4l2_pix_format,xfer_func);
          O(v4l2_requestbuffers,capabilities); O(v4l2_buffer,bytesused); O(v4l2_buffer,flags); O(v4l2_buffer,timestamp);
          O(v4l2_buffer,sequence); O(v4l2_buffer,memory); O(v4l2_buffer,m); O(v4l2_buffer,length); O(v4l2_buffer,request_fd);
          O(v4l2_streamparm,parm); O(v4l2_captureparm,timeperframe); O(v4l2_fmtdesc,pixelformat);
          X(VIDIOC_QUERYCAP); X(VIDIOC_ENUM_FMT); X(VIDIOC_G_FMT); X(VIDIOC_S_FMT); X(VIDIOC_REQBUFS); X(VIDIOC_QUERYBUF);
          X(VIDIOC_QBUF); X(VIDIOC_DQBUF); X(VIDIOC_STREAMON); X(VIDIOC_STREAMOFF); X(VIDIOC_G_PARM); X(VIDIOC_S_PARM);
          return 0;
        }
        """;

    /// <summary>sizeof and offsetof as gcc printed them on x86_64.</summary>
    private static readonly Dictionary<string, int> HeaderLayout = new()
    {
        ["sizeof v4l2_capability"] = 104,
        ["sizeof v4l2_format"] = 208,
        ["sizeof v4l2_pix_format"] = 48,
        ["sizeof v4l2_requestbuffers"] = 20,
        ["sizeof v4l2_buffer"] = 88,
        ["sizeof v4l2_streamparm"] = 204,
        ["sizeof v4l2_captureparm"] = 40,
        ["sizeof v4l2_fmtdesc"] = 64,
        ["sizeof v4l2_timecode"] = 16,
        ["sizeof v4l2_fract"] = 8,
        ["offset v4l2_capability.version"] = 80,
        ["offset v4l2_capability.capabilities"] = 84,
        ["offset v4l2_capability.device_caps"] = 88,
        ["offset v4l2_format.fmt"] = 8,
        ["offset v4l2_pix_format.bytesperline"] = 16,
        ["offset v4l2_pix_format.sizeimage"] = 20,
        ["offset v4l2_pix_format.xfer_func"] = 44,
        ["offset v4l2_requestbuffers.capabilities"] = 12,
        ["offset v4l2_buffer.bytesused"] = 8,
        ["offset v4l2_buffer.flags"] = 12,
        ["offset v4l2_buffer.timestamp"] = 24,
        ["offset v4l2_buffer.sequence"] = 56,
        ["offset v4l2_buffer.memory"] = 60,
        ["offset v4l2_buffer.m"] = 64,
        ["offset v4l2_buffer.length"] = 72,
        ["offset v4l2_buffer.request_fd"] = 80,
        ["offset v4l2_streamparm.parm"] = 4,
        ["offset v4l2_captureparm.timeperframe"] = 8,
        ["offset v4l2_fmtdesc.pixelformat"] = 44,
    };

    /// <summary>The VIDIOC_* request numbers as gcc printed them on x86_64.</summary>
    private static readonly Dictionary<string, ulong> HeaderIoctls = new()
    {
        ["VIDIOC_QUERYCAP"] = 0x80685600,
        ["VIDIOC_ENUM_FMT"] = 0xC0405602,
        ["VIDIOC_G_FMT"] = 0xC0D05604,
        ["VIDIOC_S_FMT"] = 0xC0D05605,
        ["VIDIOC_REQBUFS"] = 0xC0145608,
        ["VIDIOC_QUERYBUF"] = 0xC0585609,
        ["VIDIOC_QBUF"] = 0xC058560F,
        ["VIDIOC_DQBUF"] = 0xC0585611,
        ["VIDIOC_STREAMON"] = 0x40045612,
        ["VIDIOC_STREAMOFF"] = 0x40045613,
        ["VIDIOC_G_PARM"] = 0xC0CC5615,
        ["VIDIOC_S_PARM"] = 0xC0CC5616,
    };

    private static Dictionary<string, int> ManagedLayout() => new()
    {
        ["sizeof v4l2_capability"] = Unsafe.SizeOf<V4l2Capability>(),
        ["sizeof v4l2_format"] = Unsafe.SizeOf<V4l2Format>(),
        ["sizeof v4l2_pix_format"] = Unsafe.SizeOf<V4l2PixFormat>(),
        ["sizeof v4l2_requestbuffers"] = Unsafe.SizeOf<V4l2RequestBuffers>(),
        ["sizeof v4l2_buffer"] = Unsafe.SizeOf<V4l2Buffer>(),
        ["sizeof v4l2_streamparm"] = Unsafe.SizeOf<V4l2StreamParm>(),
        ["sizeof v4l2_captureparm"] = Unsafe.SizeOf<V4l2CaptureParm>(),
        ["sizeof v4l2_fmtdesc"] = Unsafe.SizeOf<V4l2FmtDesc>(),
        ["sizeof v4l2_timecode"] = Unsafe.SizeOf<V4l2Timecode>(),
        ["sizeof v4l2_fract"] = Unsafe.SizeOf<V4l2Fract>(),
        ["offset v4l2_capability.version"] = Offset<V4l2Capability>(nameof(V4l2Capability.version)),
        ["offset v4l2_capability.capabilities"] = Offset<V4l2Capability>(nameof(V4l2Capability.capabilities)),
        ["offset v4l2_capability.device_caps"] = Offset<V4l2Capability>(nameof(V4l2Capability.device_caps)),
        ["offset v4l2_format.fmt"] = Offset<V4l2Format>(nameof(V4l2Format.pix)),
        ["offset v4l2_pix_format.bytesperline"] = Offset<V4l2PixFormat>(nameof(V4l2PixFormat.bytesperline)),
        ["offset v4l2_pix_format.sizeimage"] = Offset<V4l2PixFormat>(nameof(V4l2PixFormat.sizeimage)),
        ["offset v4l2_pix_format.xfer_func"] = Offset<V4l2PixFormat>(nameof(V4l2PixFormat.xfer_func)),
        ["offset v4l2_requestbuffers.capabilities"] = Offset<V4l2RequestBuffers>(nameof(V4l2RequestBuffers.capabilities)),
        ["offset v4l2_buffer.bytesused"] = Offset<V4l2Buffer>(nameof(V4l2Buffer.bytesused)),
        ["offset v4l2_buffer.flags"] = Offset<V4l2Buffer>(nameof(V4l2Buffer.flags)),
        ["offset v4l2_buffer.timestamp"] = Offset<V4l2Buffer>(nameof(V4l2Buffer.timestamp_sec)),
        ["offset v4l2_buffer.sequence"] = Offset<V4l2Buffer>(nameof(V4l2Buffer.sequence)),
        ["offset v4l2_buffer.memory"] = Offset<V4l2Buffer>(nameof(V4l2Buffer.memory)),
        ["offset v4l2_buffer.m"] = Offset<V4l2Buffer>(nameof(V4l2Buffer.m_offset)),
        ["offset v4l2_buffer.length"] = Offset<V4l2Buffer>(nameof(V4l2Buffer.length)),
        ["offset v4l2_buffer.request_fd"] = Offset<V4l2Buffer>(nameof(V4l2Buffer.request_fd)),
        ["offset v4l2_streamparm.parm"] = Offset<V4l2StreamParm>(nameof(V4l2StreamParm.capture)),
        ["offset v4l2_captureparm.timeperframe"] = Offset<V4l2CaptureParm>(nameof(V4l2CaptureParm.timeperframe)),
        ["offset v4l2_fmtdesc.pixelformat"] = Offset<V4l2FmtDesc>(nameof(V4l2FmtDesc.pixelformat)),
    };

    private static Dictionary<string, ulong> ManagedIoctls() => new()
    {
        ["VIDIOC_QUERYCAP"] = VIDIOC_QUERYCAP,
        ["VIDIOC_ENUM_FMT"] = VIDIOC_ENUM_FMT,
        ["VIDIOC_G_FMT"] = VIDIOC_G_FMT,
        ["VIDIOC_S_FMT"] = VIDIOC_S_FMT,
        ["VIDIOC_REQBUFS"] = VIDIOC_REQBUFS,
        ["VIDIOC_QUERYBUF"] = VIDIOC_QUERYBUF,
        ["VIDIOC_QBUF"] = VIDIOC_QBUF,
        ["VIDIOC_DQBUF"] = VIDIOC_DQBUF,
        ["VIDIOC_STREAMON"] = VIDIOC_STREAMON,
        ["VIDIOC_STREAMOFF"] = VIDIOC_STREAMOFF,
        ["VIDIOC_G_PARM"] = VIDIOC_G_PARM,
        ["VIDIOC_S_PARM"] = VIDIOC_S_PARM,
    };

    [Fact]
    public void Struct_sizes_and_offsets_match_the_kernel_header()
    {
        Assert.SkipUnless(Environment.Is64BitProcess, "The pinned layout is that of 64-bit Linux.");

        Assert.Equal(HeaderLayout.OrderBy(p => p.Key), ManagedLayout().OrderBy(p => p.Key));
    }

    [Fact]
    public void Marshal_agrees_with_the_blittable_sizes()
    {
        Assert.Equal(Unsafe.SizeOf<V4l2Buffer>(), Marshal.SizeOf<V4l2Buffer>());
        Assert.Equal(Unsafe.SizeOf<V4l2Format>(), Marshal.SizeOf<V4l2Format>());
        Assert.Equal(Unsafe.SizeOf<V4l2StreamParm>(), Marshal.SizeOf<V4l2StreamParm>());
        Assert.Equal(8, Unsafe.SizeOf<PollFd>());
    }

    [Fact]
    public void Ioctl_numbers_computed_with_the_IOC_formula_match_the_kernel_header()
    {
        Assert.SkipUnless(Environment.Is64BitProcess, "The pinned numbers are those of 64-bit Linux.");

        Assert.Equal(HeaderIoctls.OrderBy(p => p.Key), ManagedIoctls().OrderBy(p => p.Key));
    }

    [Fact]
    public void Ioc_packs_direction_size_type_and_number()
    {
        Assert.Equal((nuint)0x80685600, Ior('V', 0, 104));
        Assert.Equal((nuint)0x40045612, Iow('V', 18, 4));
        Assert.Equal((nuint)0xC0585611, Iowr('V', 17, 88));
        Assert.Throws<ArgumentOutOfRangeException>(() => Ioc(3, 'V', 1, 1 << 14));
    }

    [Fact]
    public void Fourcc_codes_and_flags_match_the_kernel_header()
    {
        // V4L2_PIX_FMT_* and flags as printed by the same C program.
        Assert.Equal(0x47504A4Du, PixelFormatMjpeg);
        Assert.Equal(0x4745504Au, PixelFormatJpeg);
        Assert.Equal(0x56595559u, PixelFormatYuyv);
        Assert.Equal("MJPG", FourCcText(PixelFormatMjpeg));
        Assert.Equal(0x1u, CapVideoCapture);
        Assert.Equal(0x4000000u, CapStreaming);
        Assert.Equal(0x80000000u, CapDeviceCaps);
        Assert.Equal(0x1000u, CapTimePerFrame);
        Assert.Equal(0x40u, BufFlagError);
        Assert.Equal((0x800, 0x80000, 11, 19, 4), (O_NONBLOCK, O_CLOEXEC, EAGAIN, ENODEV, EINTR));
    }

    [Fact]
    public async Task Kernel_header_agrees_when_gcc_is_here()
    {
        var output = await MynaTerminal.Tests.Shared.CProgram.CompileAndRunAsync(CheckProgram, "/usr/include/linux/videodev2.h");

        var layout = new Dictionary<string, int>();
        var ioctls = new Dictionary<string, ulong>();
        foreach (Match line in Regex.Matches(output, @"^(sizeof \S+|offset \S+|ioctl (\S+)) (\d+)$", RegexOptions.Multiline))
        {
            if (line.Groups[2].Success)
            {
                ioctls[line.Groups[2].Value] = ulong.Parse(line.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture);
            }
            else
            {
                layout[line.Groups[1].Value] = int.Parse(line.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        Assert.Equal(layout.OrderBy(p => p.Key), ManagedLayout().OrderBy(p => p.Key));
        Assert.Equal(ioctls.OrderBy(p => p.Key), ManagedIoctls().OrderBy(p => p.Key));
    }

    private static int Offset<T>(string field) => (int)Marshal.OffsetOf<T>(field);

}
