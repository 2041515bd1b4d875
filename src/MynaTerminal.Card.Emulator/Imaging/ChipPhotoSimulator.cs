using MynaTerminal.Card.Imaging;
using MynaTerminal.Core.Devices;

namespace MynaTerminal.Card.Emulator.Imaging;

/// <summary>
/// Turns an ordinary portrait into a card-like chip photo (券面AP DF27): a head-and-shoulders crop around the face,
/// greyscale, small, JPEG 2000 at a few KB — what a real card holds (card-protocol.md §4.2: greyscale JP2; exact size
/// unverified). Used by the emulator to give a persona a real face, and by <c>mynaterm face eval --chip-sim</c>.
/// </summary>
public static class ChipPhotoSimulator
{
    /// <summary>Chip photo size: 3:4 portrait, about the face width real card photos give.</summary>
    public const int Width = 96;

    public const int Height = 128;

    /// <summary>Share of the photo's width the face box takes (passport-style framing).</summary>
    public const double FaceWidthShare = 0.55;

    /// <summary>Where the face box's centre sits, as a share of the photo height from the top.</summary>
    public const double FaceCentreHeight = 0.48;

    /// <summary>The card's JPEG 2000 size budget (the emulator's card uses the same).</summary>
    public const int TargetBytes = CardContentBuilder.PhotoTargetBytes;

    /// <summary>The portrait cropped around <paramref name="face"/> and scaled to <see cref="Width"/>×<see cref="Height"/> grey.</summary>
    public static GreyImage FromPortrait(FaceImage portrait, PixelRectangle face)
    {
        ArgumentNullException.ThrowIfNull(portrait);
        if (face.Width <= 0 || face.Height <= 0)
        {
            throw new ArgumentException("The face box is empty.", nameof(face));
        }

        var cropWidth = face.Width / FaceWidthShare;
        var cropHeight = cropWidth * Height / Width;
        var left = face.X + (face.Width / 2.0) - (cropWidth / 2);
        var top = face.Y + (face.Height / 2.0) - (cropHeight * FaceCentreHeight);
        var step = cropWidth / Width;
        var grey = new GreyImage(Width, Height);
        for (var v = 0; v < Height; v++)
        {
            for (var u = 0; u < Width; u++)
            {
                // Area-average the source pixels under this output pixel (the crop shrinks a lot).
                var x0 = left + (u * step);
                var y0 = top + (v * step);
                grey[u, v] = AverageLuma(portrait, x0, y0, step);
            }
        }

        return grey;
    }

    /// <summary>Encodes at the card's budget and decodes again through the terminal's own decoder.</summary>
    public static (FaceImage Image, int Bytes) RoundTrip(GreyImage photo, int targetBytes = TargetBytes)
    {
        var jp2 = Jpeg2000Encoder.EncodeGrey(photo, targetBytes);
        return Jpeg2000Decoder.Decode(jp2) switch
        {
            Jpeg2000DecodeResult.Decoded d => (d.Image, jp2.Length),
            Jpeg2000DecodeResult.Failed f => throw new InvalidOperationException("The simulated chip photo did not decode: " + f.Reason),
            _ => throw new InvalidOperationException("Unexpected decode result."),
        };
    }

    private static byte AverageLuma(FaceImage image, double x0, double y0, double size)
    {
        var xs = (int)Math.Floor(x0);
        var ys = (int)Math.Floor(y0);
        var xe = Math.Max(xs + 1, (int)Math.Ceiling(x0 + size));
        var ye = Math.Max(ys + 1, (int)Math.Ceiling(y0 + size));
        long sum = 0;
        var count = 0;
        for (var y = ys; y < ye; y++)
        {
            for (var x = xs; x < xe; x++)
            {
                // Outside the portrait: a light studio background, as card photos have.
                if ((uint)x >= (uint)image.Width || (uint)y >= (uint)image.Height)
                {
                    sum += 230 * 1000;
                }
                else
                {
                    var i = ((y * image.Width) + x) * 3;
                    sum += (114 * image.Bgr[i]) + (587 * image.Bgr[i + 1]) + (299 * image.Bgr[i + 2]);
                }

                count++;
            }
        }

        return (byte)Math.Clamp((sum / count + 500) / 1000, 0, 255);
    }
}
