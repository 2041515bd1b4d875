using System.Buffers.Binary;
using System.IO.Compression;
using MynaTerminal.Card.Emulator;
using MynaTerminal.Card.Emulator.Imaging;
using MynaTerminal.Card.Imaging;

namespace MynaTerminal.Card.Tests;

public sealed class Jpeg2000Tests
{
    [Fact]
    public void Native_layouts_match_OpenJPEG_2_5_on_64_bit_Linux()
    {
        Assert.Equal(48, System.Runtime.InteropServices.Marshal.SizeOf<Jpeg2000Decoder.OpjImage>());
        Assert.Equal(64, System.Runtime.InteropServices.Marshal.SizeOf<Jpeg2000Decoder.OpjImageComp>());
    }

    [Fact]
    public void Lossless_round_trip_is_bit_exact()
    {
        var face = SyntheticFace.Generate("round-trip");
        var jp2 = Jpeg2000Encoder.EncodeGrey(face);
        Assert.True(Jpeg2000Decoder.LooksLikeJpeg2000(jp2));
        var decoded = Assert.IsType<Jpeg2000DecodeResult.Decoded>(Jpeg2000Decoder.Decode(jp2));
        Assert.Equal(1, decoded.Components);
        Assert.Equal(face.Width, decoded.Image.Width);
        Assert.Equal(face.Height, decoded.Image.Height);
        Assert.Equal(face.Pixels, GreyImage.FromFaceImage(decoded.Image).Pixels);
    }

    [Fact]
    public void Lossy_photo_is_small_and_close()
    {
        var face = SyntheticFace.Generate("lossy");
        var jp2 = Jpeg2000Encoder.EncodeGrey(face, 2000);
        Assert.InRange(jp2.Length, 500, 2600);
        var decoded = Assert.IsType<Jpeg2000DecodeResult.Decoded>(Jpeg2000Decoder.Decode(jp2));
        var grey = GreyImage.FromFaceImage(decoded.Image);
        var meanError = face.Pixels.Zip(grey.Pixels, (a, b) => Math.Abs(a - b)).Average();
        Assert.True(meanError < 6, $"mean absolute error {meanError:F2}");
    }

    [Fact]
    public void A_given_photo_of_another_size_is_encoded_as_given()
    {
        var photo = new GreyImage(150, 200);
        for (var i = 0; i < photo.Pixels.Length; i++)
        {
            photo.Pixels[i] = (byte)(i % 200);
        }

        var card = new VirtualCard(VirtualCardPersonas.Normal with { Id = "given-photo", Photo = photo });
        var decoded = Assert.IsType<Jpeg2000DecodeResult.Decoded>(Jpeg2000Decoder.Decode(card.PhotoJp2));
        Assert.Equal((150, 200), (decoded.Image.Width, decoded.Image.Height));
        Assert.InRange(card.PhotoJp2!.Length, 500, 2600);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0102030405")]
    [InlineData("89504E470D0A1A0A")]
    public void Non_JPEG_2000_is_refused(string hex)
    {
        var failed = Assert.IsType<Jpeg2000DecodeResult.Failed>(Jpeg2000Decoder.Decode(Hex.Bytes(hex)));
        Assert.Contains("not JPEG 2000", failed.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_or_corrupted_JPEG_2000_fails_without_crashing()
    {
        var jp2 = Jpeg2000Encoder.EncodeGrey(SyntheticFace.Generate("broken"), 2000);
        foreach (var length in new[] { 12, 40, 100, jp2.Length / 2 })
        {
            Assert.IsType<Jpeg2000DecodeResult.Failed>(Jpeg2000Decoder.Decode(jp2.AsSpan(0, length)));
        }

        var corrupted = jp2.ToArray();
        corrupted.AsSpan(60, 200).Fill(0xFF);
        Assert.NotNull(Jpeg2000Decoder.Decode(corrupted)); // either outcome, never an exception
    }

    [Fact]
    public void Synthetic_faces_are_deterministic_per_persona()
    {
        Assert.Equal(SyntheticFace.Generate("normal").Pixels, SyntheticFace.Generate("normal").Pixels);
        Assert.NotEqual(SyntheticFace.Generate("normal").Pixels, SyntheticFace.Generate("expiring").Pixels);
        var face = SyntheticFace.Generate("normal");
        Assert.Equal((96, 120), (face.Width, face.Height));
        Assert.True(face.Pixels.Max() - face.Pixels.Min() > 150); // real contrast, not a flat image
    }
}

public sealed class RenderingTests
{
    [Fact]
    public void Card_face_shows_the_matching_number_digits_where_the_layout_says()
    {
        var card = VirtualCard.Create("normal");
        var face = card.RenderCardFace();
        Assert.Equal((CardFaceRenderer.Width, CardFaceRenderer.Height), (face.Image.Width, face.Image.Height));
        Assert.Equal("60040120340427", face.MatchingNumberB);
        foreach (var area in new[] { face.Layout.BirthDigits, face.Layout.ExpiryYearDigits, face.Layout.SecurityCodeDigits })
        {
            var ink = 0;
            for (var y = area.Y; y < area.Y + area.Height; y++)
            {
                for (var x = area.X; x < area.X + area.Width; x++)
                {
                    ink += face.Image[x, y] < 50 ? 1 : 0;
                }
            }

            Assert.True(ink > area.Width * area.Height / 8, $"{area} has {ink} dark pixels");
        }

        Assert.Equal(6 * 18 - 3, face.Layout.BirthDigits.Width);
        var bgr = face.ToFaceImage("card-face:normal");
        Assert.Equal(face.Image.Width * face.Image.Height * 3, bgr.Bgr.Length);
        Assert.Equal(card.Photo![10, 10], face.Image[face.Layout.Photo.X + 10, face.Layout.Photo.Y + 10]);
    }

    [Fact]
    public void Font_draws_digits_differently()
    {
        var rendered = "0123456789".Select(c => BitmapFont5x7.Render(c.ToString(), 1, 0).Pixels).ToList();
        Assert.Equal(10, rendered.Select(Convert.ToHexString).Distinct().Count());
        Assert.True(BitmapFont5x7.CanDraw('a'));
        Assert.False(BitmapFont5x7.CanDraw('あ'));
        Assert.Equal(5 * 3, BitmapFont5x7.MeasureWidth("7", 3));
    }

    [Fact]
    public void Png_is_well_formed_1_bit_greyscale()
    {
        var image = BitmapFont5x7.Render("AB", 1);
        var png = Png.EncodeGrey(image, bitDepth: 1);
        Assert.Equal("89504E470D0A1A0A", Convert.ToHexString(png, 0, 8));
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(png, 12, 4));
        Assert.Equal(image.Width, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
        Assert.Equal(image.Height, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
        Assert.Equal(1, png[24]);

        var idatLength = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(33));
        Assert.Equal("IDAT", System.Text.Encoding.ASCII.GetString(png, 37, 4));
        using var inflate = new ZLibStream(new MemoryStream(png, 41, idatLength), CompressionMode.Decompress);
        using var raw = new MemoryStream();
        inflate.CopyTo(raw);
        var rowBytes = (image.Width + 7) / 8;
        Assert.Equal((rowBytes + 1) * image.Height, raw.Length);
        Assert.EndsWith("49454E44AE426082", Convert.ToHexString(png), StringComparison.Ordinal); // IEND + its CRC
    }
}
