using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using MynaTerminal.Cameras.Imaging;
using MynaTerminal.Core.Devices;

namespace MynaTerminal.Cameras.Tests;

/// <summary>A colour as stored in a BGR image.</summary>
internal readonly record struct Bgr(byte B, byte G, byte R)
{
    public static readonly Bgr Red = new(0, 0, 255);
    public static readonly Bgr Green = new(0, 255, 0);
    public static readonly Bgr Blue = new(255, 0, 0);
    public static readonly Bgr White = new(255, 255, 255);
    public static readonly Bgr Black = new(0, 0, 0);
    public static readonly Bgr Yellow = new(0, 255, 255);
    public static readonly Bgr Grey = new(128, 128, 128);

    public override string ToString() => $"B{B} G{G} R{R}";
}

/// <summary>Generated test images (no binary files in the repository).</summary>
internal static class TestImages
{
    /// <summary>Four quadrants: top-left, top-right, bottom-left, bottom-right.</summary>
    public static FaceImage Quadrants(int width, int height, Bgr topLeft, Bgr topRight, Bgr bottomLeft, Bgr bottomRight)
    {
        var image = new FaceImage(width, height, new byte[width * height * 3]);
        Fill(image, 0, 0, width / 2, height / 2, topLeft);
        Fill(image, width / 2, 0, width - (width / 2), height / 2, topRight);
        Fill(image, 0, height / 2, width / 2, height - (height / 2), bottomLeft);
        Fill(image, width / 2, height / 2, width - (width / 2), height - (height / 2), bottomRight);
        return image;
    }

    public static FaceImage Quadrants(int width = 64, int height = 48) =>
        Quadrants(width, height, Bgr.Red, Bgr.Green, Bgr.Blue, Bgr.White);

    public static FaceImage Solid(int width, int height, Bgr colour)
    {
        var image = new FaceImage(width, height, new byte[width * height * 3]);
        Fill(image, 0, 0, width, height, colour);
        return image;
    }

    public static void Fill(FaceImage image, int x, int y, int w, int h, Bgr colour)
    {
        for (var row = y; row < y + h; row++)
        {
            for (var col = x; col < x + w; col++)
            {
                var i = ((row * image.Width) + col) * 3;
                image.Bgr[i] = colour.B;
                image.Bgr[i + 1] = colour.G;
                image.Bgr[i + 2] = colour.R;
            }
        }
    }

    public static Bgr At(FaceImage image, int x, int y)
    {
        var i = ((y * image.Width) + x) * 3;
        return new Bgr(image.Bgr[i], image.Bgr[i + 1], image.Bgr[i + 2]);
    }

    /// <summary>Asserts a pixel is within <paramref name="tolerance"/> of a colour in each channel.</summary>
    public static void AssertColour(Bgr expected, FaceImage image, int x, int y, int tolerance = 10)
    {
        var actual = At(image, x, y);
        Assert.True(
            Math.Abs(actual.B - expected.B) <= tolerance && Math.Abs(actual.G - expected.G) <= tolerance && Math.Abs(actual.R - expected.R) <= tolerance,
            $"pixel ({x},{y}) is {actual}, expected {expected} ± {tolerance}");
    }

    /// <summary>Asserts the four quadrant centres have the colours of <see cref="Quadrants(int, int)"/>.</summary>
    public static void AssertQuadrants(FaceImage image, Bgr topLeft, Bgr topRight, Bgr bottomLeft, Bgr bottomRight, int tolerance = 10)
    {
        int qx = image.Width / 4, qy = image.Height / 4;
        AssertColour(topLeft, image, qx, qy, tolerance);
        AssertColour(topRight, image, image.Width - qx - 1, qy, tolerance);
        AssertColour(bottomLeft, image, qx, image.Height - qy - 1, tolerance);
        AssertColour(bottomRight, image, image.Width - qx - 1, image.Height - qy - 1, tolerance);
    }

    public static void AssertQuadrants(FaceImage image, int tolerance = 10) =>
        AssertQuadrants(image, Bgr.Red, Bgr.Green, Bgr.Blue, Bgr.White, tolerance);

