using MynaTerminal.Face.Evaluation;

namespace MynaTerminal.Face.Tests.Engine;

public sealed class MetricsTests
{
    [Fact]
    public void Rates_at_the_threshold_count_ties_as_matches()
    {
        double[] same = [0.3, 0.5, 0.6, 0.7];
        double[] different = [0.1, 0.2, 0.5, -0.1];

        var m = VerificationMetrics.Compute(same, different, threshold: 0.5);

        Assert.Equal(4, m.PairsSame);
        Assert.Equal(4, m.PairsDifferent);
        Assert.Equal(0.25, m.Fnmr); // 0.3 < 0.5
        Assert.Equal(0.25, m.Fmr);  // 0.5 ≥ 0.5
    }

    [Fact]
    public void Separable_scores_have_zero_eer_and_a_threshold_between_the_classes()
    {
        double[] same = [0.6, 0.7, 0.8];
        double[] different = [0.1, 0.2, 0.35];

        var m = VerificationMetrics.Compute(same, different, threshold: 0.5);

        Assert.Equal(0, m.Eer);
        Assert.InRange(m.EerThreshold, 0.35 + 1e-9, 0.6);
        Assert.Equal(0, m.FnmrAtFmr);
        Assert.InRange(m.ThresholdAtFmr, 0.35 + 1e-9, 0.6);
    }

    [Fact]
    public void Overlapping_scores_give_the_crossing_point()
    {
        // Genuine 0.40..0.85 and impostor 0.05..0.50 in steps of 0.05: they overlap on 0.40..0.50.
        var same = Enumerable.Range(8, 10).Select(i => i * 5 / 100.0).ToArray();
        var different = Enumerable.Range(1, 10).Select(i => i * 5 / 100.0).ToArray();

        var m = VerificationMetrics.Compute(same, different, threshold: 0.5, targetFmr: 0.0);

        // At 0.45: FNMR 1/10 (0.40), FMR 2/10 (0.45, 0.50) — the closest the two curves come; EER is their mean.
        Assert.Equal(0.15, m.Eer, 6);
        Assert.Equal(0.45, m.EerThreshold, 6);

        // FMR 0 first at 0.55, which rejects 0.40, 0.45 and 0.50.
        Assert.Equal(0.55, m.ThresholdAtFmr, 6);
        Assert.Equal(0.3, m.FnmrAtFmr, 6);
        Assert.Equal(0, VerificationMetrics.Compute(same, different, m.ThresholdAtFmr).Fmr);
    }

    [Fact]
    public void Empty_sets_are_refused()
    {
        Assert.Throws<ArgumentException>(() => VerificationMetrics.Compute([], [0.1], 0.5));
    }

    [Fact]
    public void Percentiles_interpolate_between_ranks()
    {
        var t = TimingSummary.Of([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
        Assert.Equal(6, t.Median);
        Assert.Equal(10.5, t.P95, 6);
        Assert.Equal(11, t.Count);
        Assert.True(double.IsNaN(TimingSummary.Of([]).Median));
    }
}
