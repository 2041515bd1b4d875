using System.Buffers.Binary;
using MynaTerminal.Core.Devices;

namespace MynaTerminal.Cameras.Imaging;

/// <summary>
/// EXIF orientation (tag 0x0112) of a JPEG and the turn that puts the picture upright. Phones and some cameras store
/// pixels sideways and say so in EXIF; face detectors expect upright faces (OpenCV's <c>imread</c> applies it too).
/// </summary>
public static class ExifOrientation
{
    /// <summary>1 (upright) … 8; 1 when the JPEG has no readable EXIF orientation.</summary>
    public static int Read(ReadOnlySpan<byte> jpeg)
    {
        if (jpeg.Length < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8)
        {
            return 1;
        }

        var i = 2;
        while (i + 4 <= jpeg.Length && jpeg[i] == 0xFF)
        {
            var marker = jpeg[i + 1];
            if (marker is 0xDA or 0xD9)
            {
                break; // start of scan: no more metadata
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(jpeg[(i + 2)..]);
            if (length < 2 || i + 2 + length > jpeg.Length)
            {
                break;
            }

            var segment = jpeg.Slice(i + 4, length - 2);
            if (marker == 0xE1 && segment.StartsWith("Exif\0\0"u8))
            {
                return FromTiff(segment[6..]);
            }

            i += 2 + length;
        }

        return 1;
    }

    private static int FromTiff(ReadOnlySpan<byte> tiff)
    {
        if (tiff.Length < 8)
        {
            return 1;
        }

        var little = tiff[0] == (byte)'I' && tiff[1] == (byte)'I';
        if (!little && !(tiff[0] == (byte)'M' && tiff[1] == (byte)'M'))
        {
            return 1;
        }

        var ifd = U32(tiff, 4, little);
        if (ifd > (uint)(tiff.Length - 2))
        {
            return 1;
        }

        var entries = U16(tiff, (int)ifd, little);
        for (var e = 0; e < entries; e++)
        {
            var at = (int)ifd + 2 + (12 * e);
            if (at + 12 > tiff.Length)
            {
                break;
            }

            if (U16(tiff, at, little) == 0x0112 && U16(tiff, at + 2, little) == 3)
            {
                var value = U16(tiff, at + 8, little);
                return value is >= 1 and <= 8 ? value : 1;
            }
        }

        return 1;
    }

    private static ushort U16(ReadOnlySpan<byte> b, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt16LittleEndian(b[at..]) : BinaryPrimitives.ReadUInt16BigEndian(b[at..]);

    private static uint U32(ReadOnlySpan<byte> b, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt32LittleEndian(b[at..]) : BinaryPrimitives.ReadUInt32BigEndian(b[at..]);

    /// <summary>The image turned upright for <paramref name="orientation"/> (a new image; 1 returns the same one).</summary>
    public static FaceImage Apply(FaceImage image, int orientation)
    {
        if (orientation is < 2 or > 8)
        {
            return image;
        }

        var w = image.Width;
        var h = image.Height;
        var transposed = orientation >= 5;
        var (outW, outH) = transposed ? (h, w) : (w, h);
        var output = new byte[image.Bgr.Length];
        for (var y = 0; y < outH; y++)
        {
            for (var x = 0; x < outW; x++)
            {
                // Where output pixel (x, y) comes from in the stored image (EXIF 2.3, tag 274).
                var (sx, sy) = orientation switch
                {
                    2 => (w - 1 - x, y),
                    3 => (w - 1 - x, h - 1 - y),
                    4 => (x, h - 1 - y),
                    5 => (y, x),
                    6 => (y, h - 1 - x),
                    7 => (w - 1 - y, h - 1 - x),
                    _ => (w - 1 - y, x),
                };
                image.Bgr.AsSpan(((sy * w) + sx) * 3, 3).CopyTo(output.AsSpan(((y * outW) + x) * 3, 3));
            }
        }

        return new FaceImage(outW, outH, output);
    }
}
