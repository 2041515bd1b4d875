using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MynaTerminal.Panel.Framebuffer;
using MynaTerminal.Panel.Input;
using MynaTerminal.Panel.Tests.Fakes;

namespace MynaTerminal.Panel.Tests;

/// <summary>
/// The kernel structs and numbers the drivers hard-code. The expected values were printed from
/// /usr/include/linux/{fb,input}.h (linux-libc-dev 6.1, Debian 12) on x86_64 by <see cref="CheckProgram"/> compiled
/// with gcc 12; arm64 has the same LP64 layout and ioctl encoding. <see cref="Kernel_headers_agree_when_gcc_is_here"/>
/// repeats the comparison live wherever gcc and the headers exist (a Pi with build-essential, too).
/// </summary>
public sealed class NativeLayoutTests
{
    internal const string CheckProgram = """
        #include <stdio.h>
        #include <stddef.h>
        #include <linux/fb.h>
        #include <linux/input.h>
        #define S(t) printf("sizeof %s %zu\n", #t, sizeof(struct t))
        #define O(t,f) printf("offset %s.%s %zu\n", #t, #f, offsetof(struct t,f))
        #define V(n) printf("value %s %lu\n", #n, (unsigned long)(n))
        int main(void) {
          S(fb_var_screeninfo); S(fb_fix_screeninfo); S(fb_bitfield); S(input_event); S(input_absinfo);
          O(fb_var_screeninfo,xres); O(fb_var_screeninfo,xoffset); O(fb_var_screeninfo,yoffset); O(fb_var_screeninfo,bits_per_pixel);
          O(fb_var_screeninfo,red); O(fb_var_screeninfo,green); O(fb_var_screeninfo,blue); O(fb_var_screeninfo,transp);
          O(fb_var_screeninfo,rotate); O(fb_var_screeninfo,reserved);
          O(fb_fix_screeninfo,smem_start); O(fb_fix_screeninfo,smem_len); O(fb_fix_screeninfo,type); O(fb_fix_screeninfo,visual);
          O(fb_fix_screeninfo,line_length); O(fb_fix_screeninfo,mmio_start); O(fb_fix_screeninfo,capabilities);
          O(input_event,type); O(input_event,code); O(input_event,value); O(input_absinfo,minimum); O(input_absinfo,maximum);
          V(FBIOGET_VSCREENINFO); V(FBIOGET_FSCREENINFO); V(FB_TYPE_PACKED_PIXELS); V(FB_VISUAL_TRUECOLOR); V(FB_VISUAL_DIRECTCOLOR);
          V(EVIOCGRAB); V(EVIOCGABS(ABS_X)); V(EVIOCGABS(ABS_MT_POSITION_Y));
          V(EV_SYN); V(EV_KEY); V(EV_ABS); V(SYN_REPORT); V(SYN_DROPPED); V(ABS_X); V(ABS_Y); V(ABS_MT_SLOT);
          V(ABS_MT_POSITION_X); V(ABS_MT_POSITION_Y); V(ABS_MT_TRACKING_ID); V(BTN_TOUCH);
          V(KEY_KP0); V(KEY_KP1); V(KEY_KP5); V(KEY_KP9); V(KEY_KPDOT); V(KEY_KPENTER); V(KEY_KPMINUS); V(KEY_KPPLUS);
          V(KEY_KPASTERISK); V(KEY_KPSLASH); V(KEY_BACKSPACE); V(KEY_ENTER); V(KEY_0); V(KEY_1); V(KEY_9); V(KEY_ESC);
          return 0;
        }
        """;

