using MynaTerminal.Cameras.Imaging;

namespace MynaTerminal.Cameras.Tests;

public sealed class ImageFileTests
{
    [Theory]
    [InlineData("face.jpg")]
    [InlineData("face.JPEG")]
    [InlineData("face.png")]
    [InlineData("face.bmp")]
    public void Loads_each_format_with_colours_in_bgr_order(string name)
    {
        using var folder = new TempFolder();
        var original = TestImages.Quadrants(63, 47); // odd sizes: BMP row padding, PNG scanlines
        var bytes = Path.GetExtension(name).ToLowerInvariant() switch
        {
            ".png" => TestImages.Png(original),
            ".bmp" => TestImages.Bmp(original),
            _ => TestImages.Jpeg(original),
        };
        var path = folder.Write(name, bytes);

        var image = ImageFile.Load(path);

        Assert.Equal((63, 47), (image.Width, image.Height));
        var lossless = !name.EndsWith(".jpg", StringComparison.Ordinal) && !name.EndsWith(".JPEG", StringComparison.Ordinal);
        if (lossless)
        {
            Assert.Equal(original.Bgr, image.Bgr);
        }
        else
        {
            TestImages.AssertQuadrants(image, tolerance: 10);
        }
    }

    [Fact]
    public void Content_decides_the_decoder_when_the_extension_lies()
    {
        using var folder = new TempFolder();
        var original = TestImages.Quadrants(20, 10);
        var path = folder.Write("really-a-png.jpg", TestImages.Png(original));

        Assert.Equal(original.Bgr, ImageFile.Load(path).Bgr);
    }

    [Fact]
    public void Unknown_extension_names_the_path_and_the_supported_formats()
    {
        using var folder = new TempFolder();
        var path = folder.Write("face.gif", "GIF89a"u8.ToArray());

        var error = Assert.Throws<ImageDecodeException>(() => ImageFile.Load(path));

        Assert.Equal(path, error.Path);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("'.gif'", error.Message, StringComparison.Ordinal);
        Assert.Contains(".png", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_file_names_the_path()
    {
        using var folder = new TempFolder();
        var path = folder.File("nobody.jpg");

        var error = Assert.Throws<ImageDecodeException>(() => ImageFile.Load(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
        Assert.IsType<FileNotFoundException>(error.InnerException);
    }

    [Fact]
    public void Unreadable_file_names_the_path()
    {
        Assert.SkipWhen(Environment.UserName == "root", "root reads files whatever their mode.");
        using var folder = new TempFolder();
        var path = folder.Write("locked.png", TestImages.Png(TestImages.Solid(4, 4, Bgr.Red)));
        File.SetUnixFileMode(path, UnixFileMode.None);

        var error = Assert.Throws<ImageDecodeException>(() => ImageFile.Load(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("permission", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_folder_given_as_a_file_names_the_path()
    {
        using var folder = new TempFolder();
        var path = folder.File("dir.png");
        Directory.CreateDirectory(path);

        var error = Assert.Throws<ImageDecodeException>(() => ImageFile.Load(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("text.jpg", "hello, not an image", "not a JPEG, PNG or BMP")]
    [InlineData("empty.png", "", "empty")]
    public void Wrong_content_names_the_path_and_the_problem(string name, string content, string expected)
    {
        using var folder = new TempFolder();
        var path = folder.Write(name, System.Text.Encoding.ASCII.GetBytes(content));

        var error = Assert.Throws<ImageDecodeException>(() => ImageFile.Load(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cut.png")]
    [InlineData("cut.bmp")]
    [InlineData("cut.jpg")]
    public void Corrupt_image_is_a_decode_exception_naming_the_path(string name)
    {
        using var folder = new TempFolder();
        var original = TestImages.Quadrants(64, 48);
        var bytes = Path.GetExtension(name) switch
        {
            ".png" => TestImages.Png(original),
            ".bmp" => TestImages.Bmp(original),
            _ => TestImages.Jpeg(original),
        };
        var path = folder.Write(name, bytes[..(bytes.Length / 3)]);

        var error = Assert.Throws<ImageDecodeException>(() => ImageFile.Load(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Equal(path, error.Path);
    }
}
