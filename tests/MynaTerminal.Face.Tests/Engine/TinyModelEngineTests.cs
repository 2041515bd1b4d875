using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Results;
using MynaTerminal.Face.Engine;
using MynaTerminal.Face.Tests.Models;
using MynaTerminal.Face.Tests.TinyModels;

namespace MynaTerminal.Face.Tests.Engine;

/// <summary>
/// The engine's plumbing — preprocessing, decoding, alignment, normalisation, liveness fusion, gates, wiping — with
/// tiny models the tests generate, so it runs on every machine. A white square on the B channel is a "face" to the
/// tiny detector (see <see cref="TinyDetectorSpec"/>); the tiny embedder sees mean colour, the tiny liveness model
/// calls a green surrounding live and a red one a spoof.
/// </summary>
public sealed class TinyModelEngineTests
{
    private static readonly FaceEngineOptions Lenient = new()
    {
        Quality = new FaceQualityOptions { MinFacePixels = 16, MinFaceWidthRatio = 0.05, MinSharpness = 0 },
    };

    private static FaceImage Scene(int size, int faceX, int faceY, int faceSize, (byte B, byte G, byte R) background, (byte B, byte G, byte R)? face = null)
    {
        var bgr = new byte[size * size * 3];
        var f = face ?? (255, 255, 255);
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                var inFace = x >= faceX && x < faceX + faceSize && y >= faceY && y < faceY + faceSize;
                var (b, g, r) = inFace ? f : background;
                var i = ((y * size) + x) * 3;
                (bgr[i], bgr[i + 1], bgr[i + 2]) = (b, g, r);
            }
        }

        return new FaceImage(size, size, bgr);
    }

    [Fact]
    public void The_planted_face_is_decoded_where_the_tiny_detector_puts_it()
    {
        using var tiny = TinyModelFolder.Create();
        using var engine = new OnnxFaceEngine(Lenient, tiny.PathOf);

        // 320 px: detector input scale 1. The square covers stride-32 cell (row 3, col 4).
        var faces = engine.Detector.Detect(Scene(320, 128, 96, 32, (0, 90, 0)));

        var face = Assert.Single(faces);
        var expected = new TinyDetectorSpec().ExpectedFace(32, 3, 4);
        Assert.Equal(new BoxF(expected.X, expected.Y, expected.Width, expected.Height), face.Box);
        Assert.Equal(1f, face.Score, 4);
        for (var k = 0; k < FaceDetection.LandmarkCount; k++)
        {
            Assert.Equal(expected.Landmarks[2 * k], face.Landmarks[k].X, 3);
            Assert.Equal(expected.Landmarks[(2 * k) + 1], face.Landmarks[k].Y, 3);
        }
    }

    [Fact]
    public void Boxes_are_mapped_back_from_the_scaled_detector_input_to_the_frame()
    {
        using var tiny = TinyModelFolder.Create();
        using var engine = new OnnxFaceEngine(Lenient, tiny.PathOf);

        // 640 px frame, detector input 320: the 64-px square at (256, 192) lands on cell (3, 4) and comes back doubled.
        var face = Assert.Single(engine.Detector.Detect(Scene(640, 256, 192, 64, (0, 90, 0))));

        Assert.Equal(new BoxF(256, 192, 64, 64), face.Box);
        Assert.Equal(256 + 22, face.Landmarks[0].X, 3);
    }

    [Fact]
    public void The_fixed_640_detector_letterboxes_and_maps_back()
    {
        using var tiny = TinyModelFolder.Create();
        using var fixedEngine = new OnnxFaceEngine(new FaceEngineOptions { Detector = FaceModelIds.YuNet640, Quality = Lenient.Quality }, tiny.PathOf);

        // A 320-px frame is scaled ×2 into the 640 input: the 16-px square becomes the 32-px cell (3, 4).
        var face = Assert.Single(fixedEngine.Detector.Detect(Scene(320, 64, 48, 16, (0, 90, 0))));
        Assert.Equal(new BoxF(64, 48, 16, 16), face.Box);
    }

    [Fact]
    public void Same_colours_embed_alike_and_different_colours_apart()
    {
        using var tiny = TinyModelFolder.Create();
        using var engine = new OnnxFaceEngine(Lenient, tiny.PathOf);
        float[] a = new float[FaceEmbedder.Dimensions], b = new float[FaceEmbedder.Dimensions], c = new float[FaceEmbedder.Dimensions];

        Assert.True(engine.TryEmbed(Scene(320, 128, 96, 32, (0, 90, 0)), a, out _));
        Assert.True(engine.TryEmbed(Scene(320, 128, 96, 32, (0, 90, 0)), b, out _));
        Assert.True(engine.TryEmbed(Scene(320, 128, 96, 32, (0, 90, 0), face: (255, 0, 0)), c, out _));

        Assert.Equal(1f, System.Numerics.Tensors.TensorPrimitives.Norm(a), 4); // L2-normalised
        Assert.Equal(1f, FaceEmbedder.Cosine(a, b), 4);
        Assert.True(FaceEmbedder.Cosine(a, c) < 0.95f, $"cosine {FaceEmbedder.Cosine(a, c)}");
    }

    [Fact]
    public void Comparison_carries_similarity_liveness_and_guidance_and_wipes_its_buffers()
    {
        using var tiny = TinyModelFolder.Create();
        using var engine = new OnnxFaceEngine(Lenient, tiny.PathOf);
        using var reference = engine.Enrol(Scene(320, 128, 128, 32, (0, 200, 0)));
        Assert.True(reference.IsUsable);

        var live = reference.Compare(Scene(320, 128, 128, 32, (0, 200, 0)));
        Assert.Equal(1f, live.Similarity!.Value, 3);
        Assert.True(live.Live);
        Assert.Equal(FaceHint.None, live.Hint);
        Assert.Equal(new PreviewBox(128, 128, 32, 32), live.Face);

        // The same face surrounded by red: the tiny liveness model calls it a spoof.
        var spoof = reference.Compare(Scene(320, 128, 128, 32, (0, 0, 200)));
        Assert.NotNull(spoof.Similarity);
        Assert.False(spoof.Live);

        // Nobody there.
        Assert.Equal(new FaceComparison(null, false, FaceHint.NoFace), reference.Compare(Scene(320, 0, 0, 0, (0, 200, 0))));

        // Nothing of the last frame stays in the engine's buffers.
        foreach (var (owner, name) in new (object, string)[] { (engine.Embedder, "_input"), (engine.Embedder, "_output"), (engine, "_probe"), (engine, "_alignedGrey") })
        {
            var buffer = (Array)owner.GetType().GetField(name, System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(owner)!;
            Assert.All(buffer.Cast<object>(), v => Assert.Equal(0.0, Convert.ToDouble(v, System.Globalization.CultureInfo.InvariantCulture)));
        }
    }

    [Fact]
    public void Quality_gates_run_before_the_embedding()
    {
        using var tiny = TinyModelFolder.Create();
        using var engine = new OnnxFaceEngine(new FaceEngineOptions(), tiny.PathOf); // default gates: 32 px is too small
        using var reference = engine.Enrol(Scene(320, 128, 128, 32, (0, 200, 0)));

        var verdict = reference.Compare(Scene(320, 128, 128, 32, (0, 200, 0)));
        Assert.Equal((null, false, FaceHint.TooFar), (verdict.Similarity, verdict.Live, verdict.Hint));
        Assert.Equal(new PreviewBox(128, 128, 32, 32), verdict.Face);
    }

    [Fact]
    public void A_frame_that_fails_a_pixel_gate_is_not_embedded_and_leaves_nothing_behind()
    {
        using var tiny = TinyModelFolder.Create();
        var strict = new FaceEngineOptions
        {
            Quality = new FaceQualityOptions { MinFacePixels = 16, MinFaceWidthRatio = 0.05, MinSharpness = 1e9 },
        };
        using var engine = new OnnxFaceEngine(strict, tiny.PathOf);
        using var reference = engine.Enrol(Scene(320, 128, 128, 32, (0, 200, 0)));

        var blurred = reference.Compare(Scene(320, 128, 128, 32, (0, 200, 0)));

        Assert.Equal((null, false, FaceHint.HoldStill), (blurred.Similarity, blurred.Live, blurred.Hint));
        var input = (float[])engine.Embedder.GetType().GetField("_input", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(engine.Embedder)!;
        Assert.All(input, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void A_model_with_other_tensors_is_refused_naming_the_file_and_the_expected_input()
    {
        using var folder = new TempFolder();
        var wrong = folder.File("wrong.onnx");
        TinyOnnxModels.WriteWrongInputName(wrong);
        var notOnnx = folder.File("not.onnx");
        TinyOnnxModels.WriteNotOnnx(notOnnx);

        var e1 = Assert.Throws<FaceModelException>(() => new LivenessClassifier(wrong, wrong, new OnnxSessionSettings(1)));
        Assert.Contains(wrong, e1.Message);
        Assert.Contains("'input'", e1.Message);

        var e2 = Assert.Throws<FaceModelException>(() => new FaceEmbedder(notOnnx, EmbedderKind.MobileFaceNet, new OnnxSessionSettings(1)));
        Assert.Contains("could not be loaded", e2.Message);

        var e3 = Assert.Throws<FaceModelException>(() => new YuNetDetector(folder.File("missing.onnx"), new DetectorSettings(), new OnnxSessionSettings(1)));
        Assert.Contains("does not exist", e3.Message);
    }

    [Fact]
    public void Unknown_model_ids_are_refused_at_construction()
    {
        using var tiny = TinyModelFolder.Create();
        Assert.Throws<FaceModelException>(() => new OnnxFaceEngine(new FaceEngineOptions { Detector = "mobilefacenet" }, tiny.PathOf));
        Assert.Throws<InvalidOperationException>(() => new OnnxFaceEngine(new FaceEngineOptions { Embedder = "arcface" }, tiny.PathOf));
    }
}
