using System.ComponentModel.DataAnnotations;

namespace MynaTerminal.Face.Engine;

/// <summary>The ONNX face engine (section "FaceEngine"): models, detector, recogniser, liveness and quality gates.</summary>
public sealed class FaceEngineOptions
{
    public const string Section = "FaceEngine";

    /// <summary>Folder with the model files, each checked against the project's sha256 manifest at start.</summary>
    [Required]
    public string ModelsPath { get; set; } = "/var/lib/mynaterm/models";

    /// <summary>Detector model id: <c>yunet-dynamic</c> (any input size) or <c>yunet-640</c> (fixed 640×640).</summary>
    [Required]
    public string Detector { get; set; } = "yunet-dynamic";

    /// <summary>The long side of the frame is scaled to this many pixels for detection (multiple of 32; 320 on a Pi).</summary>
    [Range(64, 1280)]
    public int DetectorInputSize { get; set; } = 320;

    [Range(0.05, 0.99)]
    public double DetectorScoreThreshold { get; set; } = 0.6;

    [Range(0.05, 0.95)]
    public double NmsIouThreshold { get; set; } = 0.3;

    /// <summary>Recognition model id: <c>mobilefacenet</c> (default) or <c>sface</c>.</summary>
    [Required]
    public string Embedder { get; set; } = "mobilefacenet";

    /// <summary>Fused MiniFASNet real score at or above which a frame counts as live.</summary>
    [Range(0.0, 1.0)]
    public double LivenessThreshold { get; set; } = 0.5;

    /// <summary>Run the liveness models (turn off only for evaluation).</summary>
    public bool Liveness { get; set; } = true;

    /// <summary>ONNX Runtime intra-op threads per session (the Pi 4/5 has 4 cores; leave one for the rest).</summary>
    [Range(1, 16)]
    public int IntraOpThreads { get; set; } = 2;

    public FaceQualityOptions Quality { get; set; } = new();

    /// <summary>Model ids this configuration needs, in load order.</summary>
    public IReadOnlyList<string> RequiredModels() =>
        Liveness ? [Detector, Embedder, FaceModelIds.LivenessV2, FaceModelIds.LivenessV1SE] : [Detector, Embedder];

    public EmbedderKind EmbedderKind => Embedder switch
    {
        FaceModelIds.MobileFaceNet => EmbedderKind.MobileFaceNet,
        FaceModelIds.SFace => EmbedderKind.SFace,
        _ => throw new InvalidOperationException($"FaceEngine:Embedder '{Embedder}' is not a known recognition model ({FaceModelIds.MobileFaceNet}, {FaceModelIds.SFace})."),
    };
}

/// <summary>The model ids of the project's model manifest that the engine uses by role.</summary>
public static class FaceModelIds
{
    public const string YuNetDynamic = "yunet-dynamic";
    public const string YuNet640 = "yunet-640";
    public const string MobileFaceNet = "mobilefacenet";
    public const string SFace = "sface";
    public const string LivenessV2 = "minifasnet-v2";
    public const string LivenessV1SE = "minifasnet-v1se";

    public static IReadOnlyList<string> Detectors { get; } = [YuNetDynamic, YuNet640];

    public static IReadOnlyList<string> Embedders { get; } = [MobileFaceNet, SFace];
}