    /// <summary>A JPEG with sharp colour (4:4:4, quality 95).</summary>
    public static byte[] Jpeg(FaceImage image, int quality = 95) => Imaging.Jpeg.EncodeBgr(image, quality, JpegSubsampling.Yuv444);

    /// <summary>Distinct solid-colour JPEG frames (frame i has blue channel 20 + 40·i) for stream tests.</summary>
    public static byte[][] NumberedFrames(int count, int width = 32, int height = 24) =>
        Enumerable.Range(0, count).Select(i => Jpeg(Solid(width, height, FrameColour(i)))).ToArray();

    public static Bgr FrameColour(int i) => new((byte)(20 + (40 * (i % 6))), 100, 60);

    /// <summary>Which of <see cref="NumberedFrames"/> an image shows, by its centre's blue channel.</summary>
    public static int FrameNumber(FaceImage image)
    {
        var b = At(image, image.Width / 2, image.Height / 2).B;
        return (int)Math.Round((b - 20) / 40.0);
    }

    /// <summary>Encodes BGR pixels to YUYV with the BT.601 limited-range forward transform (rounded).</summary>
    public static byte[] ToYuyv(FaceImage image, int stride = 0)
    {
        stride = stride == 0 ? image.Width * 2 : stride;
        var yuyv = new byte[stride * image.Height];
        for (var y = 0; y < image.Height; y++)
        {
            for (var x = 0; x < image.Width; x += 2)
            {
                var p0 = At(image, x, y);
                var p1 = At(image, x + 1, y);
                var (y0, u0, v0) = ToYuv(p0);
                var (y1, u1, v1) = ToYuv(p1);
                var o = (y * stride) + (x * 2);
                yuyv[o] = y0;
                yuyv[o + 1] = (byte)((u0 + u1 + 1) / 2);
                yuyv[o + 2] = y1;
                yuyv[o + 3] = (byte)((v0 + v1 + 1) / 2);
            }
        }

        return yuyv;
    }

    public static (byte Y, byte U, byte V) ToYuv(Bgr c)
    {
        double r = c.R, g = c.G, b = c.B;
        var y = 16 + ((65.481 * r) + (128.553 * g) + (24.966 * b)) / 255;
        var u = 128 + ((-37.797 * r) - (74.203 * g) + (112.0 * b)) / 255;
        var v = 128 + ((112.0 * r) - (93.786 * g) - (18.214 * b)) / 255;
        return (ClampByte(y), ClampByte(u), ClampByte(v));
    }

    /// <summary>A minimal PNG (8-bit RGB, filter 0, zlib via ZLibStream).</summary>
    public static byte[] Png(FaceImage image)
    {
        var raw = new MemoryStream();
        for (var y = 0; y < image.Height; y++)
        {
            raw.WriteByte(0);
            for (var x = 0; x < image.Width; x++)
            {
                var c = At(image, x, y);
                raw.WriteByte(c.R);
                raw.WriteByte(c.G);
                raw.WriteByte(c.B);
            }
        }

        var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            raw.Position = 0;
            raw.CopyTo(zlib);
        }

