using MynaTerminal.Panel.Rendering;

namespace MynaTerminal.Panel.Tests;

public sealed class PixelConverterTests
{
    private static readonly byte[] Rgba =
    [
        255, 0, 0, 255,
        0, 255, 0, 255,
        0, 0, 255, 255,
        255, 255, 255, 255,
        0x12, 0x34, 0x56, 255,
        0x80, 0x40, 0x20, 255,
    ];

    [Fact]
    public void Rgb565_big_endian_of_known_colours()
    {
        var output = new byte[Rgba.Length / 2];
        PixelConverter.ToRgb565BigEndian(Rgba, output);
        // 0x80,0x40,0x20 → r 16, g 16, b 4 → 0x8204.
        Assert.Equal(new byte[] { 0xF8, 0x00, 0x07, 0xE0, 0x00, 0x1F, 0xFF, 0xFF, 0x11, 0xAA, 0x82, 0x04 }, output);
    }

    [Fact]
    public void Rgb565_refuses_a_short_destination_and_partial_pixels()
    {
        Assert.Throws<ArgumentException>(() => PixelConverter.ToRgb565BigEndian(Rgba, new byte[11]));
        Assert.Throws<ArgumentException>(() => PixelConverter.ToRgb565BigEndian(Rgba.AsSpan(0, 6), new byte[4]));
    }

    [Fact]
    public void Framebuffer_formats_store_little_endian_at_the_reported_offsets()
    {
        var pixel = new byte[] { 0x12, 0x34, 0x56, 255 };

        Assert.Equal(new byte[] { 0xAA, 0x11 }, Convert(pixel, PackedPixelFormat.Rgb565));
        Assert.Equal(new byte[] { 0x56, 0x34, 0x12, 0xFF }, Convert(pixel, PackedPixelFormat.Xrgb8888));
        Assert.Equal(new byte[] { 0x56, 0x34, 0x12, 0xFF }, Convert(pixel, PackedPixelFormat.Xrgb8888 with { Alpha = new(24, 8) }));
        Assert.Equal(new byte[] { 0x56, 0x34, 0x12 }, Convert(pixel, PackedPixelFormat.Rgb888));

        // XBGR8888 (red in the low byte), with alpha: the generic path.
        var xbgr = new PackedPixelFormat(32, new(0, 8), new(8, 8), new(16, 8), new(24, 8));
        Assert.Equal(new byte[] { 0x12, 0x34, 0x56, 0xFF }, Convert(pixel, xbgr));

        // BGR565 (blue in the high bits) and RGB555.
        var bgr565 = new PackedPixelFormat(16, new(0, 5), new(5, 6), new(11, 5), default);
        Assert.Equal((ushort)((0x0A << 11) | (0x0D << 5) | 0x02), BitConverter.ToUInt16(Convert(pixel, bgr565)));
        var rgb555 = new PackedPixelFormat(16, new(10, 5), new(5, 5), new(0, 5), default);
        Assert.Equal((ushort)((0x02 << 10) | (0x06 << 5) | 0x0A), BitConverter.ToUInt16(Convert(pixel, rgb555)));
    }

    [Fact]
    public void The_fast_paths_agree_with_the_generic_path()
    {
        var random = new Random(7);
        var rgba = new byte[4 * 1000];
        random.NextBytes(rgba);
        for (var i = 3; i < rgba.Length; i += 4)
        {
            rgba[i] = 255;
        }

        foreach (var format in new[] { PackedPixelFormat.Rgb565, PackedPixelFormat.Xrgb8888 with { Alpha = new(24, 8) } })
        {
            var fast = new byte[1000 * format.BytesPerPixel];
            PixelConverter.ToPacked(rgba, fast, format);
            var generic = new byte[fast.Length];
            PixelConverter.ToPacked(rgba, generic, format, fastPaths: false);
            Assert.Equal(fast, generic);
        }
    }

    [Fact]
    public void Unsupported_depths_are_refused()
    {
        var eightBit = new PackedPixelFormat(8, new(5, 3), new(2, 3), new(0, 2), default);
        Assert.Throws<ArgumentException>(() => PixelConverter.ToPacked(Rgba, new byte[100], eightBit));
    }

    [Fact]
    public void Changed_rows_finds_the_band()
    {
        var before = new byte[10 * 4];
        var after = (byte[])before.Clone();
        Assert.Equal((-1, -1), FrameDiff.ChangedRows(before, after, 4));
        after[(3 * 4) + 1] = 1;
        Assert.Equal((3, 3), FrameDiff.ChangedRows(before, after, 4));
        after[(7 * 4) + 3] = 1;
        Assert.Equal((3, 7), FrameDiff.ChangedRows(before, after, 4));
        after[0] = 1;
        after[^1] = 1;
        Assert.Equal((0, 9), FrameDiff.ChangedRows(before, after, 4));
    }

    private static byte[] Convert(byte[] rgba, PackedPixelFormat format)
    {
        var output = new byte[rgba.Length / 4 * format.BytesPerPixel];
        PixelConverter.ToPacked(rgba, output, format);
        return output;
    }
}
