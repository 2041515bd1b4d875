using MynaTerminal.Core.Devices;
using SkiaSharp;

namespace MynaTerminal.Display.Tests;

/// <summary>
/// Renders every screen in every language at 480 × 800 and 800 × 480 into a folder, plus one contact sheet per
/// language. The folder is <c>$MYNATERM_SCREENSHOTS</c>, else <c>screenshots/</c> in the test output;
/// <c>scripts/screenshots.sh</c> runs this test and copies the contact sheets into <c>docs/screens/</c>.
/// </summary>
public sealed class ScreenshotTests
{
    /// <summary>Environment variable naming the output folder.</summary>
    public const string FolderVariable = "MYNATERM_SCREENSHOTS";

    private const float ThumbnailScale = 0.25f;

    private static IReadOnlyList<(string Name, Screen Screen)> Showcase(string language) => ScreenGallery.Screens(language);

    [Fact]
    public void The_showcase_covers_every_screen_id()
    {
        var all = Snapshots.All.Values.Select(s => ScreenComposer.Compose(s).Id).ToHashSet(StringComparer.Ordinal);
        var shown = Showcase("ja").Select(s => s.Screen.Id).ToHashSet(StringComparer.Ordinal);
        Assert.Empty(all.Except(shown));
    }

    [Fact]
    public void Every_screen_in_every_language_is_rendered_with_a_contact_sheet()
    {
        var folder = Environment.GetEnvironmentVariable(FolderVariable) is { Length: > 0 } configured
            ? Path.GetFullPath(configured)
            : Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        using var portrait = new PngScreenRenderer(480, 800);
        using var landscape = new PngScreenRenderer(800, 480);
        using var labelFace = SKTypeface.FromFile(JapaneseFontLocator.Find() ?? string.Empty) ?? SKTypeface.Default;

        foreach (var language in ScreenTexts.Languages)
        {
            var shots = Showcase(language);
            if (Directory.Exists(Path.Combine(folder, language)))
            {
                Directory.Delete(Path.Combine(folder, language), recursive: true); // Screens renamed since the last run go.
            }

            var thumbnails = new List<(string Label, SKImage Image)>();
            try
            {
                foreach (var renderer in new[] { portrait, landscape })
                {
                    var sizeFolder = Path.Combine(folder, language, $"{renderer.Width}x{renderer.Height}");
                    Directory.CreateDirectory(sizeFolder);
                    for (var i = 0; i < shots.Count; i++)
                    {
                        var (name, screen) = shots[i];
                        var png = renderer.Render(screen);
                        var file = Path.Combine(sizeFolder, $"{i + 1:00}-{name}.png");
                        File.WriteAllBytes(file, png);
                        using var decoded = SKBitmap.Decode(png);
                        Assert.Equal(renderer.Width, decoded.Width);
                        thumbnails.Add((name, Thumbnail(decoded)));
                    }
                }

                var sheet = Path.Combine(folder, $"contact-{language}.png");
                File.WriteAllBytes(sheet, ContactSheet(thumbnails, labelFace));
                using var check = SKBitmap.Decode(sheet);
                Assert.NotNull(check);
            }
            finally
            {
                foreach (var (_, image) in thumbnails)
                {
                    image.Dispose();
                }
            }
        }

        // Two sizes of every showcase screen per language, and one contact sheet per language.
        foreach (var language in ScreenTexts.Languages)
        {
            Assert.Equal(Showcase(language).Count * 2, Directory.GetFiles(Path.Combine(folder, language), "*.png", SearchOption.AllDirectories).Length);
            Assert.True(File.Exists(Path.Combine(folder, $"contact-{language}.png")));
        }

        TestContext.Current.SendDiagnosticMessage($"Screenshots in {folder}");
    }

    private static SKImage Thumbnail(SKBitmap full)
    {
        var info = new SKImageInfo((int)(full.Width * ThumbnailScale), (int)(full.Height * ThumbnailScale));
        using var small = full.Resize(info, new SKSamplingOptions(SKCubicResampler.Mitchell));
        return SKImage.FromBitmap(small);
    }

    /// <summary>Portrait thumbnails in rows, then landscape ones, each with its variant name under it.</summary>
    private static byte[] ContactSheet(IReadOnlyList<(string Label, SKImage Image)> thumbnails, SKTypeface face)
    {
        const int gap = 6, label = 12, width = 1000;
        var rows = new List<List<(string Label, SKImage Image)>>();
        var rowWidth = 0;
        foreach (var thumb in thumbnails)
        {
            var newOrientation = rows.Count > 0 && rows[^1][0].Image.Width != thumb.Image.Width;
            if (rows.Count == 0 || newOrientation || rowWidth + thumb.Image.Width + gap > width)
            {
                rows.Add([]);
                rowWidth = gap;
            }

            rows[^1].Add(thumb);
            rowWidth += thumb.Image.Width + gap;
        }

        var height = gap + rows.Sum(r => r[0].Image.Height + label + gap);
        using var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(new SKColor(0xDD, 0xDD, 0xDD));
            using var font = new SKFont(face, 10);
            using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
            var y = gap;
            foreach (var row in rows)
            {
                var x = gap;
                foreach (var (name, image) in row)
                {
                    canvas.DrawImage(image, x, y);
                    canvas.DrawText(name, x, y + image.Height + label - 2, SKTextAlign.Left, font, ink);
                    x += image.Width + gap;
                }

                y += row[0].Image.Height + label + gap;
            }
        }

        // 4 bits per channel: thumbnails of flat screens then compress to a fraction (the sheets are committed).
        var span = bitmap.GetPixelSpan();
        for (var i = 0; i < span.Length; i++)
        {
            span[i] = (byte)((span[i] & 0xF0) | (span[i] >> 4));
        }

        using var pixels = bitmap.PeekPixels();
        using var data = pixels.Encode(new SKPngEncoderOptions(SKPngEncoderFilterFlags.Sub, 9)) ?? throw new InvalidOperationException("PNG encoding failed.");
        return data.ToArray();
    }
}
