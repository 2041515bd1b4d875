using System.ComponentModel.DataAnnotations;

namespace MynaTerminal.Face;

/// <summary>Face-authentication policy (section "Face").</summary>
public sealed class FaceOptions
{
    public const string Section = "Face";

    /// <summary>How long one attempt looks at live frames before giving up.</summary>
    public TimeSpan AttemptDuration { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>Frames considered per attempt at most (best of N).</summary>
    [Range(1, 300)]
    public int MaxFrames { get; set; } = 30;

    /// <summary>Cosine similarity at or above which the faces match.</summary>
    [Range(0.0, 1.0)]
    public double MatchThreshold { get; set; } = 0.363;

    /// <summary>Similarity at or above which the match is reported as the high band.</summary>
    [Range(0.0, 1.0)]
    public double HighBandThreshold { get; set; } = 0.55;

    /// <summary>Matching frames that must also pass liveness before the attempt succeeds.</summary>
    [Range(1, 10)]
    public int RequiredLiveMatches { get; set; } = 2;

    /// <summary>Frames judged not live, in one attempt, before it ends as a suspected spoof.</summary>
    [Range(1, 50)]
    public int SpoofFramesToReject { get; set; } = 5;
}
