using MynaTerminal.Core.Devices;

namespace MynaTerminal.Cameras.Imaging;

/// <summary>Small helpers around <see cref="FaceImage"/>.</summary>
public static class FaceImages
{
    /// <summary>A new image with its own copy of the pixels (the caller may clear either one).</summary>
    public static FaceImage Copy(FaceImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return new FaceImage(image.Width, image.Height, image.Bgr.AsSpan().ToArray());
    }

    /// <summary>Throws when the image's buffer is not exactly width × height × 3 bytes.</summary>
    public static void Validate(FaceImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Width < 1 || image.Height < 1 || image.Bgr is null || image.Bgr.LongLength != (long)image.Width * image.Height * 3)
        {
            throw new ArgumentException(
                $"A BGR image of {image.Width}x{image.Height} needs {(long)image.Width * image.Height * 3} bytes, not {image.Bgr?.LongLength ?? 0}.",
                nameof(image));
        }
    }
}
