using System.Text;

namespace MynaTerminal.Face.Tests.TinyModels;

/// <summary>
/// Settings of the tiny detector. Per stride s ∈ {8, 16, 32} its outputs are (cell index i = r·cols + c, rows = H/s,
/// cols = W/s, N = rows·cols):
/// <list type="bullet">
/// <item><c>cls_s[0,i,0]</c> = mean of input channel 0 over the s×s block of cell (r, c), divided by 255
/// (AveragePool of channel 0; channels 1 and 2 are ignored). Channel 0 is B in YuNet's BGR order.</item>
/// <item><c>obj_s[0,i,0]</c> = <see cref="Objectness"/>[stride index] for every cell.</item>
/// <item><c>bbox_s[0,i,:]</c> = <see cref="Box"/> for every cell; <c>kps_s[0,i,:]</c> = <see cref="Landmarks"/>.</item>
/// </list>
/// With the defaults, a channel-0 square of 255 covering exactly the stride-32 cell (r, c) — the 32×32 pixels at
/// (32c, 32r) of the network input — gives score sqrt(cls·obj) = 1 at that stride-32 cell and 0 everywhere else
/// (strides 8 and 16 have objectness 0), and OpenCV's decoding (MANIFEST §1) gives the box (32c, 32r, 32, 32) and
/// landmarks at (32c + 11, 32r + 15), (32c + 21, 32r + 15), (32c + 16, 32r + 20), (32c + 12, 32r + 26),
/// (32c + 20, 32r + 26): right eye, left eye, nose, right and left mouth corner (close to the ArcFace 112×112 template
/// scaled by 32/112). <see cref="ExpectedFace"/> computes this for any cell.
/// </summary>
public sealed record TinyDetectorSpec
{
    /// <summary>The strides, in output order.</summary>
    public static readonly int[] Strides = [8, 16, 32];

    /// <summary>Objectness of every cell at strides 8, 16, 32. Default: only stride 32 can score.</summary>
    public IReadOnlyList<float> Objectness { get; init; } = [0f, 0f, 1f];

    /// <summary>Box regression (dx, dy, log w, log h) of every cell: default the cell itself.</summary>
    public IReadOnlyList<float> Box { get; init; } = [0.5f, 0.5f, 0f, 0f];

    /// <summary>Landmark offsets in cells (x, y) × 5, in YuNet's order. Multiples of 1/32, so stride-32 pixels are exact.</summary>
    public IReadOnlyList<float> Landmarks { get; init; } =
        [11 / 32f, 15 / 32f, 21 / 32f, 15 / 32f, 16 / 32f, 20 / 32f, 12 / 32f, 26 / 32f, 20 / 32f, 26 / 32f];

    /// <summary>Fixed network input size (as the 640×640 YuNet); null = symbolic batch, height and width (as yunet_s_dynamic).</summary>
    public (int Width, int Height)? FixedSize { get; init; }

    /// <summary>The default detector with a fixed 640×640 input, like face_detection_yunet_2023mar.onnx.</summary>
    public static TinyDetectorSpec Fixed640 { get; } = new() { FixedSize = (640, 640) };

    /// <summary>What OpenCV's YuNet decoding makes of cell (row, col) at <paramref name="stride"/> (network-input pixels).</summary>
    public TinyFace ExpectedFace(int stride, int row, int col, float cls = 1f)
    {
        var index = Array.IndexOf(Strides, stride);
        if (index < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(stride), stride, "8, 16 or 32");
        }

        var score = MathF.Sqrt(Math.Clamp(cls, 0, 1) * Math.Clamp(Objectness[index], 0, 1));
        var cx = (col + Box[0]) * stride;
        var cy = (row + Box[1]) * stride;
        var w = MathF.Exp(Box[2]) * stride;
        var h = MathF.Exp(Box[3]) * stride;
        var landmarks = new float[10];
        for (var k = 0; k < 5; k++)
        {
            landmarks[2 * k] = (Landmarks[2 * k] + col) * stride;
            landmarks[2 * k + 1] = (Landmarks[2 * k + 1] + row) * stride;
        }

        return new TinyFace(score, cx - w / 2, cy - h / 2, w, h, landmarks);
    }
}

/// <summary>A decoded detection: score, top-left corner, size, and 5 landmarks (x, y) in network-input pixels.</summary>
public sealed record TinyFace(float Score, float X, float Y, float Width, float Height, float[] Landmarks);

