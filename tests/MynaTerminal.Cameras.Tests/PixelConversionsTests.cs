using MynaTerminal.Cameras.Imaging;

namespace MynaTerminal.Cameras.Tests;

public sealed class PixelConversionsTests
{
    /// <summary>BT.601 limited-range YUV of known colours and the BGR the integer formula gives for them.</summary>
    public static TheoryData<byte, byte, byte, byte, byte, byte> KnownColours => new()
    {
        // Y,   U,   V     →  B,   G,   R
        { 16, 128, 128, 0, 0, 0 },        // black
        { 235, 128, 128, 255, 255, 255 }, // white
        { 126, 128, 128, 128, 128, 128 }, // mid grey: (298·110 + 128) » 8 = 128
        { 81, 90, 240, 0, 0, 255 },       // red
        { 145, 54, 34, 1, 255, 0 },       // green (the rounded YUV of pure green is 1 off in blue)
        { 41, 240, 110, 255, 0, 0 },      // blue
        { 210, 16, 146, 0, 255, 255 },    // yellow
        { 0, 128, 128, 0, 0, 0 },         // below black clamps to 0
        { 255, 128, 128, 255, 255, 255 }, // above white clamps to 255
        { 255, 255, 255, 255, 125, 255 }, // every channel saturated: clamps, no wrap-around
    };

    [Theory]
    [MemberData(nameof(KnownColours))]
    public void Known_colours_convert_exactly(byte y, byte u, byte v, byte b, byte g, byte r)
    {
        byte[] yuyv = [y, u, y, v];

        var image = PixelConversions.YuyvToBgr(yuyv, 2, 1);

        Assert.Equal(new byte[] { b, g, r, b, g, r }, image.Bgr);
    }

    [Fact]
    public void Matches_a_floating_point_reference_within_one_step_for_every_luma_and_chroma()
    {
        var bgr = new byte[6];
        for (var y = 0; y < 256; y += 3)
        {
            for (var u = 0; u < 256; u += 5)
            {
                for (var v = 0; v < 256; v += 7)
                {
                    PixelConversions.YuyvToBgr([(byte)y, (byte)u, (byte)y, (byte)v], 2, 1, 0, bgr);
                    var c = 1.164383 * (y - 16);
                    AssertNear(c + (2.017232 * (u - 128)), bgr[0], y, u, v);
                    AssertNear(c - (0.391762 * (u - 128)) - (0.812968 * (v - 128)), bgr[1], y, u, v);
                    AssertNear(c + (1.596027 * (v - 128)), bgr[2], y, u, v);
                }
            }
        }
    }

    [Fact]
    public void Two_pixels_share_chroma_but_keep_their_own_luma()
    {
        byte[] yuyv = [16, 128, 235, 128];

        var image = PixelConversions.YuyvToBgr(yuyv, 2, 1);

        Assert.Equal(new byte[] { 0, 0, 0, 255, 255, 255 }, image.Bgr);
    }

    [Fact]
    public void A_quadrant_picture_survives_yuyv_with_a_padded_stride()
    {
        var original = TestImages.Quadrants(64, 48);
        var stride = (64 * 2) + 32;
        var yuyv = TestImages.ToYuyv(original, stride);
        // The padding holds junk the conversion must not read as pixels.
        for (var row = 0; row < 48; row++)
        {
            yuyv.AsSpan((row * stride) + 128, 32).Fill(0x7F);
        }

        var image = PixelConversions.YuyvToBgr(yuyv, 64, 48, stride);

        Assert.Equal((64, 48), (image.Width, image.Height));
        TestImages.AssertQuadrants(image, tolerance: 3);
    }

    [Fact]
    public void Rows_land_in_the_right_place()
    {
        // Row r has luma 16 + 20·r: each output row must be one flat grey level, increasing.
        const int width = 8;
        const int height = 6;
        var yuyv = new byte[width * 2 * height];
        for (var row = 0; row < height; row++)
        {
            for (var x = 0; x < width * 2; x += 2)
            {
                yuyv[(row * width * 2) + x] = (byte)(16 + (20 * row));
                yuyv[(row * width * 2) + x + 1] = 128;
            }
        }

        var image = PixelConversions.YuyvToBgr(yuyv, width, height);

        for (var row = 0; row < height; row++)
        {
            var expected = (byte)(((298 * 20 * row) + 128) >> 8);
            Assert.All(image.Bgr.AsSpan(row * width * 3, width * 3).ToArray(), b => Assert.Equal(expected, b));
        }
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PixelConversions.YuyvToBgr(new byte[12], 3, 1));
        Assert.Throws<ArgumentException>(() => PixelConversions.YuyvToBgr(new byte[15], 4, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => PixelConversions.YuyvToBgr(new byte[64], 4, 2, 6));
        Assert.Throws<ArgumentException>(() => PixelConversions.YuyvToBgr(new byte[16], 4, 2, 0, new byte[23]));
    }

    [Fact]
    public void Swap_red_blue_turns_rgb_into_bgr()
    {
        byte[] pixels = [1, 2, 3, 4, 5, 6];

        PixelConversions.SwapRedBlue(pixels);

        Assert.Equal(new byte[] { 3, 2, 1, 6, 5, 4 }, pixels);
    }

    private static void AssertNear(double reference, byte actual, int y, int u, int v)
    {
        var expected = Math.Clamp(reference, 0, 255);
        Assert.True(Math.Abs(expected - actual) <= 1.0, $"YUV ({y},{u},{v}): {actual} vs reference {expected:0.00}");
    }
}