        var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, image.Width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), image.Height);
        header[8] = 8;
        header[9] = 2;
        PngChunk(png, "IHDR", header);
        PngChunk(png, "IDAT", compressed.ToArray());
        PngChunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>A 24-bit bottom-up BMP with rows padded to 4 bytes.</summary>
    public static byte[] Bmp(FaceImage image)
    {
        var rowBytes = ((image.Width * 3) + 3) & ~3;
        var size = 54 + (rowBytes * image.Height);
        var bmp = new byte[size];
        bmp[0] = (byte)'B';
        bmp[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(2), size);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(10), 54);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(18), image.Width);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(22), image.Height);
        BinaryPrimitives.WriteInt16LittleEndian(bmp.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(bmp.AsSpan(28), 24);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(34), rowBytes * image.Height);
        for (var y = 0; y < image.Height; y++)
        {
            var row = 54 + ((image.Height - 1 - y) * rowBytes);
            image.Bgr.AsSpan(y * image.Width * 3, image.Width * 3).CopyTo(bmp.AsSpan(row));
        }

        return bmp;
    }

    /// <summary>
    /// A small but structurally real MJPEG AVI: RIFF/AVI with hdrl (avih, strl with strh/strf 'MJPG'), a JUNK chunk
    /// holding a false SOI, movi with one '00dc' chunk per frame (padded to even length), and idx1.
    /// </summary>
    public static byte[] Avi(IReadOnlyList<byte[]> frames, int width, int height, int fps = 15)
    {
        var movi = new MemoryStream();
        var index = new MemoryStream();
        var moviWriter = new BinaryWriter(movi);
        var indexWriter = new BinaryWriter(index);
        moviWriter.Write("movi"u8);
        foreach (var frame in frames)
        {
            indexWriter.Write("00dc"u8);
            indexWriter.Write(0x10);
            indexWriter.Write((int)movi.Position);
            indexWriter.Write(frame.Length);
            moviWriter.Write("00dc"u8);
            moviWriter.Write(frame.Length);
            moviWriter.Write(frame);
            if (frame.Length % 2 == 1)
            {
                moviWriter.Write((byte)0);
            }
        }

        var strl = new MemoryStream();
        var s = new BinaryWriter(strl);
        s.Write("strl"u8);
        s.Write("strh"u8);
        s.Write(56);
        s.Write("vids"u8);
        s.Write("MJPG"u8);
        s.Write(0);
        s.Write(0);
        s.Write(0);
        s.Write(1);
        s.Write(fps);
        s.Write(0);
        s.Write(frames.Count);
        s.Write(0);
        s.Write(-1);
        s.Write(0);
        s.Write((short)0);
        s.Write((short)0);
        s.Write((short)width);
        s.Write((short)height);
        s.Write("strf"u8);
        s.Write(40);
        s.Write(40);
        s.Write(width);
        s.Write(height);
        s.Write((short)1);
        s.Write((short)24);
        s.Write("MJPG"u8);
        s.Write(width * height * 3);
        s.Write(0);
        s.Write(0);
        s.Write(0);
        s.Write(0);

        var hdrl = new MemoryStream();
        var h = new BinaryWriter(hdrl);
        h.Write("hdrl"u8);
        h.Write("avih"u8);
        h.Write(56);
        h.Write(1_000_000 / fps);
        h.Write(0);
        h.Write(0);
        h.Write(0x10);
        h.Write(frames.Count);
        h.Write(0);
        h.Write(1);
        h.Write(0);
        h.Write(width);
        h.Write(height);
        h.Write(new byte[16]);
        h.Write("LIST"u8);
        h.Write((int)strl.Length);
        h.Write(strl.ToArray());

        var riff = new MemoryStream();
        var r = new BinaryWriter(riff);
        r.Write("RIFF"u8);
        r.Write(0);
        r.Write("AVI "u8);
        r.Write("LIST"u8);
        r.Write((int)hdrl.Length);
        r.Write(hdrl.ToArray());
        r.Write("JUNK"u8);
        r.Write(8);
        r.Write(new byte[] { 0xFF, 0xD8, 0xFF, 0x00, 0xFF, 0xD9, 0x12, 0x34 });
        r.Write("LIST"u8);
        r.Write((int)movi.Length);
        r.Write(movi.ToArray());
        r.Write("idx1"u8);
        r.Write((int)index.Length);
        r.Write(index.ToArray());
        var bytes = riff.ToArray();
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), bytes.Length - 8);
        return bytes;
    }

    private static byte ClampByte(double value) => (byte)Math.Clamp(Math.Round(value), 0, 255);

    private static void PngChunk(Stream png, string type, byte[] data)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        png.Write(length);
        var typeAndData = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(typeAndData);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typeAndData));
        png.Write(crc);
    }

    private static uint Crc32(byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }
}

/// <summary>A temporary folder removed at the end of the test.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder() => Path = Directory.CreateTempSubdirectory("myna-cameras-").FullName;

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string Write(string name, byte[] content)
    {
        var path = File(name);
        System.IO.File.WriteAllBytes(path, content);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
