using System.Diagnostics;
using MynaTerminal.Core.Devices;
using MynaTerminal.Face.Engine;

namespace MynaTerminal.Face.Evaluation;

/// <summary>Per-stage timings of the face pipeline and the raw inference time of the same models, measured in one run.</summary>
public sealed record FaceBenchReport(
    int Frames,
    int FrameWidth,
    int FrameHeight,
    int DetectorInput,
    IReadOnlyDictionary<string, TimingSummary> Stages,
    TimingSummary WholeFrame,
    TimingSummary Inference)
{
    /// <summary>Whole frame (decode … liveness) over the models' own inference time: what our code adds.</summary>
    public double OverheadRatio => WholeFrame.Median / Inference.Median;
}

/// <summary>
/// Measures the face pipeline stage by stage (decode, detect, align, embed, liveness, whole frame) over camera-like
/// frames, and the raw <c>session.Run</c> time of the same models on the same tensors, so the overhead of everything
/// around inference is a measured ratio. A command, not a test: figures depend on the machine.
/// </summary>
public sealed class FaceBench(OnnxFaceEngine engine, FaceEngineOptions options, Func<string, string> modelPath)
{
    public const string Decode = "decode";
    public const string Detect = "detect";
    public const string Align = "align";
    public const string Embed = "embed";
    public const string Liveness = "liveness";

    /// <summary>
    /// Runs <paramref name="frames"/> measured frames (cycling through <paramref name="jpegFrames"/>) after
    /// <paramref name="warmup"/> unmeasured ones. Each frame is decoded from JPEG as a camera's MJPEG frame is.
    /// </summary>
    public FaceBenchReport Run(IReadOnlyList<byte[]> jpegFrames, Func<byte[], FaceImage> decode, int frames = 120, int warmup = 10)
    {
        if (jpegFrames.Count == 0)
        {
            throw new ArgumentException("No frames to measure.", nameof(jpegFrames));
        }

        var stages = new Dictionary<string, List<double>>
        {
            [Decode] = [], [Detect] = [], [Align] = [], [Embed] = [], [Liveness] = [],
        };
        var whole = new List<double>();
        var inference = new List<double>();
        var session = new OnnxSessionSettings(options.IntraOpThreads);
        using var rawDetector = new OnnxModel(modelPath(options.Detector), session, "face detector");
        using var rawEmbedder = new OnnxModel(modelPath(options.Embedder), session, "face embedding");
        using var rawV2 = new OnnxModel(modelPath(FaceModelIds.LivenessV2), session, "liveness");
        using var rawV1 = new OnnxModel(modelPath(FaceModelIds.LivenessV1SE), session, "liveness");
        var embedding = new float[FaceEmbedder.Dimensions];
        var reference = new float[FaceEmbedder.Dimensions];
        var liveness = engine.Liveness ?? throw new InvalidOperationException("The bench needs the liveness models (FaceEngine:Liveness = true).");
        int width = 0, height = 0, detectorInput = 0;
        var ticks = Stopwatch.Frequency / 1000.0;
        for (var n = 0; n < warmup + frames; n++)
        {
            var jpeg = jpegFrames[n % jpegFrames.Count];
            var measured = n >= warmup;

            // Whole frame: what the terminal does per camera frame.
            var t0 = Stopwatch.GetTimestamp();
            var frame = decode(jpeg);
            var t1 = Stopwatch.GetTimestamp();
            var faces = engine.Detector.Detect(frame);
            var t2 = Stopwatch.GetTimestamp();
            if (faces.Count == 0)
            {
                frame.Clear();
                throw new InvalidOperationException($"No face in bench frame {n % jpegFrames.Count}; use frames with one clear face.");
            }

            engine.Embedder.Align(frame, faces[0]);
            var t3 = Stopwatch.GetTimestamp();
            engine.Embedder.Embed(embedding);
            _ = FaceEmbedder.Cosine(reference, embedding);
            var t4 = Stopwatch.GetTimestamp();
            _ = liveness.Score(frame, faces[0].Box);
            var t5 = Stopwatch.GetTimestamp();
            width = frame.Width;
            height = frame.Height;

            // Raw inference of the same models on same-shaped tensors, in the same run.
            var scale = (float)options.DetectorInputSize / Math.Max(frame.Width, frame.Height);
            var dw = RoundUp32((int)Math.Round(frame.Width * scale));
            var dh = RoundUp32((int)Math.Round(frame.Height * scale));
            detectorInput = Math.Max(dw, dh);
            var detTensor = new float[3 * dw * dh];
            ImageSampling.ResizeInto(frame, scale, detTensor, dw, dh, PixelNormalization.RawBgr);
            var embTensor = new float[3 * FaceEmbedder.Size * FaceEmbedder.Size];
            ImageSampling.WarpInto(frame, FaceEmbedder.AlignmentFor(faces[0]), FaceEmbedder.Size, embTensor, PixelNormalization.ImageNetRgb);
            var liveTensor = new float[3 * LivenessClassifier.Size * LivenessClassifier.Size];
            var (x0, y0, x1, y1) = LivenessClassifier.CropBox(frame.Width, frame.Height, faces[0].Box, LivenessClassifier.ScaleV2);
            ImageSampling.CropResizeInto(frame, x0, y0, x1 - x0 + 1, y1 - y0 + 1, LivenessClassifier.Size, liveTensor, PixelNormalization.RawBgr);
            frame.Clear();

            var r0 = Stopwatch.GetTimestamp();
            rawDetector.Run(detTensor, [1, 3, dh, dw], static (_, _) => { });
            rawEmbedder.Run(embTensor, [1, 3, FaceEmbedder.Size, FaceEmbedder.Size], static (_, _) => { });
            rawV2.Run(liveTensor, [1, 3, LivenessClassifier.Size, LivenessClassifier.Size], static (_, _) => { });
            rawV1.Run(liveTensor, [1, 3, LivenessClassifier.Size, LivenessClassifier.Size], static (_, _) => { });
            var r1 = Stopwatch.GetTimestamp();
            Array.Clear(detTensor);
            Array.Clear(embTensor);
            Array.Clear(liveTensor);

            if (measured)
            {
                stages[Decode].Add((t1 - t0) / ticks);
                stages[Detect].Add((t2 - t1) / ticks);
                stages[Align].Add((t3 - t2) / ticks);
                stages[Embed].Add((t4 - t3) / ticks);
                stages[Liveness].Add((t5 - t4) / ticks);
                whole.Add((t5 - t0) / ticks);
                inference.Add((r1 - r0) / ticks);
            }
        }

        Array.Clear(embedding);
        return new FaceBenchReport(
            frames, width, height, detectorInput,
            stages.ToDictionary(s => s.Key, s => TimingSummary.Of(s.Value)),
            TimingSummary.Of(whole),
            TimingSummary.Of(inference));
    }

    private static int RoundUp32(int value) => Math.Max(32, (value + 31) / 32 * 32);
}