    /// <summary>What gcc printed on x86_64 (Debian 12, linux-libc-dev 6.1).</summary>
    private static readonly Dictionary<string, ulong> Header = new()
    {
        ["sizeof fb_var_screeninfo"] = 160,
        ["sizeof fb_fix_screeninfo"] = 80,
        ["sizeof fb_bitfield"] = 12,
        ["sizeof input_event"] = 24,
        ["sizeof input_absinfo"] = 24,
        ["offset fb_var_screeninfo.xres"] = 0,
        ["offset fb_var_screeninfo.xoffset"] = 16,
        ["offset fb_var_screeninfo.yoffset"] = 20,
        ["offset fb_var_screeninfo.bits_per_pixel"] = 24,
        ["offset fb_var_screeninfo.red"] = 32,
        ["offset fb_var_screeninfo.green"] = 44,
        ["offset fb_var_screeninfo.blue"] = 56,
        ["offset fb_var_screeninfo.transp"] = 68,
        ["offset fb_var_screeninfo.rotate"] = 136,
        ["offset fb_var_screeninfo.reserved"] = 144,
        ["offset fb_fix_screeninfo.smem_start"] = 16,
        ["offset fb_fix_screeninfo.smem_len"] = 24,
        ["offset fb_fix_screeninfo.type"] = 28,
        ["offset fb_fix_screeninfo.visual"] = 36,
        ["offset fb_fix_screeninfo.line_length"] = 48,
        ["offset fb_fix_screeninfo.mmio_start"] = 56,
        ["offset fb_fix_screeninfo.capabilities"] = 72,
        ["offset input_event.type"] = 16,
        ["offset input_event.code"] = 18,
        ["offset input_event.value"] = 20,
        ["offset input_absinfo.minimum"] = 4,
        ["offset input_absinfo.maximum"] = 8,
        ["value FBIOGET_VSCREENINFO"] = 0x4600,
        ["value FBIOGET_FSCREENINFO"] = 0x4602,
        ["value FB_TYPE_PACKED_PIXELS"] = 0,
        ["value FB_VISUAL_TRUECOLOR"] = 2,
        ["value FB_VISUAL_DIRECTCOLOR"] = 4,
        ["value EVIOCGRAB"] = 0x40044590,
        ["value EVIOCGABS(ABS_X)"] = 0x80184540,
        ["value EVIOCGABS(ABS_MT_POSITION_Y)"] = 0x80184576,
        ["value EV_SYN"] = 0,
        ["value EV_KEY"] = 1,
        ["value EV_ABS"] = 3,
        ["value SYN_REPORT"] = 0,
        ["value SYN_DROPPED"] = 3,
        ["value ABS_X"] = 0,
        ["value ABS_Y"] = 1,
        ["value ABS_MT_SLOT"] = 47,
        ["value ABS_MT_POSITION_X"] = 53,
        ["value ABS_MT_POSITION_Y"] = 54,
        ["value ABS_MT_TRACKING_ID"] = 57,
        ["value BTN_TOUCH"] = 330,
        ["value KEY_KP0"] = 82,
        ["value KEY_KP1"] = 79,
        ["value KEY_KP5"] = 76,
        ["value KEY_KP9"] = 73,
        ["value KEY_KPDOT"] = 83,
        ["value KEY_KPENTER"] = 96,
        ["value KEY_KPMINUS"] = 74,
        ["value KEY_KPPLUS"] = 78,
        ["value KEY_KPASTERISK"] = 55,
        ["value KEY_KPSLASH"] = 98,
        ["value KEY_BACKSPACE"] = 14,
        ["value KEY_ENTER"] = 28,
        ["value KEY_0"] = 11,
        ["value KEY_1"] = 2,
        ["value KEY_9"] = 10,
        ["value KEY_ESC"] = 1,
    };

