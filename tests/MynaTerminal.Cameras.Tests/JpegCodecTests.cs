using MynaTerminal.Cameras.Imaging;
using MynaTerminal.Core.Devices;

namespace MynaTerminal.Cameras.Tests;

/// <summary>The libturbojpeg binding, checked by round trips through the real library.</summary>
public sealed class JpegCodecTests
{
    private const string FacesFolder = "/work/shared/faces";

    [Fact]
    public void Round_trip_keeps_size_and_colours_in_the_right_channels()
    {
        var original = TestImages.Quadrants(640, 480);
        var jpeg = Jpeg.EncodeBgr(original, 95, JpegSubsampling.Yuv444);

        Assert.Equal([0xFF, 0xD8], jpeg[..2]);
        Assert.Equal([0xFF, 0xD9], jpeg[^2..]);
        var decoded = Jpeg.DecodeBgr(jpeg);

        Assert.Equal(640, decoded.Width);
        Assert.Equal(480, decoded.Height);
        Assert.Equal(640 * 480 * 3, decoded.Bgr.Length);
        // Red stays red: a swapped BGR/RGB pixel format in the binding would turn it blue.
        TestImages.AssertQuadrants(decoded, tolerance: 6);
    }

    [Fact]
    public void Encoder_and_decoder_agree_with_an_independent_jpeg_decoder()
    {
        // A round trip through one binding cannot see a channel swap made twice; StbImageSharp's own JPEG decoder
        // (RGB order) can.
        var jpeg = Jpeg.EncodeBgr(TestImages.Quadrants(64, 48), 95, JpegSubsampling.Yuv444);

        var stb = StbImageSharp.ImageResult.FromMemory(jpeg, StbImageSharp.ColorComponents.RedGreenBlue);
        var turbo = Jpeg.DecodeBgr(jpeg);

        Assert.Equal((64, 48), (stb.Width, stb.Height));
        var topLeft = ((8 * 64) + 8) * 3;
        Assert.InRange(stb.Data[topLeft], 245, 255);   // R of the red quadrant, first in RGB
        Assert.InRange(stb.Data[topLeft + 2], 0, 10);  // B
        for (var i = 0; i < stb.Data.Length; i += 3)
        {
            Assert.InRange(turbo.Bgr[i] - stb.Data[i + 2], -4, 4);
            Assert.InRange(turbo.Bgr[i + 2] - stb.Data[i], -4, 4);
        }
    }

    [Theory]
    [InlineData(JpegSubsampling.Yuv420)]
    [InlineData(JpegSubsampling.Yuv422)]
    [InlineData(JpegSubsampling.Yuv444)]
    public void Every_chroma_subsampling_decodes_and_reports_itself_in_the_header(JpegSubsampling subsampling)
    {
        var jpeg = Jpeg.EncodeBgr(TestImages.Quadrants(96, 64), 90, subsampling);

        var info = Jpeg.ReadHeader(jpeg);

        Assert.Equal(new JpegInfo(96, 64, subsampling), info);
        TestImages.AssertQuadrants(Jpeg.DecodeBgr(jpeg), tolerance: 12);
    }

    [Fact]
    public void Greyscale_jpeg_decodes_to_three_equal_channels()
    {
        var jpeg = Jpeg.EncodeBgr(TestImages.Solid(32, 32, Bgr.Yellow), 95, JpegSubsampling.Gray);

        var image = Jpeg.DecodeBgr(jpeg);

        var pixel = TestImages.At(image, 16, 16);
        Assert.Equal(pixel.B, pixel.G);
        Assert.Equal(pixel.G, pixel.R);
        Assert.InRange(pixel.G, 200, 240); // the luma of yellow (BT.601 ≈ 226)
    }

    [Theory]
    [InlineData(JpegScale.Half, 320, 240)]
    [InlineData(JpegScale.Quarter, 160, 120)]
    [InlineData(JpegScale.Eighth, 80, 60)]
    public void Decode_scaling_gives_the_smaller_size_with_the_same_picture(JpegScale scale, int width, int height)
    {
        var jpeg = TestImages.Jpeg(TestImages.Quadrants(640, 480));

        var image = Jpeg.DecodeBgr(jpeg, scale);

        Assert.Equal((width, height), (image.Width, image.Height));
        Assert.Equal(width * height * 3, image.Bgr.Length);
        TestImages.AssertQuadrants(image, tolerance: 12);
    }

    [Fact]
    public void Scaled_size_rounds_up_like_TJSCALED()
    {
        Assert.Equal((321, 241), JpegCodec.ScaledSize(641, 481, JpegScale.Half));
        Assert.Equal((161, 121), JpegCodec.ScaledSize(641, 481, JpegScale.Quarter));
        var image = Jpeg.DecodeBgr(TestImages.Jpeg(TestImages.Quadrants(641, 481)), JpegScale.Quarter);
        Assert.Equal((161, 121), (image.Width, image.Height));
    }