/// <summary>
/// Tiny ONNX models (a few hundred bytes) with the same input and output names and shapes as the real ones
/// (shared/models/MANIFEST.md), for plumbing tests without the real weights. They are written by
/// <see cref="OnnxGraph"/> (ir_version 8, opset 13) and run in ONNX Runtime in microseconds.
/// <list type="bullet">
/// <item>Detector: see <see cref="TinyDetectorSpec"/>.</item>
/// <item>Embedder (<c>input0</c> [1,3,112,112] → <c>output0</c> [1,128]): <c>output0 = m · W</c>, m = the 3 channel
/// means (GlobalAveragePool), W = <see cref="EmbedderWeights"/> (rows 1, 2, 4 of the 128×128 Sylvester Hadamard matrix
/// times 1/8: orthogonal rows). So images with the same channel means give the same embedding, and the cosine of two
/// embeddings equals the cosine of their mean-colour vectors (after the caller's normalisation).</item>
/// <item>Liveness (<c>input</c> [1,3,80,80] → <c>output</c> [1,3] logits): <c>output = m / 32 + [0.5, 0, −0.5]</c>, so
/// class 1 (live) wins only when channel 1 (G in BGR) has the highest mean by a margin: a green crop is live, a red
/// (channel 2), blue (channel 0), grey or black crop is a spoof.</item>
/// </list>
/// </summary>
public static class TinyOnnxModels
{
    /// <summary>Liveness logits = channel means × this + <see cref="LivenessBias"/>.</summary>
    public const float LivenessScale = 1 / 32f;

    public static readonly float[] LivenessBias = [0.5f, 0f, -0.5f];

    /// <summary>The embedder's 3×128 matrix (row-major).</summary>
    public static float[] EmbedderWeights { get; } = BuildEmbedderWeights();

    public static byte[] Detector(TinyDetectorSpec? spec = null)
    {
        spec ??= new TinyDetectorSpec();
        if (spec.Objectness.Count != 3 || spec.Box.Count != 4 || spec.Landmarks.Count != 10)
        {
            throw new ArgumentException("The detector spec needs 3 objectness values, 4 box values and 10 landmark values.", nameof(spec));
        }

        var graph = new OnnxGraph("tiny_yunet");
        OnnxDim batch, height, width;
        if (spec.FixedSize is { } size)
        {
            if (size.Width % 32 != 0 || size.Height % 32 != 0 || size.Width <= 0 || size.Height <= 0)
            {
                throw new ArgumentException("The fixed size must be positive multiples of 32.", nameof(spec));
            }

            (batch, height, width) = (1, size.Height, size.Width);
        }
        else
        {
            (batch, height, width) = ("batch", "height", "width");
        }

        graph.Input("input", OnnxType.Float, batch, 3, height, width);
        var starts = graph.Initializer(OnnxTensor.Int64s("slice_starts", [1], 0));
        var ends = graph.Initializer(OnnxTensor.Int64s("slice_ends", [1], 1));
        var axes = graph.Initializer(OnnxTensor.Int64s("slice_axes", [1], 1));
        var divisor = graph.Initializer(OnnxTensor.Scalar("c255", 255f));
        var zero = graph.Initializer(OnnxTensor.Scalar("c0", 0f));
        // [batch, -1, 1]: 0 copies the batch dimension (Reshape-13, allowzero = 0).
        var cellShape = graph.Initializer(OnnxTensor.Int64s("cell_shape", [3], 0, -1, 1));
        var channel0 = graph.Node("Slice", ["input", starts, ends, axes], "channel0");

        var outputs = new List<(string Name, int Depth, int Stride)>();
        for (var k = 0; k < TinyDetectorSpec.Strides.Length; k++)
        {
            var s = TinyDetectorSpec.Strides[k];
            var pooled = graph.Node("AveragePool", [channel0], $"pool_{s}",
                OnnxAttribute.IntList("kernel_shape", s, s), OnnxAttribute.IntList("strides", s, s));
            var scaled = graph.Node("Div", [pooled, divisor], $"scaled_{s}");
            var cls = graph.Node("Reshape", [scaled, cellShape], $"cls_{s}");
            var zeros = graph.Node("Mul", [cls, zero], $"zeros_{s}");
            graph.Node("Add", [zeros, graph.Initializer(OnnxTensor.Scalar($"obj_value_{s}", spec.Objectness[k]))], $"obj_{s}");
            graph.Node("Add", [zeros, graph.Initializer(OnnxTensor.Floats($"bbox_value_{s}", [4], [.. spec.Box]))], $"bbox_{s}");
            graph.Node("Add", [zeros, graph.Initializer(OnnxTensor.Floats($"kps_value_{s}", [10], [.. spec.Landmarks]))], $"kps_{s}");
        }

        foreach (var (prefix, depth) in new[] { ("cls", 1), ("obj", 1), ("bbox", 4), ("kps", 10) })
        {
            foreach (var s in TinyDetectorSpec.Strides)
            {
                OnnxDim cells = spec.FixedSize is { } fixedSize ? (long)(fixedSize.Width / s) * (fixedSize.Height / s) : $"cells_{s}";
                graph.Output($"{prefix}_{s}", OnnxType.Float, batch, cells, depth);
            }
        }

        return graph.ToModel();
    }

