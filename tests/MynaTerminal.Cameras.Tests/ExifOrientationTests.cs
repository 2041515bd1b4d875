using MynaTerminal.Cameras.Imaging;
using MynaTerminal.Core.Devices;

namespace MynaTerminal.Cameras.Tests;

public sealed class ExifOrientationTests
{
    /// <summary>A 3×2 image whose pixels are numbered 1..6 (row-major) in every channel.</summary>
    private static FaceImage Numbered() => new(3, 2, [.. Enumerable.Range(1, 6).SelectMany(v => new[] { (byte)v, (byte)v, (byte)v })]);

    private static byte[] Pixels(FaceImage image) => [.. Enumerable.Range(0, image.Width * image.Height).Select(i => image.Bgr[3 * i])];

    /// <summary>A JPEG with an EXIF APP1 segment carrying the orientation, in the byte order given.</summary>
    private static byte[] WithExif(byte[] jpeg, ushort orientation, bool littleEndian)
    {
        var tiff = littleEndian
            ? new byte[] { (byte)'I', (byte)'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, (byte)orientation, 0, 0, 0, 0, 0, 0, 0 }
            : [(byte)'M', (byte)'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (byte)orientation, 0, 0, 0, 0, 0, 0];
        var payload = "Exif\0\0"u8.ToArray().Concat(tiff).ToArray();
        var length = payload.Length + 2;
        var app1 = new byte[] { 0xFF, 0xE1, (byte)(length >> 8), (byte)length }.Concat(payload);
        return [.. jpeg.Take(2), .. app1, .. jpeg.Skip(2)];
    }

    [Theory]
    [InlineData(1, 3, 2, new byte[] { 1, 2, 3, 4, 5, 6 })]
    [InlineData(2, 3, 2, new byte[] { 3, 2, 1, 6, 5, 4 })]
    [InlineData(3, 3, 2, new byte[] { 6, 5, 4, 3, 2, 1 })]
    [InlineData(4, 3, 2, new byte[] { 4, 5, 6, 1, 2, 3 })]
    [InlineData(5, 2, 3, new byte[] { 1, 4, 2, 5, 3, 6 })]
    [InlineData(6, 2, 3, new byte[] { 4, 1, 5, 2, 6, 3 })] // stored sideways: turned 90° clockwise
    [InlineData(7, 2, 3, new byte[] { 6, 3, 5, 2, 4, 1 })]
    [InlineData(8, 2, 3, new byte[] { 3, 6, 2, 5, 1, 4 })]
    public void Each_orientation_turns_the_pixels_upright(int orientation, int width, int height, byte[] expected)
    {
        var upright = ExifOrientation.Apply(Numbered(), orientation);

        Assert.Equal((width, height), (upright.Width, upright.Height));
        Assert.Equal(expected, Pixels(upright));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_orientation_is_read_from_the_exif_segment_in_either_byte_order(bool littleEndian)
    {
        var jpeg = Jpeg.EncodeBgr(new FaceImage(16, 8, new byte[16 * 8 * 3]), 90);

        Assert.Equal(1, ExifOrientation.Read(jpeg));
        Assert.Equal(6, ExifOrientation.Read(WithExif(jpeg, 6, littleEndian)));
        Assert.Equal(1, ExifOrientation.Read(WithExif(jpeg, 99, littleEndian)));
        Assert.Equal(1, ExifOrientation.Read([0xFF, 0xD8, 0xFF, 0xE1, 0x00]));
        Assert.Equal(1, ExifOrientation.Read("not a jpeg"u8));
    }

    [Fact]
    public void Image_files_load_upright()
    {
        var path = Path.Combine(Path.GetTempPath(), $"mynaterm-exif-{Guid.NewGuid():N}.jpg");
        try
        {
            File.WriteAllBytes(path, WithExif(Jpeg.EncodeBgr(new FaceImage(32, 16, new byte[32 * 16 * 3]), 90), 6, littleEndian: true));
            var image = ImageFile.Load(path);
            Assert.Equal((16, 32), (image.Width, image.Height));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
