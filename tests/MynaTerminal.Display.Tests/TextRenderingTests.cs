using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Results;
using SkiaSharp;

namespace MynaTerminal.Display.Tests;

/// <summary>HarfBuzz shaping, per-run font fallback, rare kanji, the accessibility styles and the face preview.</summary>
public sealed class TextRenderingTests
{
    private const string NotoCjk = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";
    private const string IpaGothic = "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf";

    /// <summary>髙 (はしごだか), 﨑 (たつさき, U+FA11), 𠮷 (つちよし, U+20BB7: a surrogate pair), 邊.</summary>
    private const string RareNames = "髙﨑 𠮷邊";

    private static Screen Greeting(string language = "ja") => ScreenComposer.Compose(
        Snapshots.Base(Core.Session.SessionPhase.Done) with { Language = language, Eligibility = Snapshots.Answer(EligibilityStatus.Valid, RareNames) });

    [Fact]
    public void Rare_kanji_in_a_greeting_are_real_glyphs_of_the_chosen_typeface()
    {
        Assert.SkipUnless(File.Exists(NotoCjk), "fonts-noto-cjk is not installed.");
        using var renderer = new PngScreenRenderer(480, 800);
        var body = renderer.Layout(Greeting()).Texts.Single(t => t.Role == LayoutTextRole.Body);
        var line = Assert.Single(body.Lines, l => l.Text.Contains("𠮷", StringComparison.Ordinal));
        Assert.StartsWith(RareNames, line.Text, StringComparison.Ordinal);
        Assert.Equal(0, line.MissingGlyphs);
        var run = Assert.Single(line.Runs);
        Assert.Equal("Noto Sans CJK JP", run.FontFamily);
        Assert.DoesNotContain((ushort)0, run.GlyphIds);
        Assert.DoesNotContain('●', line.Text);
        Assert.DoesNotContain(PngScreenRenderer.MissingGlyphMarker, line.Text);

        using var face = SKTypeface.FromFile(NotoCjk, 0);
        using var font = new SKFont(face);
        Assert.True(font.ContainsGlyphs(RareNames.Replace(" ", string.Empty, StringComparison.Ordinal)));
        var glyphs = font.GetGlyphs("𠮷");
        Assert.Single(glyphs); // One glyph for the surrogate pair, not two halves.
        Assert.NotEqual(0, glyphs[0]);
    }

    [Fact]
    public void A_glyph_the_primary_font_lacks_comes_from_a_fallback_font_in_its_own_run()
    {
        Assert.SkipUnless(File.Exists(NotoCjk) && File.Exists(IpaGothic), "fonts-noto-cjk and fonts-ipafont-gothic are needed.");
        using (var ipa = new SKFont(SKTypeface.FromFile(IpaGothic)))
        {
            Assert.False(ipa.ContainsGlyphs("𠮷"), "IPAGothic has 𠮷 now: pick another character for this test.");
        }

        using var renderer = new PngScreenRenderer(480, 800, fontPath: IpaGothic);
        var line = renderer.Layout(Greeting()).Texts.Single(t => t.Role == LayoutTextRole.Body).Lines[0];
        Assert.Equal(0, line.MissingGlyphs);
        Assert.Equal(["IPAGothic", "Noto Sans CJK JP", "IPAGothic"], line.Runs.Select(r => r.FontFamily).Take(3));
        Assert.Equal("𠮷", line.Runs[1].Text);
        Assert.All(line.Runs, r => Assert.DoesNotContain((ushort)0, r.GlyphIds));
    }

    [Fact]
    public void A_character_no_font_has_is_drawn_as_a_geta_mark_and_counted()
    {
        using var renderer = new PngScreenRenderer(480, 800);
        var screen = new Screen("t", "ja", "題", ["山田\U0010FFFD様"], []);
        var line = renderer.Layout(screen).Texts.Single(t => t.Role == LayoutTextRole.Body).Lines[0];
        Assert.Equal("山田〓様", line.Text);
        Assert.Equal(1, line.MissingGlyphs);
    }

    [Fact]
    public void Korean_and_Chinese_use_their_regional_Noto_faces()
    {
        Assert.SkipUnless(File.Exists(NotoCjk), "fonts-noto-cjk is not installed.");
        using var renderer = new PngScreenRenderer(800, 480);
        Assert.Equal("Noto Sans CJK KR", renderer.FontFamiliesFor("ko")[0]);
        Assert.Equal("Noto Sans CJK SC", renderer.FontFamiliesFor("zh-Hans")[0]);
        Assert.Equal("Noto Sans CJK JP", renderer.FontFamiliesFor("vi")[0]);
        var title = renderer.Layout(Greeting("ko")).Texts.Single(t => t.Role == LayoutTextRole.Title);
        Assert.Equal("Noto Sans CJK KR", title.Lines[0].Runs[0].FontFamily);
    }

