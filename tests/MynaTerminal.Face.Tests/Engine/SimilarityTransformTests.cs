using MynaTerminal.Face.Engine;

namespace MynaTerminal.Face.Tests.Engine;

public sealed class SimilarityTransformTests
{
    [Fact]
    public void Recovers_a_known_rotation_scale_and_translation_from_five_points()
    {
        var angle = 30 * Math.PI / 180;
        var scale = 1.7;
        var truth = new Affine2D(scale * Math.Cos(angle), -scale * Math.Sin(angle), 12.5, scale * Math.Sin(angle), scale * Math.Cos(angle), -7.25);
        PointF[] source = [new(10, 20), new(50, 22), new(30, 40), new(15, 60), new(48, 61)];
        var destination = source.Select(truth.Apply).ToArray();

        var estimated = SimilarityTransform.Estimate(source, destination);

        Assert.Equal(truth.A, estimated.A, 6);
        Assert.Equal(truth.B, estimated.B, 6);
        Assert.Equal(truth.C, estimated.C, 4);
        Assert.Equal(truth.D, estimated.D, 6);
        Assert.Equal(truth.E, estimated.E, 6);
        Assert.Equal(truth.F, estimated.F, 4);
        Assert.Equal(scale, estimated.Scale, 6);
    }

    [Fact]
    public void Never_reflects_even_when_the_points_are_mirrored()
    {
        PointF[] source = [new(0, 0), new(12, 1), new(5, 6), new(1, 10), new(11, 13)];
        var mirrored = source.Select(p => new PointF(-p.X, p.Y)).ToArray();

        var t = SimilarityTransform.Estimate(source, mirrored);

        // A similarity has A = E and B = −D: a proper rotation, determinant > 0.
        Assert.Equal(t.A, t.E, 9);
        Assert.Equal(t.B, -t.D, 9);
        Assert.True((t.A * t.E) - (t.B * t.D) >= 0);
    }

    [Fact]
    public void Inverse_maps_back()
    {
        var t = new Affine2D(0.8, -0.3, 5, 0.3, 0.8, -2);
        var p = new PointF(17, -4);
        var back = t.Invert().Apply(t.Apply(p));
        Assert.Equal(p.X, back.X, 4);
        Assert.Equal(p.Y, back.Y, 4);
    }

    [Fact]
    public void Coinciding_points_are_refused()
    {
        PointF[] same = [new(3, 3), new(3, 3), new(3, 3)];
        Assert.Throws<ArgumentException>(() => SimilarityTransform.Estimate(same, same));
        Assert.Throws<ArgumentException>(() => SimilarityTransform.Estimate([new(1, 1)], [new(2, 2)]));
    }

    [Fact]
    public void Box_iou()
    {
        var a = new BoxF(0, 0, 10, 10);
        Assert.Equal(1f, a.IoU(a));
        Assert.Equal(0f, a.IoU(new BoxF(20, 20, 5, 5)));
        Assert.Equal(25f / 175f, a.IoU(new BoxF(5, 5, 10, 10)), 5);
    }
}
