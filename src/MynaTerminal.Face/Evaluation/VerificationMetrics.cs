namespace MynaTerminal.Face.Evaluation;

/// <summary>Error rates of a verifier over scored genuine (same person) and impostor (different people) pairs.</summary>
/// <param name="PairsSame">Genuine pairs.</param>
/// <param name="PairsDifferent">Impostor pairs.</param>
/// <param name="Threshold">The operating threshold the rates below are computed at (score ≥ threshold = match).</param>
/// <param name="Fnmr">False non-match rate at <paramref name="Threshold"/>: genuine pairs scored below it.</param>
/// <param name="Fmr">False match rate at <paramref name="Threshold"/>: impostor pairs scored at or above it.</param>
/// <param name="Eer">Equal error rate: where FNMR and FMR cross (their mean at the closest point).</param>
/// <param name="EerThreshold">The threshold at the EER.</param>
/// <param name="ThresholdAtFmr">The lowest threshold whose FMR is at most <paramref name="TargetFmr"/>.</param>
/// <param name="FnmrAtFmr">The FNMR at <paramref name="ThresholdAtFmr"/>.</param>
public sealed record VerificationMetrics(
    int PairsSame,
    int PairsDifferent,
    double Threshold,
    double Fnmr,
    double Fmr,
    double Eer,
    double EerThreshold,
    double TargetFmr,
    double ThresholdAtFmr,
    double FnmrAtFmr)
{
    /// <summary>FMR 0.1%: the operating point the target is stated at.</summary>
    public const double DefaultTargetFmr = 0.001;

    public static VerificationMetrics Compute(IReadOnlyList<double> same, IReadOnlyList<double> different, double threshold, double targetFmr = DefaultTargetFmr)
    {
        if (same.Count == 0 || different.Count == 0)
        {
            throw new ArgumentException("Both genuine and impostor pairs are needed.");
        }

        var genuine = same.Order().ToArray();
        var impostor = different.Order().ToArray();

        // Candidate thresholds: every observed score (and just above the highest), so rates are exact step values.
        var candidates = genuine.Concat(impostor).Append(Math.BitIncrement(Math.Max(genuine[^1], impostor[^1]))).Distinct().Order().ToArray();
        var eer = double.MaxValue;
        var eerGap = double.MaxValue;
        var eerThreshold = 0.0;
        double? atFmr = null;
        foreach (var t in candidates)
        {
            var fnmr = FnmrAt(genuine, t);
            var fmr = FmrAt(impostor, t);
            var gap = Math.Abs(fnmr - fmr);
            if (gap < eerGap)
            {
                eerGap = gap;
                eer = (fnmr + fmr) / 2;
                eerThreshold = t;
            }

            if (atFmr is null && fmr <= targetFmr)
            {
                atFmr = t;
            }
        }

        var thresholdAtFmr = atFmr ?? candidates[^1];
        return new VerificationMetrics(
            genuine.Length, impostor.Length, threshold, FnmrAt(genuine, threshold), FmrAt(impostor, threshold),
            eer, eerThreshold, targetFmr, thresholdAtFmr, FnmrAt(genuine, thresholdAtFmr));
    }

    /// <summary>Share of genuine scores below <paramref name="threshold"/> (sorted input).</summary>
    private static double FnmrAt(double[] sortedGenuine, double threshold) => (double)LowerBound(sortedGenuine, threshold) / sortedGenuine.Length;

    /// <summary>Share of impostor scores at or above <paramref name="threshold"/> (sorted input).</summary>
    private static double FmrAt(double[] sortedImpostor, double threshold) => (double)(sortedImpostor.Length - LowerBound(sortedImpostor, threshold)) / sortedImpostor.Length;

    /// <summary>Index of the first element ≥ value.</summary>
    private static int LowerBound(double[] sorted, double value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (sorted[mid] < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}

/// <summary>Median and 95th percentile of a set of timings.</summary>
public readonly record struct TimingSummary(int Count, double Median, double P95)
{
    public static TimingSummary Of(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0)
        {
            return new TimingSummary(0, double.NaN, double.NaN);
        }

        var sorted = values.Order().ToArray();
        return new TimingSummary(sorted.Length, Percentile(sorted, 0.5), Percentile(sorted, 0.95));
    }

    /// <summary>Linear interpolation between closest ranks.</summary>
    public static double Percentile(double[] sorted, double p)
    {
        var rank = p * (sorted.Length - 1);
        var low = (int)Math.Floor(rank);
        var high = Math.Min(sorted.Length - 1, low + 1);
        return sorted[low] + ((sorted[high] - sorted[low]) * (rank - low));
    }
}