    [Fact]
    public void Vietnamese_diacritics_are_covered_without_fallback()
    {
        Assert.SkipUnless(File.Exists(NotoCjk), "fonts-noto-cjk is not installed.");
        using var renderer = new PngScreenRenderer(800, 480);
        foreach (var key in ScreenTexts.For("vi").Keys)
        {
            var layout = renderer.Layout(new Screen("t", "vi", "t", [ScreenTexts.For("vi")[key]], []));
            foreach (var line in layout.Texts.Single(t => t.Role == LayoutTextRole.Body).Lines)
            {
                Assert.Equal(0, line.MissingGlyphs);
                Assert.All(line.Runs, r => Assert.Equal("Noto Sans CJK JP", r.FontFamily));
            }
        }
    }

    [Fact]
    public void Shaping_applies_kerning()
    {
        Assert.SkipUnless(File.Exists(NotoCjk), "fonts-noto-cjk is not installed.");
        using var renderer = new PngScreenRenderer(800, 480);
        var av = renderer.Layout(new Screen("t", "en", "t", ["AVAVAVAV"], [])).Texts.Single(t => t.Role == LayoutTextRole.Body);
        using var font = new SKFont(SKTypeface.FromFile(NotoCjk, 0), av.FontSize);
        Assert.True(av.Lines[0].Bounds.Width < font.MeasureText("AVAVAVAV") - 1, "HarfBuzz kerning should pull A and V together.");
    }

    [Fact]
    public void Large_text_draws_larger_fonts()
    {
        var screen = ScreenComposer.Compose(Snapshots.All["reading"]);
        using var normal = new PngScreenRenderer(800, 480);
        using var large = new PngScreenRenderer(800, 480, style: new ScreenStyle(LargeText: true));
        foreach (var role in new[] { LayoutTextRole.Title, LayoutTextRole.Body })
        {
            var a = normal.Layout(screen).Texts.First(t => t.Role == role).FontSize;
            var b = large.Layout(screen).Texts.First(t => t.Role == role).FontSize;
            Assert.True(b >= a * 1.25f, $"{role}: {a} → {b}");
        }
    }

    [Fact]
    public void High_contrast_draws_light_text_on_black()
    {
        var screen = ScreenComposer.Compose(Snapshots.All["reading"]);
        using var normal = new PngScreenRenderer(new DisplayOptions { OutputFolder = "unused", Width = 800, Height = 480 });
        using var contrast = new PngScreenRenderer(new DisplayOptions { OutputFolder = "unused", Width = 800, Height = 480, HighContrast = true });
        using var a = SKBitmap.Decode(normal.Render(screen));
        using var b = SKBitmap.Decode(contrast.Render(screen));
        var body = contrast.Layout(screen).Texts.Single(t => t.Role == LayoutTextRole.Body);
        Assert.Equal(new SKColor(0xF7, 0xF7, 0xF5), a.GetPixel(2, 240));
        Assert.Equal(SKColors.Black, b.GetPixel(2, 240));
        Assert.Equal(SKColors.Black, b.GetPixel(2, 2)); // No tinted title bar.

        // The body's ink is white: the brightest pixel in the first line is (nearly) white.
        var line = body.Lines[0].Bounds;
        var brightest = 0;
        for (var x = (int)line.X; x < (int)line.Right; x++)
        {
            for (var y = (int)line.Y; y < (int)line.Bottom; y++)
            {
                var p = b.GetPixel(x, y);
                brightest = Math.Max(brightest, Math.Min(p.Red, Math.Min(p.Green, p.Blue)));
            }
        }

        Assert.True(brightest > 240, $"brightest {brightest}");
    }

    [Fact]
    public void The_face_preview_is_drawn_with_its_face_box()
    {
        using var renderer = new PngScreenRenderer(800, 480);
        var plain = ScreenComposer.Compose(Snapshots.All["face-attempt-1"]);
        var withPreview = plain with { Preview = ScreenGallery.SamplePreview() };
        var area = renderer.Layout(withPreview).Picture;
        Assert.NotNull(area);
        Assert.Equal(LayoutPictureKind.FacePreview, area.Kind);

        using var a = SKBitmap.Decode(renderer.Render(plain));
        using var b = SKBitmap.Decode(renderer.Render(withPreview));
        var centre = (X: (int)(area.Bounds.X + (area.Bounds.Width / 2)), Y: (int)(area.Bounds.Y + (area.Bounds.Height / 2)));
        Assert.NotEqual(a.GetPixel(centre.X, centre.Y), b.GetPixel(centre.X, centre.Y));

        // The face box (green) is drawn; without a preview there is none.
        static int Green(SKBitmap bitmap) => Enumerable.Range(0, bitmap.Width * bitmap.Height)
            .Count(i => bitmap.GetPixel(i % bitmap.Width, i / bitmap.Width) == new SKColor(0x2E, 0xCC, 0x40));
        Assert.True(Green(b) > 50);
        Assert.Equal(0, Green(a));
    }

    [Fact]
    public void The_idle_screen_has_the_card_placement_pictogram()
    {
        using var renderer = new PngScreenRenderer(480, 800);
        var picture = renderer.Layout(ScreenComposer.Compose(Snapshots.All["idle"])).Picture;
        Assert.NotNull(picture);
        Assert.Equal(LayoutPictureKind.CardPlacement, picture.Kind);
        Assert.Null(renderer.Layout(ScreenComposer.Compose(Snapshots.All["reading"])).Picture);
    }
}
