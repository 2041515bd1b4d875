using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Results;

namespace MynaTerminal.Face.Engine;

/// <summary>
/// The face engine on ONNX Runtime: YuNet detection, 5-point alignment, MobileFaceNet (or SFace) embedding, cosine
/// similarity, MiniFASNet liveness and quality gates. Sessions are created once; the engine is used by one session
/// at a time (calls are serialised). Every buffer holding pixels or an embedding is wiped after use.
/// </summary>
public sealed class OnnxFaceEngine : IFaceVerifier, IDisposable
{
    private readonly object _gate = new();
    private readonly FaceQuality _quality;
    private readonly float _liveThreshold;
    private readonly byte[] _alignedGrey = new byte[FaceEmbedder.Size * FaceEmbedder.Size];
    private readonly float[] _probe = new float[FaceEmbedder.Dimensions];

    public OnnxFaceEngine(FaceEngineOptions options, Func<string, string> modelPath)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(modelPath);
        if (!FaceModelIds.Detectors.Contains(options.Detector))
        {
            throw new FaceModelException($"FaceEngine:Detector '{options.Detector}' is not a detector model ({string.Join(", ", FaceModelIds.Detectors)}).");
        }

        var session = new OnnxSessionSettings(options.IntraOpThreads);
        var kind = options.EmbedderKind;
        var detector = new DetectorSettings(options.DetectorInputSize, (float)options.DetectorScoreThreshold, (float)options.NmsIouThreshold);
        try
        {
            Detector = new YuNetDetector(modelPath(options.Detector), detector, session);
            Embedder = new FaceEmbedder(modelPath(options.Embedder), kind, session);
            Liveness = options.Liveness
                ? new LivenessClassifier(modelPath(FaceModelIds.LivenessV2), modelPath(FaceModelIds.LivenessV1SE), session)
                : null;
        }
        catch
        {
            Detector?.Dispose();
            Embedder?.Dispose();
            throw;
        }

        _quality = new FaceQuality(options.Quality);
        _liveThreshold = (float)options.LivenessThreshold;
    }

    public YuNetDetector Detector { get; }

    public FaceEmbedder Embedder { get; }

    /// <summary>Null when liveness is switched off (evaluation only).</summary>
    public LivenessClassifier? Liveness { get; }

    public IFaceReference Enrol(FaceImage chipPhoto)
    {
        var embedding = new float[FaceEmbedder.Dimensions];
        lock (_gate)
        {
            return new Reference(this, TryEmbed(chipPhoto, embedding, out _) ? embedding : null);
        }
    }

    /// <summary>
    /// Detect, align and embed the largest face without quality gates (enrolment and evaluation).
    /// False when no face is found.
    /// </summary>
    public bool TryEmbed(FaceImage image, Span<float> embedding, out FaceDetection? face)
    {
        lock (_gate)
        {
            var faces = Detector.Detect(image);
            face = faces.Count > 0 ? faces[0] : null;
            if (face is null)
            {
                return false;
            }

            if (!TryAlign(image, face, default))
            {
                face = null;
                return false;
            }

            Embedder.Embed(embedding);
            return true;
        }
    }

    /// <summary>The fused liveness score of a detected face, or null when liveness is off.</summary>
    public float? LivenessOf(FaceImage image, FaceDetection face)
    {
        lock (_gate)
        {
            return Liveness?.Score(image, face.Box);
        }
    }

    private FaceComparison Compare(float[] reference, FaceImage frame)
    {
        lock (_gate)
        {
            try
            {
                var faces = Detector.Detect(frame);
                var geometry = _quality.CheckGeometry(frame, faces);
                var box = faces.Count > 0 ? new PreviewBox(faces[0].Box.X, faces[0].Box.Y, faces[0].Box.Width, faces[0].Box.Height) : (PreviewBox?)null;
                if (!geometry.Usable)
                {
                    return new FaceComparison(null, false, geometry.Hint, box);
                }

                var face = faces[0];
                if (!TryAlign(frame, face, _alignedGrey))
                {
                    return new FaceComparison(null, false, FaceHint.TurnToCamera, box);
                }

                var pixels = _quality.CheckPixels(frame, face.Box, _alignedGrey, FaceEmbedder.Size);
                if (!pixels.Usable)
                {
                    Embedder.Discard(); // no inference for a frame that is not compared
                    return new FaceComparison(null, false, pixels.Hint, box);
                }

                Embedder.Embed(_probe);
                var similarity = FaceEmbedder.Cosine(reference, _probe);
                var live = Liveness is null || Liveness.Score(frame, face.Box) >= _liveThreshold;
                var hint = geometry.Hint != FaceHint.None ? geometry.Hint : pixels.Hint;
                return new FaceComparison(similarity, live, hint, box);
            }
            finally
            {
                Array.Clear(_alignedGrey);
                Array.Clear(_probe);
            }
        }
    }

    /// <summary>Degenerate landmarks (all on one point or line) cannot be aligned: the face is not usable.</summary>
    private bool TryAlign(FaceImage image, FaceDetection face, Span<byte> grey)
    {
        try
        {
            Embedder.Align(image, face, grey);
            return true;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            Detector.Dispose();
            Embedder.Dispose();
            Liveness?.Dispose();
        }
    }

    private sealed class Reference(OnnxFaceEngine engine, float[]? embedding) : IFaceReference
    {
        private float[]? _embedding = embedding;

        public bool IsUsable => _embedding is not null;

        public FaceComparison Compare(FaceImage liveFrame) =>
            _embedding is { } e
                ? engine.Compare(e, liveFrame)
                : throw new InvalidOperationException("The chip photo had no usable face, or the reference was disposed.");

        public void Dispose()
        {
            if (_embedding is { } e)
            {
                Array.Clear(e);
            }

            _embedding = null;
        }
    }
}
