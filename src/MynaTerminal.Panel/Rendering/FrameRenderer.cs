using MynaTerminal.Core.Devices;
using MynaTerminal.Display;
using SkiaSharp;

namespace MynaTerminal.Panel.Rendering;

/// <summary>
/// Draws screens with the Display project's <see cref="PngScreenRenderer"/> into one reused Rgba8888 bitmap of the
/// panel's size (no PNG encoding) and returns where the buttons were drawn — the renderer's own layout, not a copy.
/// Not thread-safe: the displays call it under their own lock.
/// </summary>
public sealed class FrameRenderer : IDisposable
{
    private readonly PngScreenRenderer _renderer;
    private readonly SKBitmap _bitmap;

    /// <summary>Creates a renderer for <paramref name="width"/> × <paramref name="height"/> frames.</summary>
    /// <param name="width">Frame width in pixels (at least 16).</param>
    /// <param name="height">Frame height in pixels (at least 16).</param>
    /// <param name="fontPath">A font file; null lets the renderer pick fonts per language.</param>
    public FrameRenderer(int width, int height, string? fontPath)
    {
        _renderer = new PngScreenRenderer(width, height, fontPath);
        _bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
    }

    /// <summary>Frame width in pixels.</summary>
    public int Width => _renderer.Width;

    /// <summary>Frame height in pixels.</summary>
    public int Height => _renderer.Height;

    /// <summary>The renderer (fonts, <see cref="PngScreenRenderer.Style"/> for large text / high contrast).</summary>
    public PngScreenRenderer Renderer => _renderer;

    /// <summary>Draws <paramref name="screen"/>; the bitmap is reused and valid until the next call.</summary>
    public (SKBitmap Bitmap, IReadOnlyList<ButtonBounds> Buttons) Render(Screen screen)
    {
        var layout = _renderer.RenderTo(screen, _bitmap);
        return (_bitmap, ButtonBounds.From(layout));
    }

    /// <summary>Where the buttons of <paramref name="screen"/> are drawn.</summary>
    public IReadOnlyList<ButtonBounds> Layout(Screen screen) => ButtonBounds.From(_renderer.Layout(screen));

    /// <summary>Releases the bitmap and the fonts.</summary>
    public void Dispose()
    {
        _bitmap.Dispose();
        _renderer.Dispose();
    }
}
