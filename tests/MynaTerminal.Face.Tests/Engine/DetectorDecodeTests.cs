using MynaTerminal.Face.Engine;

namespace MynaTerminal.Face.Tests.Engine;

public sealed class NmsTests
{
    private static FaceDetection At(float x, float y, float size, float score) =>
        new(new BoxF(x, y, size, size), score, new PointF[FaceDetection.LandmarkCount]);

    [Fact]
    public void Overlapping_boxes_keep_the_best_score_and_survivors_come_largest_first()
    {
        var candidates = new List<FaceDetection>
        {
            At(100, 100, 50, 0.8f), At(102, 101, 50, 0.95f), At(300, 300, 90, 0.7f), At(10, 10, 20, 0.99f),
        };

        var kept = YuNetDetector.Suppress(candidates, 0.3f, 10);

        Assert.Equal(3, kept.Count);
        Assert.Equal(90, kept[0].Box.Width);
        Assert.Equal(0.95f, kept[1].Score);
        Assert.Equal(20, kept[2].Box.Width);
    }

    [Fact]
    public void At_most_max_faces_survive()
    {
        var candidates = Enumerable.Range(0, 20).Select(i => At(i * 100, 0, 50, 0.9f - (i * 0.01f))).ToList();
        Assert.Equal(5, YuNetDetector.Suppress(candidates, 0.3f, 5).Count);
    }
}
