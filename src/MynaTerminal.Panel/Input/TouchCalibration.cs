namespace MynaTerminal.Panel.Input;

/// <summary>
/// Raw touch coordinates → frame pixels as one affine map: <c>x = A·rx + B·ry + C</c>, <c>y = D·rx + E·ry + F</c>.
/// Built from three reference points (any rotation, mirror, scale and shear) or from raw ranges with swap / invert.
/// </summary>
public sealed record TouchCalibration(double A, double B, double C, double D, double E, double F)
{
    /// <summary>Maps a raw point to frame pixels (not clamped: a point off the frame hits no button).</summary>
    public (float X, float Y) Map(double rawX, double rawY) =>
        ((float)((A * rawX) + (B * rawY) + C), (float)((D * rawX) + (E * rawY) + F));

    /// <summary>
    /// Raw ranges of the device axes → a <paramref name="width"/> × <paramref name="height"/> frame: swap the raw axes
    /// when <paramref name="swapXY"/>, scale each range onto 0 … size-1, then mirror the inverted frame axes.
    /// </summary>
    public static TouchCalibration FromRanges(int rawMinX, int rawMaxX, int rawMinY, int rawMaxY, bool swapXY, bool invertX, bool invertY, int width, int height)
    {
        if (rawMaxX <= rawMinX || rawMaxY <= rawMinY)
        {
            throw new ArgumentException($"Raw ranges must be increasing (X {rawMinX}…{rawMaxX}, Y {rawMinY}…{rawMaxY}).");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);

        // Frame X is fed by raw X (or raw Y when swapped), frame Y by the other axis.
        var (xMin, xMax, yMin, yMax) = swapXY ? (rawMinY, rawMaxY, rawMinX, rawMaxX) : (rawMinX, rawMaxX, rawMinY, rawMaxY);
        var sx = (width - 1) / (double)(xMax - xMin);
        var sy = (height - 1) / (double)(yMax - yMin);
        var (ax, cx) = invertX ? (-sx, (width - 1) + (sx * xMin)) : (sx, -sx * xMin);
        var (ay, cy) = invertY ? (-sy, (height - 1) + (sy * yMin)) : (sy, -sy * yMin);
        return swapXY
            ? new TouchCalibration(0, ax, cx, ay, 0, cy)
            : new TouchCalibration(ax, 0, cx, 0, ay, cy);
    }

    /// <summary>The affine map through three raw → frame points; false when either triangle is degenerate.</summary>
    public static bool TryFromPoints(IReadOnlyList<CalibrationPoint> points, out TouchCalibration calibration)
    {
        ArgumentNullException.ThrowIfNull(points);
        calibration = new TouchCalibration(1, 0, 0, 0, 1, 0);
        if (points.Count != 3)
        {
            return false;
        }

        var (p, q, r) = (points[0], points[1], points[2]);
        var det = Area(p.RawX, p.RawY, q.RawX, q.RawY, r.RawX, r.RawY);
        var screenArea = Area(p.ScreenX, p.ScreenY, q.ScreenX, q.ScreenY, r.ScreenX, r.ScreenY);
        if (Math.Abs(det) < 1e-9 || Math.Abs(screenArea) < 1e-9)
        {
            return false;
        }

        // Cramer's rule on [rx ry 1]·[A B C]ᵀ = X (and the same for Y).
        (double, double, double) Solve(double v0, double v1, double v2)
        {
            var a = ((v0 * (q.RawY - r.RawY)) + (v1 * (r.RawY - p.RawY)) + (v2 * (p.RawY - q.RawY))) / det;
            var b = ((v0 * (r.RawX - q.RawX)) + (v1 * (p.RawX - r.RawX)) + (v2 * (q.RawX - p.RawX))) / det;
            var c = ((v0 * ((q.RawX * r.RawY) - (r.RawX * q.RawY))) + (v1 * ((r.RawX * p.RawY) - (p.RawX * r.RawY))) + (v2 * ((p.RawX * q.RawY) - (q.RawX * p.RawY)))) / det;
            return (a, b, c);
        }

        var (ca, cb, cc) = Solve(p.ScreenX, q.ScreenX, r.ScreenX);
        var (cd, ce, cf) = Solve(p.ScreenY, q.ScreenY, r.ScreenY);
        calibration = new TouchCalibration(ca, cb, cc, cd, ce, cf);
        return true;
    }

    /// <summary>Twice the signed area of the triangle (the determinant of the 3 × 3 system).</summary>
    private static double Area(double x0, double y0, double x1, double y1, double x2, double y2) =>
        ((x1 - x0) * (y2 - y0)) - ((x2 - x0) * (y1 - y0));
}
