using System.Runtime.InteropServices;
using System.Text;

namespace MynaTerminal.Panel.Framebuffer;

// The structs of <linux/fb.h> for 64-bit Linux (LP64: arm64 and x86-64 share it). Every size and offset is pinned
// in NativeLayoutTests with the values a gcc-compiled C program printed from the kernel header. Field names follow
// the header. 32-bit ARM differs (unsigned long is 4 bytes: fb_fix_screeninfo is 68 bytes) and is not supported.

/// <summary>struct fb_bitfield (12 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct FbBitfield
{
    public uint offset;
    public uint length;
    public uint msb_right;
}

/// <summary>struct fb_var_screeninfo (160 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct FbVarScreenInfo
{
    public uint xres;
    public uint yres;
    public uint xres_virtual;
    public uint yres_virtual;
    public uint xoffset;
    public uint yoffset;
    public uint bits_per_pixel;
    public uint grayscale;
    public FbBitfield red;
    public FbBitfield green;
    public FbBitfield blue;
    public FbBitfield transp;
    public uint nonstd;
    public uint activate;
    public uint height;
    public uint width;
    public uint accel_flags;
    public uint pixclock;
    public uint left_margin;
    public uint right_margin;
    public uint upper_margin;
    public uint lower_margin;
    public uint hsync_len;
    public uint vsync_len;
    public uint sync;
    public uint vmode;
    public uint rotate;
    public uint colorspace;
    public fixed uint reserved[4];
}

/// <summary>struct fb_fix_screeninfo (80 bytes on 64-bit Linux).</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct FbFixScreenInfo
{
    public fixed byte id[16];
    public nuint smem_start;
    public uint smem_len;
    public uint type;
    public uint type_aux;
    public uint visual;
    public ushort xpanstep;
    public ushort ypanstep;
    public ushort ywrapstep;
    public uint line_length;
    public nuint mmio_start;
    public uint mmio_len;
    public uint accel;
    public ushort capabilities;
    public fixed ushort reserved[2];

    /// <summary>The driver's name (e.g. "simple", "vc4drmfb", "fb_ili9341").</summary>
    public readonly string Id
    {
        get
        {
            fixed (byte* text = id)
            {
                var span = new ReadOnlySpan<byte>(text, 16);
                var end = span.IndexOf((byte)0);
                return Encoding.ASCII.GetString(end < 0 ? span : span[..end]);
            }
        }
    }
}

/// <summary>The fb ioctl numbers and values used (linux/fb.h).</summary>
public static class FbConstants
{
    public const uint FBIOGET_VSCREENINFO = 0x4600;
    public const uint FBIOGET_FSCREENINFO = 0x4602;
    public const uint FB_TYPE_PACKED_PIXELS = 0;
    public const uint FB_VISUAL_TRUECOLOR = 2;
    public const uint FB_VISUAL_DIRECTCOLOR = 4;
}