    public static byte[] Embedder(string inputName = "input0")
    {
        var graph = new OnnxGraph("tiny_embedder");
        graph.Input(inputName, OnnxType.Float, 1, 3, 112, 112);
        var means = graph.Node("GlobalAveragePool", [inputName], "means");
        var flat = graph.Node("Flatten", [means], "means_flat", OnnxAttribute.Int("axis", 1));
        var weights = graph.Initializer(OnnxTensor.Floats("embedding_weights", [3, 128], EmbedderWeights));
        graph.Node("MatMul", [flat, weights], "output0");
        graph.Output("output0", OnnxType.Float, 1, 128);
        return graph.ToModel();
    }

    public static byte[] Liveness()
    {
        var graph = new OnnxGraph("tiny_liveness");
        graph.Input("input", OnnxType.Float, 1, 3, 80, 80);
        var means = graph.Node("GlobalAveragePool", ["input"], "means");
        var flat = graph.Node("Flatten", [means], "means_flat", OnnxAttribute.Int("axis", 1));
        var weights = graph.Initializer(OnnxTensor.Floats("liveness_weights", [3, 3],
            LivenessScale, 0, 0,
            0, LivenessScale, 0,
            0, 0, LivenessScale));
        var logits = graph.Node("MatMul", [flat, weights], "logits");
        graph.Node("Add", [logits, graph.Initializer(OnnxTensor.Floats("liveness_bias", [3], LivenessBias))], "output");
        graph.Output("output", OnnxType.Float, 1, 3);
        return graph.ToModel();
    }

    /// <summary>A valid embedder-shaped model whose input is called <c>data</c> instead of <c>input0</c> (a wrong file).</summary>
    public static byte[] WrongInputName() => Embedder("data");

    public static void WriteDetector(string path, TinyDetectorSpec? spec = null) => File.WriteAllBytes(path, Detector(spec));

    public static void WriteEmbedder(string path) => File.WriteAllBytes(path, Embedder());

    public static void WriteLiveness(string path) => File.WriteAllBytes(path, Liveness());

    public static void WriteWrongInputName(string path) => File.WriteAllBytes(path, WrongInputName());

    /// <summary>A text file that is not ONNX at all.</summary>
    public static void WriteNotOnnx(string path) =>
        File.WriteAllText(path, "This is not an ONNX model, just text where a model should be.\n", Encoding.UTF8);

    /// <summary>A Git LFS pointer, what a careless download of an LFS-tracked model gives.</summary>
    public static void WriteGitLfsPointer(string path) =>
        File.WriteAllText(path,
            "version https://git-lfs.github.com/spec/v1\noid sha256:0ba9fbfa01b5270c96627c4ef784da859931e02f04419c829e83484087c34e79\nsize 38696353\n",
            Encoding.ASCII);

    /// <summary>The first half of the tiny detector (a download cut short).</summary>
    public static void WriteTruncated(string path)
    {
        var bytes = Detector();
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
    }

    private static float[] BuildEmbedderWeights()
    {
        int[] rows = [1, 2, 4];
        var weights = new float[3 * 128];
        for (var k = 0; k < 3; k++)
        {
            for (var j = 0; j < 128; j++)
            {
                weights[k * 128 + j] = (System.Numerics.BitOperations.PopCount((uint)(rows[k] & j)) % 2 == 0 ? 1f : -1f) / 8f;
            }
        }

        return weights;
    }
}
