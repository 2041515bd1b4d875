using MynaTerminal.Core.Devices;

namespace MynaTerminal.Face;

/// <summary>
/// The live preview on the face screen: a small mirrored thumbnail of the camera frame (patients expect a mirror)
/// with the detected face box, written into a buffer the caller reuses and wipes.
/// </summary>
public static class FacePreviewBuilder
{
    public const int Width = 160;

    public const int Height = 120;

    public static byte[] NewBuffer() => new byte[Width * Height * 3];

    /// <summary>Samples <paramref name="frame"/> (any size, centre-cropped to 4:3) into <paramref name="buffer"/>.</summary>
    public static FacePreview Build(FaceImage frame, PreviewBox? face, byte[] buffer)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (buffer.Length < Width * Height * 3)
        {
            throw new ArgumentException("Preview buffer too small.", nameof(buffer));
        }

        // Largest centred 4:3 crop of the frame, then nearest-neighbour sampling (a thumbnail, not a measurement).
        var cropWidth = Math.Min(frame.Width, frame.Height * 4 / 3);
        var cropHeight = cropWidth * 3 / 4;
        var left = (frame.Width - cropWidth) / 2;
        var top = (frame.Height - cropHeight) / 2;
        var step = (double)cropWidth / Width;
        for (var y = 0; y < Height; y++)
        {
            var sy = Math.Min(frame.Height - 1, top + (int)(y * step));
            for (var x = 0; x < Width; x++)
            {
                var sx = Math.Min(frame.Width - 1, left + (int)((Width - 1 - x) * step));
                frame.Bgr.AsSpan(((sy * frame.Width) + sx) * 3, 3).CopyTo(buffer.AsSpan(((y * Width) + x) * 3, 3));
            }
        }

        PreviewBox? box = face is { } f
            ? new PreviewBox((float)(Width - ((f.X + f.Width - left) / step)), (float)((f.Y - top) / step), (float)(f.Width / step), (float)(f.Height / step))
            : null;
        return new FacePreview(Width, Height, buffer.AsMemory(0, Width * Height * 3), box);
    }
}
