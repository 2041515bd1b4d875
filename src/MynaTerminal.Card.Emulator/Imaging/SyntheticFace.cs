namespace MynaTerminal.Card.Emulator.Imaging;

/// <summary>
/// A generated greyscale head-and-shoulders "passport photo" for a persona without a real photo. Deterministic per
/// seed (face width, eye spacing, hair and mouth vary a little), so the same persona always has the same chip photo.
/// </summary>
public static class SyntheticFace
{
    public const int DefaultWidth = 96;
    public const int DefaultHeight = 120;

    public static GreyImage Generate(string seed, int width = DefaultWidth, int height = DefaultHeight)
    {
        ArgumentNullException.ThrowIfNull(seed);
        var hash = 17;
        foreach (var c in seed)
        {
            hash = unchecked((hash * 31) + c);
        }

        var random = new Random(hash);
        double Vary(double amount) => (random.NextDouble() - 0.5) * 2 * amount;

        var image = new GreyImage(width, height);
        double sx = width / 96.0, sy = height / 120.0;
        var faceWidth = 27 + Vary(3);
        var eyeSpacing = 11 + Vary(1.5);
        var hairTone = (byte)(35 + random.Next(40));
        var skinTone = 170 + Vary(15);

        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                double u = x / sx, v = y / sy;
                double value = 215 - (v * 0.25); // background, light vertical gradient
                if (Inside(u, v, 48, 126, 48, 26))
                {
                    value = 80; // shoulders (clothes)
                }

                if (u is > 39 and < 57 && v is > 82 and < 104)
                {
                    value = skinTone - 15; // neck
                }

                if (Inside(u, v, 48, 46, faceWidth + 8, 40))
                {
                    value = hairTone; // hair behind the face
                }

                if (Inside(u, v, 48, 60, faceWidth, 36))
                {
                    var edge = Ellipse(u, v, 48, 60, faceWidth, 36);
                    value = skinTone - (edge * 35); // face, darker towards the edge
                }

                if (Inside(u, v, 48, 30, faceWidth + 2, 12) && v < 34)
                {
                    value = hairTone; // fringe
                }

                foreach (var side in new[] { -1.0, 1.0 })
                {
                    var eyeX = 48 + (side * eyeSpacing);
                    if (Inside(u, v, eyeX, 55, 6, 3))
                    {
                        value = 235; // white of the eye
                    }

                    if (Inside(u, v, eyeX, 55, 2.6, 2.6))
                    {
                        value = 30; // iris
                    }

                    if (v is > 47 and < 50 && Math.Abs(u - eyeX) < 6.5)
                    {
                        value = hairTone + 15; // eyebrow
                    }
                }

                if (Math.Abs(u - 48) < 1.2 && v is > 57 and < 69)
                {
                    value = skinTone - 30; // nose bridge
                }

                if (Inside(u, v, 48, 69, 4.5, 1.8))
                {
                    value = skinTone - 45; // nose tip shadow
                }

                if (Inside(u, v, 48, 79, 9 + Vary(0), 2.5))
                {
                    value = 105; // mouth
                }

                image[x, y] = (byte)Math.Clamp(value, 0, 255);
            }
        }

        return image;
    }

    private static double Ellipse(double u, double v, double cx, double cy, double rx, double ry)
    {
        var (dx, dy) = ((u - cx) / rx, (v - cy) / ry);
        return (dx * dx) + (dy * dy);
    }

    private static bool Inside(double u, double v, double cx, double cy, double rx, double ry) => Ellipse(u, v, cx, cy, rx, ry) <= 1;
}
