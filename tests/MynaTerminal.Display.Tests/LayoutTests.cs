using MynaTerminal.Core.Devices;
using SkiaSharp;

namespace MynaTerminal.Display.Tests;

/// <summary>Every screen in every language at every panel size: nothing leaves its box, nothing overlaps, taps find buttons.</summary>
public sealed class LayoutTests
{
    /// <summary>The usual panel sizes, portrait and landscape.</summary>
    public static TheoryData<int, int> Sizes() => new() { { 240, 320 }, { 320, 240 }, { 320, 480 }, { 480, 800 }, { 800, 480 }, { 1024, 600 }, { 600, 1024 } };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Every_screen_fits_every_size_in_every_language_and_style(int width, int height)
    {
        using var renderer = new PngScreenRenderer(width, height);
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var frame = new LayoutRect(0, 0, width, height);
        var belowReadable = new List<string>();
        foreach (var style in new[] { ScreenStyle.Default, new ScreenStyle(LargeText: true, HighContrast: true) })
        {
            renderer.Style = style;
            foreach (var (name, snapshot) in Snapshots.All)
            {
                foreach (var language in ScreenTexts.Languages)
                {
                    var screen = ScreenComposer.Compose(snapshot with { Language = language });
                    var where = $"{name} [{language}] {width}×{height} large={style.LargeText}";
                    var layout = renderer.RenderTo(screen, bitmap);

                    Assert.Equal(screen.Buttons.Select(b => b.Id), layout.Buttons.Select(b => b.Id));
                    foreach (var text in layout.Texts)
                    {
                        Assert.True(frame.Encloses(text.Box), $"{where}: {text.Role} box {text.Box} leaves the frame");
                        foreach (var line in text.Lines)
                        {
                            Assert.True(text.Box.Encloses(line.Bounds), $"{where}: {text.Role} line '{line.Text}' {line.Bounds} exceeds its box {text.Box}");
                        }

                        Assert.Equal(string.Concat(text.Lines.Select(l => l.Text)).Replace(" ", string.Empty, StringComparison.Ordinal).Length > 0, text.Lines.Count > 0);
                        if (text.BelowReadableSize)
                        {
                            belowReadable.Add($"{where}: {text.Role} {text.FontSize:0.#}px");
                        }
                    }

                    var body = layout.Texts.Single(t => t.Role == LayoutTextRole.Body);
                    for (var i = 0; i < layout.Buttons.Count; i++)
                    {
                        var button = layout.Buttons[i];
                        Assert.True(frame.Encloses(button.Bounds), $"{where}: button {button.Id} {button.Bounds} leaves the frame");
                        Assert.True(button.Bounds.Encloses(button.LabelText.Box), $"{where}: label box of {button.Id} leaves the button");
                        Assert.False(button.Bounds.Overlaps(body.Extent), $"{where}: button {button.Id} covers the body text");
                        Assert.Equal(button.Id, layout.HitTest(button.Bounds.X + (button.Bounds.Width / 2), button.Bounds.Y + (button.Bounds.Height / 2)));
                        for (var j = i + 1; j < layout.Buttons.Count; j++)
                        {
                            Assert.False(button.Bounds.Overlaps(layout.Buttons[j].Bounds), $"{where}: {button.Id} overlaps {layout.Buttons[j].Id}");
                        }
                    }

                    if (layout.Picture is { } picture)
                    {
                        Assert.True(frame.Encloses(picture.Bounds), $"{where}: picture leaves the frame");
                        Assert.False(picture.Bounds.Overlaps(body.Extent), $"{where}: picture covers the body text");
                        Assert.All(layout.Buttons, b => Assert.False(b.Bounds.Overlaps(picture.Bounds), $"{where}: {b.Id} covers the picture"));
                    }
                }
            }
        }

        // The documented target sizes (480 px on the short side and up) never need text below the readable size.
        if (Math.Min(width, height) >= 480)
        {
            Assert.True(belowReadable.Count == 0, string.Join("\n", belowReadable.Take(20)));
        }
        else
        {
            TestContext.Current.SendDiagnosticMessage($"{width}×{height}: {belowReadable.Count} text blocks below {PngScreenRenderer.MinimumReadableSize}px");
        }
    }

    [Fact]
    public void A_tap_outside_every_button_hits_nothing()
    {
        using var renderer = new PngScreenRenderer(480, 800);
        var layout = renderer.Layout(ScreenComposer.Compose(Snapshots.All["pin-empty"]));
        var title = layout.Texts.Single(t => t.Role == LayoutTextRole.Title);
        Assert.Null(layout.HitTest(title.Box.X + 1, title.Box.Y + 1));
        Assert.Null(layout.HitTest(-5, -5));
        var seven = layout.Buttons.Single(b => b.Id == "digit:7");
        Assert.Equal(LayoutButtonKind.Keypad, seven.Kind);
        Assert.Equal("digit:7", layout.HitTest(seven.Bounds.X + 1, seven.Bounds.Bottom - 1));
    }

    [Fact]
    public void Portrait_puts_the_keypad_below_the_text_and_landscape_beside_it()
    {
        var screen = ScreenComposer.Compose(Snapshots.All["pin-empty"]);
        using var portrait = new PngScreenRenderer(480, 800);
        using var landscape = new PngScreenRenderer(800, 480);
        var p = portrait.Layout(screen);
        var l = landscape.Layout(screen);
        var pBody = p.Texts.Single(t => t.Role == LayoutTextRole.Body).Box;
        var lBody = l.Texts.Single(t => t.Role == LayoutTextRole.Body).Box;
        Assert.True(p.Buttons.Where(b => b.Kind == LayoutButtonKind.Keypad).All(b => b.Bounds.Y >= pBody.Bottom));
        Assert.True(l.Buttons.Where(b => b.Kind == LayoutButtonKind.Keypad).All(b => b.Bounds.X >= lBody.Right));
    }

    [Fact]
    public void Layout_is_what_is_drawn()
    {
        using var renderer = new PngScreenRenderer(480, 800);
        using var bitmap = new SKBitmap(480, 800);
        var screen = ScreenComposer.Compose(Snapshots.All["consent"]);
        var drawn = renderer.RenderTo(screen, bitmap);
        var layout = renderer.Layout(screen);
        Assert.Equal(layout.Buttons.Select(b => b.Bounds), drawn.Buttons.Select(b => b.Bounds));

        // The centre of the 全て同意する button is the button's fill, not the frame's background.
        var all = layout.Buttons.Single(b => b.Id == "consent:all").Bounds;
        Assert.Equal(SKColors.White, bitmap.GetPixel((int)all.X + 3, (int)(all.Y + (all.Height / 2))));
        Assert.NotEqual(SKColors.White, bitmap.GetPixel((int)all.X - 3, (int)(all.Y + (all.Height / 2))));
    }
}
