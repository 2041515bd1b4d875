namespace MynaTerminal.Face.Engine;

/// <summary>A point in image pixels (x to the right, y down).</summary>
public readonly record struct PointF(float X, float Y);

/// <summary>An axis-aligned box in image pixels.</summary>
public readonly record struct BoxF(float X, float Y, float Width, float Height)
{
    public float Right => X + Width;

    public float Bottom => Y + Height;

    public float Area => Math.Max(0, Width) * Math.Max(0, Height);

    public PointF Centre => new(X + (Width / 2), Y + (Height / 2));

    /// <summary>Intersection over union with another box (0 when they do not overlap).</summary>
    public float IoU(BoxF other)
    {
        var x1 = Math.Max(X, other.X);
        var y1 = Math.Max(Y, other.Y);
        var x2 = Math.Min(Right, other.Right);
        var y2 = Math.Min(Bottom, other.Bottom);
        var intersection = Math.Max(0, x2 - x1) * Math.Max(0, y2 - y1);
        var union = Area + other.Area - intersection;
        return union <= 0 ? 0 : intersection / union;
    }
}

/// <summary>
/// One detected face: box, detector score and the five landmarks in YuNet's order — the subject's right eye
/// (image left), left eye, nose tip, right mouth corner, left mouth corner.
/// </summary>
public sealed record FaceDetection(BoxF Box, float Score, PointF[] Landmarks)
{
    public const int LandmarkCount = 5;

    public PointF RightEye => Landmarks[0];

    public PointF LeftEye => Landmarks[1];

    public PointF Nose => Landmarks[2];

    public PointF RightMouth => Landmarks[3];

    public PointF LeftMouth => Landmarks[4];
}

/// <summary>
/// A 2×3 affine map <c>(x, y) → (A·x + B·y + C, D·x + E·y + F)</c>. For a similarity transform A = E and B = −D.
/// </summary>
public readonly record struct Affine2D(double A, double B, double C, double D, double E, double F)
{
    public PointF Apply(PointF p) => new((float)((A * p.X) + (B * p.Y) + C), (float)((D * p.X) + (E * p.Y) + F));

    public Affine2D Invert()
    {
        var det = (A * E) - (B * D);
        if (Math.Abs(det) < 1e-12)
        {
            throw new InvalidOperationException("The transform is singular.");
        }

        var ia = E / det;
        var ib = -B / det;
        var id = -D / det;
        var ie = A / det;
        return new Affine2D(ia, ib, -((ia * C) + (ib * F)), id, ie, -((id * C) + (ie * F)));
    }

    /// <summary>The scale of a similarity transform.</summary>
    public double Scale => Math.Sqrt((A * A) + (D * D));
}

/// <summary>
/// The least-squares similarity transform (rotation, uniform scale, translation; no reflection) between two point
/// sets — Umeyama (1991), as scikit-image's <c>SimilarityTransform.estimate</c> computes it for face alignment.
/// </summary>
public static class SimilarityTransform
{
    public static Affine2D Estimate(ReadOnlySpan<PointF> source, ReadOnlySpan<PointF> destination)
    {
        if (source.Length != destination.Length || source.Length < 2)
        {
            throw new ArgumentException("Two point sets of the same length (at least 2) are needed.");
        }

        var n = source.Length;
        double smx = 0, smy = 0, dmx = 0, dmy = 0;
        for (var i = 0; i < n; i++)
        {
            smx += source[i].X;
            smy += source[i].Y;
            dmx += destination[i].X;
            dmy += destination[i].Y;
        }

        smx /= n;
        smy /= n;
        dmx /= n;
        dmy /= n;

        // Covariance Σ = (1/n) Σ d'·s'ᵀ and the source variance.
        double c00 = 0, c01 = 0, c10 = 0, c11 = 0, sourceVariance = 0;
        for (var i = 0; i < n; i++)
        {
            var sx = source[i].X - smx;
            var sy = source[i].Y - smy;
            var dx = destination[i].X - dmx;
            var dy = destination[i].Y - dmy;
            c00 += dx * sx;
            c01 += dx * sy;
            c10 += dy * sx;
            c11 += dy * sy;
            sourceVariance += (sx * sx) + (sy * sy);
        }

        c00 /= n;
        c01 /= n;
        c10 /= n;
        c11 /= n;
        sourceVariance /= n;
        if (sourceVariance < 1e-12)
        {
            throw new ArgumentException("The source points coincide.");
        }

        // For 2×2 the optimal rotation of a similarity (no reflection) has the closed form
        // R = [[cos, −sin], [sin, cos]] with tan θ = (c10 − c01) / (c00 + c11), and the Umeyama scale
        // s = trace(D·S)/σ² = ((c00 + c11)·cos θ + (c10 − c01)·sin θ) / σ².
        var a = c00 + c11;
        var b = c10 - c01;
        var norm = Math.Sqrt((a * a) + (b * b));
        if (norm < 1e-12)
        {
            throw new ArgumentException("The point sets are degenerate.");
        }

        var cos = a / norm;
        var sin = b / norm;
        var scale = norm / sourceVariance;
        var ra = scale * cos;
        var rd = scale * sin;
        var tx = dmx - ((ra * smx) - (rd * smy));
        var ty = dmy - ((rd * smx) + (ra * smy));
        return new Affine2D(ra, -rd, tx, rd, ra, ty);
    }
}
