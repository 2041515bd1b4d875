using MynaTerminal.Core.Devices;

namespace MynaTerminal.Face.Engine;

/// <summary>Detector settings (see <see cref="FaceEngineOptions"/>).</summary>
public sealed record DetectorSettings(int InputSize = 320, float ScoreThreshold = 0.6f, float NmsIouThreshold = 0.3f, int MaxFaces = 10);

/// <summary>
/// YuNet face detector (libfacedetection / OpenCV Zoo): BGR raw 0..255 NCHW, letterboxed top-left and zero-padded;
/// decoded as OpenCV's <c>FaceDetectorYN::postProcess</c> does, then NMS. Works with the dynamic model (any size
/// in multiples of 32; the image's long side is scaled to <see cref="DetectorSettings.InputSize"/>) and with the
/// fixed 640×640 model.
/// </summary>
public sealed class YuNetDetector : IDisposable
{
    private static readonly int[] Strides = [8, 16, 32];
    private static readonly string[] Outputs =
        ["cls_8", "cls_16", "cls_32", "obj_8", "obj_16", "obj_32", "bbox_8", "bbox_16", "bbox_32", "kps_8", "kps_16", "kps_32"];

    private readonly OnnxModel _model;
    private readonly DetectorSettings _settings;
    private readonly int? _fixedWidth;
    private readonly int? _fixedHeight;
    private float[] _input = [];
    private readonly List<FaceDetection> _candidates = [];

    public YuNetDetector(string modelPath, DetectorSettings settings, OnnxSessionSettings session)
    {
        _settings = settings;
        if (settings.InputSize < 32 || settings.InputSize % 32 != 0)
        {
            throw new ArgumentException("The detector input size must be a positive multiple of 32.", nameof(settings));
        }

        _model = new OnnxModel(modelPath, session, "face detector", "input", Outputs);
        var shape = _model.InputShape;
        if (shape.Length != 4 || shape[1] != 3)
        {
            throw new FaceModelException($"The face detector '{modelPath}' has input shape [{string.Join(",", shape)}]; [N,3,H,W] is expected.");
        }

        if (shape[2] > 0 && shape[3] > 0)
        {
            _fixedHeight = shape[2];
            _fixedWidth = shape[3];
        }
    }

    /// <summary>The faces found, largest first.</summary>
    public IReadOnlyList<FaceDetection> Detect(FaceImage image)
    {
        int width, height;
        float scale;
        if (_fixedWidth is { } fw && _fixedHeight is { } fh)
        {
            width = fw;
            height = fh;
            scale = Math.Min((float)fw / image.Width, (float)fh / image.Height);
        }
        else
        {
            scale = (float)_settings.InputSize / Math.Max(image.Width, image.Height);
            width = RoundUp32((int)Math.Round(image.Width * scale));
            height = RoundUp32((int)Math.Round(image.Height * scale));
        }

        var count = 3 * width * height;
        if (_input.Length < count)
        {
            _input = new float[count];
        }

        _candidates.Clear();
        try
        {
            ImageSampling.ResizeInto(image, scale, _input, width, height, PixelNormalization.RawBgr);
            var outputs = new float[Outputs.Length][];
            _model.Run(_input, [1, 3, height, width], (i, data) => outputs[i] = data.ToArray());
            for (var s = 0; s < Strides.Length; s++)
            {
                Decode(Strides[s], width, height, scale, outputs[s], outputs[3 + s], outputs[6 + s], outputs[9 + s]);
            }
        }
        finally
        {
            // The scaled frame is a face image too: wipe it.
            Array.Clear(_input, 0, count);
        }

        return Suppress(_candidates, _settings.NmsIouThreshold, _settings.MaxFaces);
    }

    private void Decode(int stride, int width, int height, float scale, float[] cls, float[] obj, float[] bbox, float[] kps)
    {
        var cols = width / stride;
        var rows = height / stride;
        var n = cols * rows;
        if (cls.Length < n || obj.Length < n || bbox.Length < 4 * n || kps.Length < 10 * n)
        {
            throw new FaceModelException($"The face detector returned {cls.Length} cells for stride {stride}; {n} were expected.");
        }

        var inverse = 1f / scale;
        for (var i = 0; i < n; i++)
        {
            var score = MathF.Sqrt(Math.Clamp(cls[i], 0f, 1f) * Math.Clamp(obj[i], 0f, 1f));
            if (!(score >= _settings.ScoreThreshold))
            {
                continue;
            }

            var r = i / cols;
            var c = i % cols;
            var cx = (c + bbox[(4 * i) + 0]) * stride;
            var cy = (r + bbox[(4 * i) + 1]) * stride;
            var w = MathF.Exp(bbox[(4 * i) + 2]) * stride;
            var h = MathF.Exp(bbox[(4 * i) + 3]) * stride;
            var landmarks = new PointF[FaceDetection.LandmarkCount];
            for (var k = 0; k < FaceDetection.LandmarkCount; k++)
            {
                landmarks[k] = new PointF((kps[(10 * i) + (2 * k)] + c) * stride * inverse, (kps[(10 * i) + (2 * k) + 1] + r) * stride * inverse);
            }

            _candidates.Add(new FaceDetection(new BoxF((cx - (w / 2)) * inverse, (cy - (h / 2)) * inverse, w * inverse, h * inverse), score, landmarks));
        }
    }

    /// <summary>Greedy non-maximum suppression by score; the survivors are returned largest first.</summary>
    internal static IReadOnlyList<FaceDetection> Suppress(List<FaceDetection> candidates, float iouThreshold, int maxFaces)
    {
        candidates.Sort((a, b) => b.Score.CompareTo(a.Score));
        var kept = new List<FaceDetection>();
        foreach (var candidate in candidates)
        {
            if (kept.TrueForAll(k => k.Box.IoU(candidate.Box) <= iouThreshold))
            {
                kept.Add(candidate);
                if (kept.Count == maxFaces)
                {
                    break;
                }
            }
        }

        kept.Sort((a, b) => b.Box.Area.CompareTo(a.Box.Area));
        return kept;
    }

    private static int RoundUp32(int value) => Math.Max(32, (value + 31) / 32 * 32);

    public void Dispose() => _model.Dispose();
}
