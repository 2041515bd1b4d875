using MynaTerminal.Core.Devices;

namespace MynaTerminal.Face.Engine;

/// <summary>
/// Silent liveness (anti-spoofing) by minivision's MiniFASNet V2 (crop scale 2.7) and V1SE (crop scale 4.0),
/// fused as their <c>test.py</c> does: softmax of each, summed; the real score is <c>sum[1] / 2</c>.
/// Input: BGR raw 0..255, 80×80, the face box enlarged by the scale and shifted back inside the image.
/// </summary>
public sealed class LivenessClassifier : IDisposable
{
    public const int Size = 80;
    public const float ScaleV2 = 2.7f;
    public const float ScaleV1SE = 4.0f;
    private const int LiveClass = 1;

    private readonly (OnnxModel Model, float Scale)[] _models;
    private readonly float[] _input = new float[3 * Size * Size];

    public LivenessClassifier(string v2Path, string v1sePath, OnnxSessionSettings session)
    {
        var v2 = new OnnxModel(v2Path, session, "liveness (MiniFASNetV2)", "input", ["output"]);
        try
        {
            _models = [(v2, ScaleV2), (new OnnxModel(v1sePath, session, "liveness (MiniFASNetV1SE)", "input", ["output"]), ScaleV1SE)];
        }
        catch
        {
            v2.Dispose();
            throw;
        }
    }

    /// <summary>The fused probability (0..1) that the face is a live person.</summary>
    public float Score(FaceImage image, BoxF face)
    {
        var sum = 0f;
        try
        {
            foreach (var (model, scale) in _models)
            {
                var (x0, y0, x1, y1) = CropBox(image.Width, image.Height, face, scale);
                ImageSampling.CropResizeInto(image, x0, y0, x1 - x0 + 1, y1 - y0 + 1, Size, _input, PixelNormalization.RawBgr);
                model.Run(_input, [1, 3, Size, Size], (i, logits) =>
                {
                    if (logits.Length < 3)
                    {
                        throw new FaceModelException($"The liveness model '{model.Path}' returned {logits.Length} values; 3 are expected.");
                    }

                    sum += Softmax(logits, LiveClass);
                });
            }
        }
        finally
        {
            Array.Clear(_input);
        }

        return sum / _models.Length;
    }

    /// <summary>minivision's <c>CropImage._get_new_box</c>: enlarge, keep the size, shift back inside the image.</summary>
    public static (int X0, int Y0, int X1, int Y1) CropBox(int imageWidth, int imageHeight, BoxF box, float scale)
    {
        var w = Math.Max(1f, box.Width);
        var h = Math.Max(1f, box.Height);
        scale = Math.Min((imageHeight - 1) / h, Math.Min((imageWidth - 1) / w, scale));
        var newWidth = w * scale;
        var newHeight = h * scale;
        var cx = box.X + (w / 2);
        var cy = box.Y + (h / 2);
        var left = cx - (newWidth / 2);
        var top = cy - (newHeight / 2);
        var right = cx + (newWidth / 2);
        var bottom = cy + (newHeight / 2);
        if (left < 0)
        {
            right -= left;
            left = 0;
        }

        if (top < 0)
        {
            bottom -= top;
            top = 0;
        }

        if (right > imageWidth - 1)
        {
            left -= right - imageWidth + 1;
            right = imageWidth - 1;
        }

        if (bottom > imageHeight - 1)
        {
            top -= bottom - imageHeight + 1;
            bottom = imageHeight - 1;
        }

        var x0 = Math.Clamp((int)left, 0, imageWidth - 1);
        var y0 = Math.Clamp((int)top, 0, imageHeight - 1);
        return (x0, y0, Math.Clamp((int)right, x0, imageWidth - 1), Math.Clamp((int)bottom, y0, imageHeight - 1));
    }

    private static float Softmax(ReadOnlySpan<float> logits, int index)
    {
        var max = float.NegativeInfinity;
        foreach (var l in logits[..3])
        {
            max = Math.Max(max, l);
        }

        var total = 0f;
        foreach (var l in logits[..3])
        {
            total += MathF.Exp(l - max);
        }

        return MathF.Exp(logits[index] - max) / total;
    }

    public void Dispose()
    {
        Array.Clear(_input);
        foreach (var (model, _) in _models)
        {
            model.Dispose();
        }
    }
}