    private static Dictionary<string, ulong> Managed()
    {
        static ulong Key(string name) => EvdevCodes.TryParseKey(name, out var code) ? code : ulong.MaxValue;
        return new()
        {
            ["sizeof fb_var_screeninfo"] = (ulong)Unsafe.SizeOf<FbVarScreenInfo>(),
            ["sizeof fb_fix_screeninfo"] = (ulong)Unsafe.SizeOf<FbFixScreenInfo>(),
            ["sizeof fb_bitfield"] = (ulong)Unsafe.SizeOf<FbBitfield>(),
            ["sizeof input_event"] = EvdevReader.EventSize,
            ["sizeof input_absinfo"] = 24, // LinuxEvdevDevice reads it as six ints
            ["offset fb_var_screeninfo.xres"] = Offset<FbVarScreenInfo>(nameof(FbVarScreenInfo.xres)),
            ["offset fb_var_screeninfo.xoffset"] = Offset<FbVarScreenInfo>(nameof(FbVarScreenInfo.xoffset)),
            ["offset fb_var_screeninfo.yoffset"] = Offset<FbVarScreenInfo>(nameof(FbVarScreenInfo.yoffset)),
            ["offset fb_var_screeninfo.bits_per_pixel"] = Offset<FbVarScreenInfo>(nameof(FbVarScreenInfo.bits_per_pixel)),
            ["offset fb_var_screeninfo.red"] = Offset<FbVarScreenInfo>(nameof(FbVarScreenInfo.red)),
            ["offset fb_var_screeninfo.green"] = Offset<FbVarScreenInfo>(nameof(FbVarScreenInfo.green)),
            ["offset fb_var_screeninfo.blue"] = Offset<FbVarScreenInfo>(nameof(FbVarScreenInfo.blue)),
            ["offset fb_var_screeninfo.transp"] = Offset<FbVarScreenInfo>(nameof(FbVarScreenInfo.transp)),
            ["offset fb_var_screeninfo.rotate"] = Offset<FbVarScreenInfo>(nameof(FbVarScreenInfo.rotate)),
            ["offset fb_var_screeninfo.reserved"] = Offset<FbVarScreenInfo>(nameof(FbVarScreenInfo.reserved)),
            ["offset fb_fix_screeninfo.smem_start"] = Offset<FbFixScreenInfo>(nameof(FbFixScreenInfo.smem_start)),
            ["offset fb_fix_screeninfo.smem_len"] = Offset<FbFixScreenInfo>(nameof(FbFixScreenInfo.smem_len)),
            ["offset fb_fix_screeninfo.type"] = Offset<FbFixScreenInfo>(nameof(FbFixScreenInfo.type)),
            ["offset fb_fix_screeninfo.visual"] = Offset<FbFixScreenInfo>(nameof(FbFixScreenInfo.visual)),
            ["offset fb_fix_screeninfo.line_length"] = Offset<FbFixScreenInfo>(nameof(FbFixScreenInfo.line_length)),
            ["offset fb_fix_screeninfo.mmio_start"] = Offset<FbFixScreenInfo>(nameof(FbFixScreenInfo.mmio_start)),
            ["offset fb_fix_screeninfo.capabilities"] = Offset<FbFixScreenInfo>(nameof(FbFixScreenInfo.capabilities)),
            ["offset input_event.type"] = 16,
            ["offset input_event.code"] = 18,
            ["offset input_event.value"] = 20,
            ["offset input_absinfo.minimum"] = 4,
            ["offset input_absinfo.maximum"] = 8,
            ["value FBIOGET_VSCREENINFO"] = FbConstants.FBIOGET_VSCREENINFO,
            ["value FBIOGET_FSCREENINFO"] = FbConstants.FBIOGET_FSCREENINFO,
            ["value FB_TYPE_PACKED_PIXELS"] = FbConstants.FB_TYPE_PACKED_PIXELS,
            ["value FB_VISUAL_TRUECOLOR"] = FbConstants.FB_VISUAL_TRUECOLOR,
            ["value FB_VISUAL_DIRECTCOLOR"] = FbConstants.FB_VISUAL_DIRECTCOLOR,
            ["value EVIOCGRAB"] = LinuxEvdevDevice.EVIOCGRAB,
            ["value EVIOCGABS(ABS_X)"] = LinuxEvdevDevice.EVIOCGABS(EvdevCodes.ABS_X),
            ["value EVIOCGABS(ABS_MT_POSITION_Y)"] = LinuxEvdevDevice.EVIOCGABS(EvdevCodes.ABS_MT_POSITION_Y),
            ["value EV_SYN"] = EvdevCodes.EV_SYN,
            ["value EV_KEY"] = EvdevCodes.EV_KEY,
            ["value EV_ABS"] = EvdevCodes.EV_ABS,
            ["value SYN_REPORT"] = EvdevCodes.SYN_REPORT,
            ["value SYN_DROPPED"] = EvdevCodes.SYN_DROPPED,
            ["value ABS_X"] = EvdevCodes.ABS_X,
            ["value ABS_Y"] = EvdevCodes.ABS_Y,
            ["value ABS_MT_SLOT"] = EvdevCodes.ABS_MT_SLOT,
            ["value ABS_MT_POSITION_X"] = EvdevCodes.ABS_MT_POSITION_X,
            ["value ABS_MT_POSITION_Y"] = EvdevCodes.ABS_MT_POSITION_Y,
            ["value ABS_MT_TRACKING_ID"] = EvdevCodes.ABS_MT_TRACKING_ID,
            ["value BTN_TOUCH"] = EvdevCodes.BTN_TOUCH,
            ["value KEY_KP0"] = Key("KEY_KP0"),
            ["value KEY_KP1"] = Key("KEY_KP1"),
            ["value KEY_KP5"] = Key("KEY_KP5"),
            ["value KEY_KP9"] = Key("KEY_KP9"),
            ["value KEY_KPDOT"] = Key("KEY_KPDOT"),
            ["value KEY_KPENTER"] = Key("KEY_KPENTER"),
            ["value KEY_KPMINUS"] = Key("KEY_KPMINUS"),
            ["value KEY_KPPLUS"] = Key("KEY_KPPLUS"),
            ["value KEY_KPASTERISK"] = Key("KEY_KPASTERISK"),
            ["value KEY_KPSLASH"] = Key("KEY_KPSLASH"),
            ["value KEY_BACKSPACE"] = Key("KEY_BACKSPACE"),
            ["value KEY_ENTER"] = Key("KEY_ENTER"),
            ["value KEY_0"] = Key("KEY_0"),
            ["value KEY_1"] = Key("KEY_1"),
            ["value KEY_9"] = Key("KEY_9"),
            ["value KEY_ESC"] = Key("KEY_ESC"),
        };
    }

