using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace MynaTerminal.Card.Emulator.Imaging;

/// <summary>A minimal PNG writer for greyscale images (8-bit, or 1-bit like the card's name/address images).</summary>
public static class Png
{
    private static readonly uint[] CrcTable = BuildCrcTable();

    /// <summary>Encodes <paramref name="image"/>; with <paramref name="bitDepth"/> 1, pixels ≥ 128 become white.</summary>
    public static byte[] EncodeGrey(GreyImage image, int bitDepth = 8)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (bitDepth is not (1 or 8))
        {
            throw new ArgumentOutOfRangeException(nameof(bitDepth), "1 or 8.");
        }

        var rowBytes = bitDepth == 8 ? image.Width : (image.Width + 7) / 8;
        var raw = new byte[(rowBytes + 1) * image.Height];
        for (var y = 0; y < image.Height; y++)
        {
            var row = raw.AsSpan((y * (rowBytes + 1)) + 1, rowBytes); // filter byte 0 (None) before each row
            for (var x = 0; x < image.Width; x++)
            {
                if (bitDepth == 8)
                {
                    row[x] = image[x, y];
                }
                else if (image[x, y] >= 128)
                {
                    row[x / 8] |= (byte)(0x80 >> (x % 8));
                }
            }
        }

        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            zlib.Write(raw);
        }

        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, image.Width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), image.Height);
        header[8] = (byte)bitDepth;
        header[9] = 0; // greyscale
        WriteChunk(png, "IHDR", header);
        WriteChunk(png, "IDAT", compressed.ToArray());
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void WriteChunk(Stream stream, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> four = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(four, data.Length);
        stream.Write(four);
        var typeBytes = Encoding.ASCII.GetBytes(type);
        stream.Write(typeBytes);
        stream.Write(data);
        var crc = Crc(0xFFFFFFFF, typeBytes);
        crc = Crc(crc, data) ^ 0xFFFFFFFF;
        BinaryPrimitives.WriteUInt32BigEndian(four, crc);
        stream.Write(four);
    }

    private static uint Crc(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc;
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
