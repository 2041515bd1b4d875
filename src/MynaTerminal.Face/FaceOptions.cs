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

    /// <summary>
    /// Cosine similarity at or above which the faces match. It belongs to one recognition model
    /// (<see cref="CalibratedFor"/>) and one calibration (<see cref="Calibration"/>); see docs/face.md.
    /// </summary>
    [Range(0.0, 1.0)]
    public double MatchThreshold { get; set; } = 0.38;

    /// <summary>The recognition model (FaceEngine:Embedder) the thresholds were calibrated for.</summary>
    [Required]
    public string CalibratedFor { get; set; } = "mobilefacenet";

    /// <summary>Where the thresholds came from: data set, command and date (shown by self-test, logged at start).</summary>
    public string Calibration { get; set; } = string.Empty;

    /// <summary>Similarity at or above which the match is reported as the high band.</summary>
    [Range(0.0, 1.0)]
    public double HighBandThreshold { get; set; } = 0.6;

    /// <summary>Matching frames that must also pass liveness before the attempt succeeds.</summary>
    [Range(1, 10)]
    public int RequiredLiveMatches { get; set; } = 2;

    /// <summary>Frames judged not live, in one attempt, before it ends as a suspected spoof.</summary>
    [Range(1, 50)]
    public int SpoofFramesToReject { get; set; } = 5;
}
