using MynaTerminal.Display;
using MynaTerminal.Panel.Rendering;
using MynaTerminal.Panel.Tests.Fakes;
using SkiaSharp;

namespace MynaTerminal.Panel.Tests;

/// <summary>The panel's use of the Display renderer: raster without PNG, and the layout the touch panel hit-tests.</summary>
public sealed class FrameRendererTests
{
    public static TheoryData<int, int> Sizes => new() { { 800, 480 }, { 480, 800 }, { 320, 240 }, { 480, 320 }, { 1024, 600 }, { 240, 320 } };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Buttons_are_the_renderers_layout_inside_the_frame_and_hit_at_their_centres(int width, int height)
    {
        using var frames = new FrameRenderer(width, height, fontPath: null);
        foreach (var screen in TestScreens.All())
        {
            var (bitmap, buttons) = frames.Render(screen);
            Assert.Equal((width, height), (bitmap.Width, bitmap.Height));
            var layout = frames.Renderer.Layout(screen);
            Assert.Equal(layout.Buttons.Select(b => (b.Id, b.Bounds.ToSKRect())), buttons.Select(b => (b.Id, b.Bounds)));
            Assert.Equal(screen.Buttons.Select(b => b.Id).Order(StringComparer.Ordinal), buttons.Select(b => b.Id).Order(StringComparer.Ordinal));

            var current = new CurrentScreen();
            current.Publish(screen, width, height, buttons);
            foreach (var button in buttons)
            {
                Assert.True(button.Bounds.Left >= 0 && button.Bounds.Top >= 0 && button.Bounds.Right <= width && button.Bounds.Bottom <= height, $"{button.Id} {button.Bounds} is off the {width}×{height} frame");
                Assert.Equal(button.Id, current.HitTest(button.Bounds.MidX, button.Bounds.MidY));
                Assert.Equal(layout.HitTest(button.Bounds.MidX, button.Bounds.MidY), current.HitTest(button.Bounds.MidX, button.Bounds.MidY));
            }
        }
    }

    [Fact]
    public void Hit_testing_misses_outside_every_button()
    {
        var current = new CurrentScreen();
        current.Publish(TestScreens.Pin(), 100, 100, [new ButtonBounds("a", new SKRect(10, 10, 20, 20)), new ButtonBounds("b", new SKRect(20, 10, 30, 20))]);
        Assert.Equal("a", current.HitTest(10, 10));
        Assert.Equal("b", current.HitTest(20, 19.9f)); // the right edge belongs to the neighbour
        Assert.Null(current.HitTest(30, 15));
        Assert.Null(current.HitTest(15, 20));
        Assert.Null(current.HitTest(-1, -1));
    }

    [Fact]
    public void RenderTo_draws_the_same_pixels_as_the_png()
    {
        using var renderer = new PngScreenRenderer(480, 320);
        var screen = TestScreens.Consent();
        using var decoded = SKBitmap.Decode(renderer.Render(screen));
        using var converted = decoded.Copy(SKColorType.Rgba8888);
        using var direct = new SKBitmap(new SKImageInfo(480, 320, SKColorType.Rgba8888, SKAlphaType.Premul));

        renderer.RenderTo(screen, direct);

        Assert.Equal(converted.GetPixelSpan().ToArray(), direct.GetPixelSpan().ToArray());
        Assert.True(direct.GetPixelSpan().ToArray().Distinct().Count() > 2, "something was drawn");
    }

    [Fact]
    public void RenderTo_refuses_a_bitmap_of_another_size()
    {
        using var renderer = new PngScreenRenderer(320, 240);
        using var bitmap = new SKBitmap(240, 320);
        Assert.Throws<ArgumentException>(() => renderer.RenderTo(TestScreens.Pin(), bitmap));
    }
}
