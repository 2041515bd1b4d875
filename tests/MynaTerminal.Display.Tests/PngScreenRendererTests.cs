using MynaTerminal.Core.Devices;
using SkiaSharp;

namespace MynaTerminal.Display.Tests;

public sealed class PngScreenRendererTests
{
    private static readonly string[] JapaneseFontFiles =
    [
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
    ];

    private static bool JapaneseFontInstalled => JapaneseFontFiles.Any(File.Exists);

    [Fact]
    public void Renders_a_valid_png_of_the_configured_size()
    {
        using var renderer = new PngScreenRenderer(new DisplayOptions { OutputFolder = "unused", Width = 800, Height = 480 });
        var png = renderer.Render(ScreenComposer.Compose(Snapshots.All["idle"]));

        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        using var bitmap = SKBitmap.Decode(png);
        Assert.NotNull(bitmap);
        Assert.Equal(800, bitmap.Width);
        Assert.Equal(480, bitmap.Height);
    }

    [Fact]
    public void Renders_other_sizes()
    {
        using var renderer = new PngScreenRenderer(320, 240);
        using var bitmap = SKBitmap.Decode(renderer.Render(ScreenComposer.Compose(Snapshots.All["pin-wrong"])));
        Assert.Equal(320, bitmap.Width);
        Assert.Equal(240, bitmap.Height);
    }

    [Fact]
    public void Rendering_is_deterministic()
    {
        using var renderer = new PngScreenRenderer();
        var screen = ScreenComposer.Compose(Snapshots.All["failed-CertificateExpired"]);
        Assert.Equal(renderer.Render(screen), renderer.Render(screen));
    }

    [Fact]
    public void Every_variant_renders_in_every_language()
    {
        using var renderer = new PngScreenRenderer();
        foreach (var snapshot in Snapshots.All.Values)
        {
            foreach (var language in ScreenTexts.Languages)
            {
                using var bitmap = SKBitmap.Decode(renderer.Render(ScreenComposer.Compose(snapshot with { Language = language })));
                Assert.Equal(800, bitmap.Width);
            }
        }
    }

    [Fact]
    public void Overlong_text_and_many_buttons_still_render()
    {
        using var renderer = new PngScreenRenderer();
        var longLine = string.Concat(Enumerable.Repeat("とても長い説明文です。", 40)) + string.Concat(Enumerable.Repeat("a very long English sentence ", 20));
        var screen = new Screen(
            "stress", "ja", new string('題', 80), Enumerable.Repeat(longLine, 12).Append("𠮷野家").ToArray(),
            Enumerable.Range(0, 8).Select(i => new ScreenButton($"b{i}", new string('ボ', 30))).ToArray(), ScreenTone.Attention);
        using var bitmap = SKBitmap.Decode(renderer.Render(screen));
        Assert.Equal(480, bitmap.Height);
    }

    [Fact]
    public void Finds_a_Japanese_font_when_one_is_installed()
    {
        Assert.SkipUnless(JapaneseFontInstalled, "No fonts-noto-cjk or fonts-ipafont-gothic on this machine.");
        using var renderer = new PngScreenRenderer();
        Assert.True(renderer.HasJapaneseFont, $"Font in use: {renderer.FontPath ?? "(default)"} {renderer.FontFamily}");
        Assert.NotNull(renderer.FontPath);
    }

    [Fact]
    public void Japanese_title_is_drawn()
    {
        Assert.SkipUnless(JapaneseFontInstalled, "No fonts-noto-cjk or fonts-ipafont-gothic on this machine.");
        using var renderer = new PngScreenRenderer();
        var titleArea = new SKRectI(10, 8, 420, 64);

        using var withTitle = SKBitmap.Decode(renderer.Render(new Screen("t", "ja", "確認が完了しました", [], [])));
        using var empty = SKBitmap.Decode(renderer.Render(new Screen("t", "ja", string.Empty, [], [])));

        var barColour = withTitle.GetPixel(2, 2);
        Assert.True(CountDifferent(withTitle, titleArea, barColour) > 200, "The Japanese title left (almost) no pixels.");
        Assert.Equal(0, CountDifferent(empty, titleArea, barColour));
    }

    [Fact]
    public void Japanese_lines_are_drawn()
    {
        Assert.SkipUnless(JapaneseFontInstalled, "No fonts-noto-cjk or fonts-ipafont-gothic on this machine.");
        using var renderer = new PngScreenRenderer();
        var body = new SKRectI(20, 90, 780, 140);
        using var bitmap = SKBitmap.Decode(renderer.Render(new Screen("t", "ja", "題", ["カードを動かさないでください"], [])));
        Assert.True(CountDifferent(bitmap, body, bitmap.GetPixel(5, 470)) > 200);
    }

    [Fact]
    public void A_font_without_kana_is_reported()
    {
        const string dejaVu = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
        Assert.SkipUnless(File.Exists(dejaVu), "DejaVu Sans is not installed.");
        using var renderer = new PngScreenRenderer(fontPath: dejaVu);
        Assert.False(renderer.HasJapaneseFont);
    }

    [Fact]
    public void A_missing_font_file_is_an_error()
    {
        Assert.Throws<FileNotFoundException>(() => new PngScreenRenderer(fontPath: "/nonexistent/font.ttf"));
    }

    [Fact]
    public void Font_locator_prefers_Noto_Sans_CJK_over_IPAGothic()
    {
        var root = Directory.CreateTempSubdirectory("myna-fonts-");
        try
        {
            Directory.CreateDirectory(Path.Combine(root.FullName, "ipa"));
            Directory.CreateDirectory(Path.Combine(root.FullName, "noto"));
            File.WriteAllBytes(Path.Combine(root.FullName, "ipa", "ipag.ttf"), []);
            File.WriteAllBytes(Path.Combine(root.FullName, "other.ttf"), []);
            Assert.Equal(Path.Combine(root.FullName, "ipa", "ipag.ttf"), JapaneseFontLocator.Find([root.FullName]));

            File.WriteAllBytes(Path.Combine(root.FullName, "noto", "NotoSansCJK-Regular.ttc"), []);
            Assert.Equal(Path.Combine(root.FullName, "noto", "NotoSansCJK-Regular.ttc"), JapaneseFontLocator.Find([root.FullName]));
            Assert.Null(JapaneseFontLocator.Find([Path.Combine(root.FullName, "missing")]));
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    private static int CountDifferent(SKBitmap bitmap, SKRectI area, SKColor background)
    {
        var count = 0;
        for (var y = area.Top; y < area.Bottom; y++)
        {
            for (var x = area.Left; x < area.Right; x++)
            {
                if (bitmap.GetPixel(x, y) != background)
                {
                    count++;
                }
            }
        }

        return count;
    }
}