    [Fact]
    public void Structs_ioctls_and_codes_match_the_kernel_headers()
    {
        Assert.SkipUnless(Environment.Is64BitProcess, "The pinned layout is that of 64-bit Linux.");
        Assert.Equal(Header.OrderBy(p => p.Key, StringComparer.Ordinal), Managed().OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void Marshal_agrees_with_the_blittable_sizes()
    {
        Assert.Equal(Unsafe.SizeOf<FbVarScreenInfo>(), Marshal.SizeOf<FbVarScreenInfo>());
        Assert.Equal(Unsafe.SizeOf<FbFixScreenInfo>(), Marshal.SizeOf<FbFixScreenInfo>());
    }

    [Fact]
    public async Task Kernel_headers_agree_when_gcc_is_here()
    {
        var output = await MynaTerminal.Tests.Shared.CProgram.CompileAndRunAsync(CheckProgram, "/usr/include/linux/fb.h");

        var printed = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            var cut = line.LastIndexOf(' ');
            return (Key: line[..cut], Value: ulong.Parse(line[(cut + 1)..], CultureInfo.InvariantCulture));
        }).ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal(Header.OrderBy(p => p.Key, StringComparer.Ordinal), printed.OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    private static ulong Offset<T>(string field) => (ulong)Marshal.OffsetOf<T>(field);

}
