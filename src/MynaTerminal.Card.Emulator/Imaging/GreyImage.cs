using MynaTerminal.Core.Devices;

namespace MynaTerminal.Card.Emulator.Imaging;

/// <summary>An 8-bit greyscale image, row-major (0 = black, 255 = white).</summary>
public sealed class GreyImage
{
    public GreyImage(int width, int height, byte[]? pixels = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        Pixels = pixels ?? new byte[width * height];
        if (Pixels.Length != width * height)
        {
            throw new ArgumentException("Pixel count does not match the size.", nameof(pixels));
        }

        Width = width;
        Height = height;
    }

    public int Width { get; }

    public int Height { get; }

    public byte[] Pixels { get; }

    public byte this[int x, int y]
    {
        get => Pixels[(y * Width) + x];
        set => Pixels[(y * Width) + x] = value;
    }

    public void Fill(byte value) => Array.Fill(Pixels, value);

    public void FillRectangle(int x, int y, int width, int height, byte value)
    {
        for (var row = Math.Max(0, y); row < Math.Min(Height, y + height); row++)
        {
            for (var column = Math.Max(0, x); column < Math.Min(Width, x + width); column++)
            {
                this[column, row] = value;
            }
        }
    }

    /// <summary>Copies <paramref name="source"/> with its top-left corner at (x, y), clipped.</summary>
    public void Draw(GreyImage source, int x, int y)
    {
        ArgumentNullException.ThrowIfNull(source);
        for (var row = 0; row < source.Height; row++)
        {
            for (var column = 0; column < source.Width; column++)
            {
                var (tx, ty) = (x + column, y + row);
                if (tx >= 0 && ty >= 0 && tx < Width && ty < Height)
                {
                    this[tx, ty] = source[column, row];
                }
            }
        }
    }

    /// <summary>BGR, as the Core's cameras deliver images.</summary>
    public FaceImage ToFaceImage(string? simulationTag = null)
    {
        var bgr = new byte[Pixels.Length * 3];
        for (var i = 0; i < Pixels.Length; i++)
        {
            bgr[3 * i] = bgr[(3 * i) + 1] = bgr[(3 * i) + 2] = Pixels[i];
        }

        return new FaceImage(Width, Height, bgr) { SimulationTag = simulationTag };
    }

    /// <summary>Luma of a BGR image (ITU-R BT.601 weights).</summary>
    public static GreyImage FromFaceImage(FaceImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var grey = new GreyImage(image.Width, image.Height);
        for (var i = 0; i < grey.Pixels.Length; i++)
        {
            var (b, g, r) = (image.Bgr[3 * i], image.Bgr[(3 * i) + 1], image.Bgr[(3 * i) + 2]);
            grey.Pixels[i] = (byte)(((114 * b) + (587 * g) + (299 * r) + 500) / 1000);
        }

        return grey;
    }
}
