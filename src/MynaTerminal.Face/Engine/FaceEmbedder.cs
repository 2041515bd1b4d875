using MynaTerminal.Core.Devices;

namespace MynaTerminal.Face.Engine;

/// <summary>The recognition networks the engine knows, with their preprocessing.</summary>
public enum EmbedderKind
{
    /// <summary>MobileFaceNet (foamliu), 128-d: RGB, x/255, ImageNet mean/std.</summary>
    MobileFaceNet,

    /// <summary>OpenCV Zoo SFace, 128-d: RGB raw 0..255.</summary>
    SFace,
}

/// <summary>
/// Aligns a detected face to the ArcFace 112×112 template with a 5-point similarity transform and turns it into
/// an L2-normalised embedding; two embeddings compare by their dot product (cosine).
/// </summary>
public sealed class FaceEmbedder : IDisposable
{
    public const int Size = 112;

    /// <summary>The standard ArcFace 112×112 landmark template (right eye, left eye, nose, right/left mouth corner).</summary>
    public static readonly PointF[] Template =
    [
        new(38.2946f, 51.6963f), new(73.5318f, 51.5014f), new(56.0252f, 71.7366f), new(41.5493f, 92.3655f), new(70.7299f, 92.2041f),
    ];

    private readonly OnnxModel _model;
    private readonly PixelNormalization _norm;
    private readonly float[] _input = new float[3 * Size * Size];
    private readonly float[] _output = new float[Dimensions];

    public FaceEmbedder(string modelPath, EmbedderKind kind, OnnxSessionSettings session)
    {
        Kind = kind;
        _norm = kind == EmbedderKind.SFace ? PixelNormalization.RawRgb : PixelNormalization.ImageNetRgb;
        _model = new OnnxModel(modelPath, session, "face embedding");
        var shape = _model.InputShape;
        if (shape.Length != 4 || shape[1] != 3 || (shape[2] > 0 && shape[2] != Size) || (shape[3] > 0 && shape[3] != Size))
        {
            throw new FaceModelException($"The face embedding model '{modelPath}' has input shape [{string.Join(",", shape)}]; [1,3,112,112] is expected.");
        }

        if (_model.OutputNames.Length < 1)
        {
            throw new FaceModelException($"The face embedding model '{modelPath}' has no output.");
        }
    }

    public EmbedderKind Kind { get; }

    /// <summary>The map from the 112×112 aligned face back into the image for these landmarks.</summary>
    public static Affine2D AlignmentFor(FaceDetection face) => SimilarityTransform.Estimate(face.Landmarks, Template).Invert();

    /// <summary>
    /// Aligns the face into the model's input (and, when given, <paramref name="alignedGrey"/>, 112×112 bytes for
    /// the blur gate). The input stays in the embedder until <see cref="Embed"/> consumes and wipes it.
    /// </summary>
    public void Align(FaceImage image, FaceDetection face, Span<byte> alignedGrey = default) =>
        ImageSampling.WarpInto(image, AlignmentFor(face), Size, _input, _norm, alignedGrey);

    /// <summary>Wipes the aligned face without running the network (a frame that failed a quality gate).</summary>
    public void Discard() => Array.Clear(_input);

    /// <summary>Runs the network on the aligned face and writes the unit-length embedding into <paramref name="embedding"/>.</summary>
    public void Embed(Span<float> embedding)
    {
        try
        {
            var length = 0;
            _model.Run(_input, [1, 3, Size, Size], (i, data) =>
            {
                if (i != 0)
                {
                    return;
                }

                if (data.Length != _output.Length)
                {
                    throw new FaceModelException($"The face embedding has {data.Length} values; {_output.Length} are expected.");
                }

                data.CopyTo(_output);
                length = data.Length;
            });
            if (embedding.Length < length)
            {
                throw new ArgumentException($"The embedding needs {length} values.", nameof(embedding));
            }

            _output.AsSpan(0, length).CopyTo(embedding);
            Normalize(embedding[..length]);
        }
        finally
        {
            Array.Clear(_input);
            Array.Clear(_output);
        }
    }

    /// <summary>Number of values the embedding has (128 for both known models).</summary>
    public const int Dimensions = 128;

    public static float Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => System.Numerics.Tensors.TensorPrimitives.Dot(a, b);

    private static void Normalize(Span<float> v)
    {
        var norm = System.Numerics.Tensors.TensorPrimitives.Norm(v);
        if (norm < 1e-12f)
        {
            throw new FaceModelException("The face embedding is all zeros.");
        }

        System.Numerics.Tensors.TensorPrimitives.Divide(v, norm, v);
    }

    public void Dispose()
    {
        Array.Clear(_input);
        _model.Dispose();
    }
}
