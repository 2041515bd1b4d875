using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace MynaTerminal.Panel.Rendering;

/// <summary>One colour channel of a packed pixel: <c>struct fb_bitfield</c> without msb_right.</summary>
public readonly record struct ChannelBits(int Offset, int Length);

/// <summary>
/// A packed little-endian pixel format described like the kernel's fb_var_screeninfo: bits per pixel and where red,
/// green, blue and (optionally) alpha sit.
/// </summary>
public readonly record struct PackedPixelFormat(int BitsPerPixel, ChannelBits Red, ChannelBits Green, ChannelBits Blue, ChannelBits Alpha)
{
    /// <summary>RGB565 (r 11/5, g 5/6, b 0/5).</summary>
    public static PackedPixelFormat Rgb565 { get; } = new(16, new(11, 5), new(5, 6), new(0, 5), default);

    /// <summary>XRGB8888: bytes B, G, R, X in memory (the usual 32-bit framebuffer).</summary>
    public static PackedPixelFormat Xrgb8888 { get; } = new(32, new(16, 8), new(8, 8), new(0, 8), default);

    /// <summary>RGB888 packed in 3 bytes: B, G, R in memory.</summary>
    public static PackedPixelFormat Rgb888 { get; } = new(24, new(16, 8), new(8, 8), new(0, 8), default);

    /// <summary>Bytes per pixel.</summary>
    public int BytesPerPixel => BitsPerPixel / 8;
}

/// <summary>Converts Skia's Rgba8888 pixels (bytes R, G, B, A; opaque) into what panels take.</summary>
public static class PixelConverter
{
    /// <summary>
    /// RGBA8888 → RGB565 big-endian (high byte first), the order SPI TFT controllers (ST7789, ILI9341) take in
    /// 16-bit COLMOD. Channels are truncated (r &gt;&gt; 3, g &gt;&gt; 2, b &gt;&gt; 3).
    /// </summary>
    public static void ToRgb565BigEndian(ReadOnlySpan<byte> rgba, Span<byte> destination)
    {
        if (rgba.Length % 4 != 0)
        {
            throw new ArgumentException("RGBA data must be a whole number of 4-byte pixels.", nameof(rgba));
        }

        var pixels = MemoryMarshal.Cast<byte, uint>(rgba);
        if (destination.Length < pixels.Length * 2)
        {
            throw new ArgumentException($"The destination holds {destination.Length} bytes; {pixels.Length * 2} are needed.", nameof(destination));
        }

        var output = MemoryMarshal.Cast<byte, ushort>(destination[..(pixels.Length * 2)]);
        for (var i = 0; i < pixels.Length; i++)
        {
            var p = BitConverter.IsLittleEndian ? pixels[i] : BinaryPrimitives.ReverseEndianness(pixels[i]);
            var value = (ushort)(((p & 0xF8u) << 8) | ((p & 0xFC00u) >> 5) | ((p >> 19) & 0x1Fu));
            output[i] = BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(value) : value;
        }
    }

    /// <summary>
    /// RGBA8888 → <paramref name="format"/>, stored little-endian (framebuffer memory on arm64 and x86-64). Alpha, when
    /// the format has it, is set to opaque.
    /// </summary>
    public static void ToPacked(ReadOnlySpan<byte> rgba, Span<byte> destination, PackedPixelFormat format) =>
        ToPacked(rgba, destination, format, fastPaths: true);

    /// <summary><see cref="ToPacked(ReadOnlySpan{byte}, Span{byte}, PackedPixelFormat)"/>; tests compare the fast paths with the generic one.</summary>
    internal static void ToPacked(ReadOnlySpan<byte> rgba, Span<byte> destination, PackedPixelFormat format, bool fastPaths)
    {
        if (rgba.Length % 4 != 0)
        {
            throw new ArgumentException("RGBA data must be a whole number of 4-byte pixels.", nameof(rgba));
        }

        var count = rgba.Length / 4;
        var size = format.BytesPerPixel;
        if (size is not (2 or 3 or 4) || format.BitsPerPixel % 8 != 0)
        {
            throw new ArgumentException($"{format.BitsPerPixel} bits per pixel is not supported (16, 24 or 32).", nameof(format));
        }

        if (destination.Length < count * size)
        {
            throw new ArgumentException($"The destination holds {destination.Length} bytes; {count * size} are needed.", nameof(destination));
        }

        if (fastPaths && (format == PackedPixelFormat.Xrgb8888 || format == (PackedPixelFormat.Xrgb8888 with { Alpha = new(24, 8) })))
        {
            // The common 32-bit case: swap R and B; the X / alpha byte is set opaque.
            var input = MemoryMarshal.Cast<byte, uint>(rgba);
            var output = MemoryMarshal.Cast<byte, uint>(destination[..(count * 4)]);
            for (var i = 0; i < count; i++)
            {
                var p = input[i];
                output[i] = 0xFF000000u | ((p & 0xFFu) << 16) | (p & 0xFF00u) | ((p >> 16) & 0xFFu);
            }

            return;
        }

        if (fastPaths && format == PackedPixelFormat.Rgb565)
        {
            var input = MemoryMarshal.Cast<byte, uint>(rgba);
            for (var i = 0; i < count; i++)
            {
                var p = input[i];
                BinaryPrimitives.WriteUInt16LittleEndian(destination[(i * 2)..], (ushort)(((p & 0xF8u) << 8) | ((p & 0xFC00u) >> 5) | ((p >> 19) & 0x1Fu)));
            }

            return;
        }

        var alpha = format.Alpha.Length > 0 ? Mask(format.Alpha.Length) << format.Alpha.Offset : 0u;
        for (var i = 0; i < count; i++)
        {
            var value = alpha
                | (Scale(rgba[i * 4], format.Red.Length) << format.Red.Offset)
                | (Scale(rgba[(i * 4) + 1], format.Green.Length) << format.Green.Offset)
                | (Scale(rgba[(i * 4) + 2], format.Blue.Length) << format.Blue.Offset);
            var target = destination.Slice(i * size, size);
            for (var b = 0; b < size; b++)
            {
                target[b] = (byte)(value >> (8 * b));
            }
        }
    }

    /// <summary>Keeps the top <paramref name="bits"/> of an 8-bit channel.</summary>
    private static uint Scale(byte channel, int bits) => bits switch
    {
        <= 0 => 0u,
        >= 8 => (uint)channel << (bits - 8),
        _ => (uint)channel >> (8 - bits),
    };

    private static uint Mask(int bits) => bits >= 32 ? uint.MaxValue : (1u << bits) - 1;
}