    [Fact]
    public void Progressive_jpeg_decodes()
    {
        using var codec = new JpegCodec();
        var jpeg = codec.EncodeBgr(TestImages.Quadrants(64, 48), 90, JpegSubsampling.Yuv444, progressive: true);

        Assert.True(CountMarkers(jpeg, 0xDA) > 1, "a progressive JPEG has several scans");
        TestImages.AssertQuadrants(codec.DecodeBgr(jpeg), tolerance: 10);
    }

    [Fact]
    public void One_codec_decodes_and_encodes_many_frames()
    {
        using var codec = new JpegCodec();
        for (var i = 0; i < 20; i++)
        {
            var colour = TestImages.FrameColour(i);
            var image = codec.DecodeBgr(codec.EncodeBgr(TestImages.Solid(40, 30, colour), 95, JpegSubsampling.Yuv444));
            TestImages.AssertColour(colour, image, 20, 15, tolerance: 4);
        }
    }

    [Fact]
    public void Truncated_jpeg_is_a_decode_exception_not_a_grey_image()
    {
        var jpeg = TestImages.Jpeg(TestImages.Quadrants(320, 240));
        var truncated = jpeg[..(jpeg.Length / 2)];

        var error = Assert.Throws<ImageDecodeException>(() => Jpeg.DecodeBgr(truncated));

        Assert.Contains("Premature end", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("320x240", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_warning_is_accepted_only_when_asked()
    {
        // Junk between two header segments: libjpeg warns "Corrupt JPEG data: 3 extraneous bytes before marker
        // 0xc0" (some USB cameras make it warn on every frame) and decodes the image anyway.
        var jpeg = TestImages.Jpeg(TestImages.Quadrants(64, 48));
        var sof = IndexOfMarker(jpeg, 0xC0);
        byte[] junk = [.. jpeg[..sof], 0x11, 0x22, 0x33, .. jpeg[sof..]];

        using var strict = new JpegCodec();
        var error = Assert.Throws<ImageDecodeException>(() => strict.DecodeBgr(junk));
        Assert.Contains("extraneous bytes before marker 0xc0", error.Message, StringComparison.Ordinal);

        using var tolerant = new JpegCodec { AcceptWarnings = true };
        TestImages.AssertQuadrants(tolerant.DecodeBgr(junk), tolerance: 10);
        Assert.Equal(new JpegInfo(64, 48, JpegSubsampling.Yuv444), tolerant.ReadHeader(junk));

        // A truncated frame is a warning too ("Premature end of JPEG file"): tolerant decoding returns the image,
        // the missing part filled in by libjpeg.
        var truncated = TestImages.Jpeg(TestImages.Quadrants(320, 240))[..^200];
        Assert.Equal((320, 240), (tolerant.DecodeBgr(truncated).Width, tolerant.DecodeBgr(truncated).Height));
    }

    [Fact]
    public void A_codec_keeps_working_after_bad_input()
    {
        // TurboJPEG 2.x leaves a handle broken after a failed header read; the codec replaces it.
        using var codec = new JpegCodec();
        var good = TestImages.Jpeg(TestImages.Quadrants(32, 24));
        byte[] bogus = [0xFF, 0xD8, 0xFF, 0xDB, 0x00, 0x04, 0x01, 0x02, 0xFF, 0xDA, 0x00, 0x02, 0x55, 0xFF, 0xD9];

        for (var i = 0; i < 3; i++)
        {
            Assert.Throws<ImageDecodeException>(() => codec.DecodeBgr(bogus));
            TestImages.AssertQuadrants(codec.DecodeBgr(good), tolerance: 10);
            Assert.Throws<ImageDecodeException>(() => codec.ReadHeader(bogus));
            Assert.Equal(32, codec.ReadHeader(good).Width);
            Assert.Throws<ImageDecodeException>(() => codec.DecodeBgr(good[..^100]));
            TestImages.AssertQuadrants(codec.DecodeBgr(good), tolerance: 10);
        }
    }

    [Theory]
    [InlineData(new byte[0], "only 0 bytes")]
    [InlineData(new byte[] { 0xFF, 0xD8 }, "only 2 bytes")]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A }, "starts with 89 50")]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46 }, "header is incomplete")]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xDB, 0x00, 0x04, 0x01, 0x02, 0xFF, 0xDA, 0x00, 0x02, 0x55, 0xFF, 0xD9 }, "Bogus marker length")]
    public void Not_a_jpeg_says_why(byte[] data, string expected)
    {
        var error = Assert.Throws<ImageDecodeException>(() => Jpeg.DecodeBgr(data));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Absurd_dimensions_are_refused_before_any_pixels_are_allocated()
    {
        var jpeg = TestImages.Jpeg(TestImages.Solid(16, 16, Bgr.Grey));
        var sof = IndexOfMarker(jpeg, 0xC0);
        // SOF0: FF C0, length(2), precision(1), height(2), width(2)
        jpeg[sof + 5] = 0x40;
        jpeg[sof + 6] = 0x00;
        jpeg[sof + 7] = 0x40;
        jpeg[sof + 8] = 0x00;

        var error = Assert.Throws<ImageDecodeException>(() => Jpeg.DecodeBgr(jpeg));

        // libjpeg itself would accept 16384x16384 (its limit is 65500) and ask for 768 MiB.
        Assert.Contains("16384x16384 are outside the accepted range", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Damaged_bytes_anywhere_give_an_image_or_a_decode_exception_never_a_crash()
    {
        var jpeg = TestImages.Jpeg(TestImages.Quadrants(64, 48), quality: 80);
        var random = new Random(1234);
        var failures = 0;
        using var codec = new JpegCodec();
        for (var round = 0; round < 400; round++)
        {
            var damaged = (byte[])jpeg.Clone();
            for (var k = 0; k < 1 + (round % 4); k++)
            {
                damaged[random.Next(2, damaged.Length)] = (byte)random.Next(256);
            }

            if (round % 5 == 0)
            {
                damaged = damaged[..random.Next(2, damaged.Length)];
            }

            try
            {
                var image = codec.DecodeBgr(damaged);
                Assert.Equal(image.Width * image.Height * 3, image.Bgr.Length);
            }
            catch (ImageDecodeException)
            {
                failures++;
            }
        }

        Assert.InRange(failures, 1, 400);
    }

    [Fact]
    public void Encode_checks_its_arguments()
    {
        var image = TestImages.Solid(8, 8, Bgr.Grey);
        Assert.Throws<ArgumentOutOfRangeException>(() => Jpeg.EncodeBgr(image, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Jpeg.EncodeBgr(image, 101));
        Assert.Throws<ArgumentException>(() => Jpeg.EncodeBgr(new FaceImage(8, 8, new byte[10]), 90));
    }

    [Fact]
    public void Quality_changes_the_size()
    {
        var image = TestImages.Quadrants(320, 240);
        for (var i = 0; i < image.Bgr.Length; i += 7)
        {
            image.Bgr[i] ^= 0x3F; // texture, so quality matters
        }

        Assert.True(Jpeg.EncodeBgr(image, 30).Length < Jpeg.EncodeBgr(image, 95).Length);
    }

    [Fact]
    public void A_disposed_codec_refuses_work()
    {
        var codec = new JpegCodec();
        var jpeg = codec.EncodeBgr(TestImages.Solid(8, 8, Bgr.Grey));
        codec.Dispose();
        codec.Dispose();

        Assert.Throws<ObjectDisposedException>(() => codec.DecodeBgr(jpeg));
    }

    [Fact]
    public void A_real_camera_photo_decodes()
    {
        var photo = Directory.Exists(FacesFolder)
            ? Directory.EnumerateFiles(FacesFolder, "*.jp*g", SearchOption.AllDirectories).Order(StringComparer.Ordinal).FirstOrDefault()
            : null;
        Assert.SkipWhen(photo is null, $"No JPEG photos under {FacesFolder} on this machine.");

        var bytes = File.ReadAllBytes(photo!);
        var info = Jpeg.ReadHeader(bytes);
        var image = Jpeg.DecodeBgr(bytes);
        var half = Jpeg.DecodeBgr(bytes, JpegScale.Half);

        Assert.Equal((info.Width, info.Height), (image.Width, image.Height));
        Assert.Equal(JpegCodec.ScaledSize(info.Width, info.Height, JpegScale.Half), (half.Width, half.Height));
        // A photo is not one flat colour.
        Assert.True(image.Bgr.Distinct().Count() > 50, $"{photo} decoded to a nearly flat image");
        image.Clear();
        Assert.All(image.Bgr, b => Assert.Equal(0, b));
    }

    internal static int IndexOfMarker(byte[] jpeg, byte marker)
    {
        for (var i = 0; i < jpeg.Length - 1; i++)
        {
            if (jpeg[i] == 0xFF && jpeg[i + 1] == marker)
            {
                return i;
            }
        }

        throw new InvalidOperationException($"marker FF {marker:X2} not found");
    }

    private static int CountMarkers(byte[] jpeg, byte marker)
    {
        var count = 0;
        for (var i = 0; i < jpeg.Length - 1; i++)
        {
            if (jpeg[i] == 0xFF && jpeg[i + 1] == marker)
            {
                count++;
            }
        }

        return count;
    }
}
