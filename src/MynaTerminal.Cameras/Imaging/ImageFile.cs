using System.Buffers.Binary;
using MynaTerminal.Core.Devices;
using StbImageSharp;

namespace MynaTerminal.Cameras.Imaging;

/// <summary>
/// Loads still images from disk as 8-bit BGR: JPEG through libturbojpeg (turned upright by its EXIF orientation), PNG
/// and BMP through StbImageSharp.
/// </summary>
public static class ImageFile
{
    /// <summary>Largest image file read (a face photo is far smaller; this only stops a mistaken path from filling memory).</summary>
    public const long MaxFileBytes = 64L * 1024 * 1024;

    /// <summary>The extensions <see cref="Load"/> accepts (lower case, with the dot).</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".jpg", ".jpeg", ".png", ".bmp"];

    /// <summary>True when the file name has one of <see cref="Extensions"/> (case-insensitive).</summary>
    public static bool HasImageExtension(string path) =>
        Extensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Loads a .jpg/.jpeg, .png or .bmp file. The content decides the decoder (a PNG named .jpg still loads); the
    /// extension must be one of <see cref="Extensions"/>. Every failure — missing or unreadable file, unknown
    /// format, corrupt data — is an <see cref="ImageDecodeException"/> whose message names the path. The file's
    /// bytes are wiped from memory after decoding.
    /// </summary>
    public static FaceImage Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!HasImageExtension(path))
        {
            var extension = Path.GetExtension(path);
            throw ImageDecodeException.ForFile(
                path, $"unsupported image format '{(extension.Length == 0 ? "(no extension)" : extension)}' (supported: {string.Join(", ", Extensions)}).");
        }

        var bytes = ReadFile(path);
        try
        {
            return Decode(path, bytes);
        }
        finally
        {
            Array.Clear(bytes);
        }
    }

    private static byte[] ReadFile(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
            var length = stream.Length;
            if (length > MaxFileBytes)
            {
                throw ImageDecodeException.ForFile(path, $"the file is {length} bytes; images larger than {MaxFileBytes} bytes are refused.");
            }

            var bytes = new byte[length];
            stream.ReadExactly(bytes);
            return bytes;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw ImageDecodeException.ForFile(path, "the file does not exist.", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw ImageDecodeException.ForFile(path, "permission denied (check the file's owner and mode).", ex);
        }
        catch (IOException ex)
        {
            throw ImageDecodeException.ForFile(path, $"the file cannot be read: {ex.Message}", ex);
        }
    }

    private static FaceImage Decode(string path, byte[] bytes)
    {
        ReadOnlySpan<byte> png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        if (bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8]))
        {
            try
            {
                // Upright, as the photographer meant it (EXIF orientation), like OpenCV's imread.
                var stored = Jpeg.DecodeBgr(bytes);
                var upright = ExifOrientation.Apply(stored, ExifOrientation.Read(bytes));
                if (!ReferenceEquals(upright, stored))
                {
                    stored.Clear();
                }

                return upright;
            }
            catch (ImageDecodeException ex)
            {
                throw ImageDecodeException.ForFile(path, ex.Message, ex);
            }
        }

        if (bytes.AsSpan().StartsWith(png) || bytes.AsSpan().StartsWith("BM"u8))
        {
            return DecodeWithStb(path, bytes);
        }

        var start = Convert.ToHexString(bytes.AsSpan(0, Math.Min(8, bytes.Length)));
        throw ImageDecodeException.ForFile(
            path, bytes.Length == 0 ? "the file is empty." : $"the content is not a JPEG, PNG or BMP image (it starts with {start}).");
    }

    private static FaceImage DecodeWithStb(string path, byte[] bytes)
    {
        if (bytes[0] == (byte)'B' && TruncatedBmp(bytes) is { } problem)
        {
            // stb_image reads missing BMP pixels as zeros instead of failing.
            throw ImageDecodeException.ForFile(path, problem);
        }

        ImageResult result;
        try
        {
            using (var stream = new MemoryStream(bytes, writable: false))
            {
                if (ImageInfo.FromStream(stream) is not { } info)
                {
                    throw ImageDecodeException.ForFile(path, "the PNG/BMP header cannot be read.");
                }

                if (info.Width < 1 || info.Height < 1 || info.Width > JpegCodec.MaxDimension || info.Height > JpegCodec.MaxDimension
                    || (long)info.Width * info.Height > JpegCodec.MaxPixels)
                {
                    throw ImageDecodeException.ForFile(path, $"image dimensions {info.Width}x{info.Height} are outside the accepted range.");
                }
            }

            result = ImageResult.FromMemory(bytes, ColorComponents.RedGreenBlue);
        }
        catch (ImageDecodeException)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // StbImageSharp reports bad data with plain exceptions (and, for some inputs, index errors).
            throw ImageDecodeException.ForFile(path, $"the image data is corrupt or unsupported: {ex.Message}", ex);
        }

        if (result.Data is null || result.Data.LongLength != (long)result.Width * result.Height * 3)
        {
            throw ImageDecodeException.ForFile(path, "the decoder returned an incomplete image.");
        }

        PixelConversions.SwapRedBlue(result.Data);
        return new FaceImage(result.Width, result.Height, result.Data);
    }

    /// <summary>For an uncompressed BMP with a BITMAPINFOHEADER or later: a message when the pixel rows are cut short.</summary>
    private static string? TruncatedBmp(byte[] bytes)
    {
        if (bytes.Length < 34 || BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(14)) < 40)
        {
            return bytes.Length < 26 ? "the BMP header is cut short." : null;
        }

        var offset = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(10));
        var width = (long)BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(18));
        var height = Math.Abs((long)BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(22)));
        var bitsPerPixel = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(28));
        var compression = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(30));
        if (compression is not (0 or 3) || width <= 0)
        {
            return null;
        }

        var needed = offset + ((((width * bitsPerPixel) + 31) / 32) * 4 * height);
        return bytes.Length < needed ? $"the BMP is truncated ({bytes.Length} bytes, its header needs {needed})." : null;
    }
}
