using MynaTerminal.Core.Devices;
using MynaTerminal.Face.Engine;

namespace MynaTerminal.Face.Evaluation;

/// <summary>
/// Makes a terminal-camera-like frame out of a portrait: the face centred and taking a set share of a 4:3 frame,
/// as a seated patient appears to the terminal's camera. Used by the bench and by simulated cameras.
/// </summary>
public static class CameraFrameSimulator
{
    public static FaceImage Frame(FaceImage portrait, BoxF face, int width = 640, int height = 480, double faceShare = 0.3)
    {
        ArgumentNullException.ThrowIfNull(portrait);
        var cropWidth = face.Width / faceShare;
        var cropHeight = cropWidth * height / width;
        var centre = face.Centre;
        var left = centre.X - (cropWidth / 2);
        var top = centre.Y - (cropHeight / 2);
        var step = cropWidth / width;
        var output = new byte[width * height * 3];
        var source = portrait.Bgr;
        for (var v = 0; v < height; v++)
        {
            var sy = top + ((v + 0.5) * step) - 0.5;
            var y0 = (int)Math.Floor(sy);
            var wy = sy - y0;
            for (var u = 0; u < width; u++)
            {
                var sx = left + ((u + 0.5) * step) - 0.5;
                var x0 = (int)Math.Floor(sx);
                var wx = sx - x0;
                var o = ((v * width) + u) * 3;
                for (var c = 0; c < 3; c++)
                {
                    var value = (Sample(portrait, source, x0, y0, c) * (1 - wx) * (1 - wy))
                        + (Sample(portrait, source, x0 + 1, y0, c) * wx * (1 - wy))
                        + (Sample(portrait, source, x0, y0 + 1, c) * (1 - wx) * wy)
                        + (Sample(portrait, source, x0 + 1, y0 + 1, c) * wx * wy);
                    output[o + c] = (byte)Math.Clamp((int)(value + 0.5), 0, 255);
                }
            }
        }

        return new FaceImage(width, height, output);
    }

    /// <summary>Edge pixels repeat outside the portrait (a plain wall behind the patient).</summary>
    private static double Sample(FaceImage image, byte[] pixels, int x, int y, int channel)
    {
        x = Math.Clamp(x, 0, image.Width - 1);
        y = Math.Clamp(y, 0, image.Height - 1);
        return pixels[(((y * image.Width) + x) * 3) + channel];
    }
}
