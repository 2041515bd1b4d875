using BenchmarkDotNet.Attributes;
using MynaTerminal.Cameras.Imaging;
using MynaTerminal.Core.Devices;
using MynaTerminal.Face.Engine;
using MynaTerminal.Face.Evaluation;
using MynaTerminal.Face.Models;

namespace MynaTerminal.Benchmarks;

/// <summary>
/// The face pipeline stage by stage on one 640×480 camera-like frame (a portrait of ../shared/faces with the face at
/// 30% of the width, JPEG-encoded as an MJPEG camera delivers it). Models from $MYNATERM_MODELS or ../shared/models.
/// </summary>
[MemoryDiagnoser]
public class FaceStageBenchmarks
{
    private OnnxFaceEngine _engine = null!;
    private byte[] _jpeg = [];
    private FaceImage _frame = null!;
    private FaceDetection _face = null!;
    private IFaceReference _reference = null!;
    private readonly float[] _embedding = new float[FaceEmbedder.Dimensions];

    [Params(320)]
    public int DetectorInputSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var models = BenchData.Folder("MYNATERM_MODELS", "models");
        var faces = BenchData.Folder("MYNATERM_FACES", "faces");
        var store = new ModelStore(models);
        _engine = new OnnxFaceEngine(new FaceEngineOptions { DetectorInputSize = DetectorInputSize }, store.PathOf);
        var portrait = ImageFile.Load(Path.Combine(faces, "obama", "2.jpg"));
        _frame = CameraFrameSimulator.Frame(portrait, _engine.Detector.Detect(portrait)[0].Box);
        _jpeg = Jpeg.EncodeBgr(_frame, 85);
        _face = _engine.Detector.Detect(_frame)[0];
        _reference = _engine.Enrol(ImageFile.Load(Path.Combine(faces, "obama", "1.jpg")));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _reference.Dispose();
        _engine.Dispose();
    }

    [Benchmark]
    public int Decode() => Jpeg.DecodeBgr(_jpeg).Width;

    [Benchmark]
    public int Detect() => _engine.Detector.Detect(_frame).Count;

    [Benchmark]
    public void AlignAndEmbed()
    {
        _engine.Embedder.Align(_frame, _face);
        _engine.Embedder.Embed(_embedding); // consumes the aligned input so the next call starts clean
    }

    [Benchmark]
    public float Liveness() => _engine.LivenessOf(_frame, _face) ?? 0;

    /// <summary>What the terminal does per camera frame: decode, detect, gates, align, embed, compare, liveness.</summary>
    [Benchmark(Baseline = true)]
    public float? WholeFrame() => _reference.Compare(Jpeg.DecodeBgr(_jpeg)).Similarity;
}

internal static class BenchData
{
    public static string Folder(string variable, string name)
    {
        if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } configured)
        {
            return configured;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", name);
            if (File.Exists(Path.Combine(candidate, "MANIFEST.md")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"No shared/{name} folder found; set {variable}.");
    }
}
