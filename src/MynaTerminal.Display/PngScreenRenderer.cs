using MynaTerminal.Core.Session;
using MynaTerminal.Core.Devices;
using SkiaSharp;

namespace MynaTerminal.Display;

/// <summary>
/// Draws a <see cref="Screen"/> into a PNG with SkiaSharp. Layout (scaled from 800 × 480):
/// a title bar in the tone's colour with the language and 係員呼出 buttons on its right; the screen's lines,
/// wrapped and shrunk until they fit; a 3-column keypad on the right when the screen has PIN keys; the other
/// buttons as rounded rectangles in rows of up to three at the bottom.
/// Rendering is deterministic: the same screen, size and font give the same bytes.
/// </summary>
public sealed class PngScreenRenderer : IDisposable
{
    private const float BaseWidth = 800f;
    private const float BaseHeight = 480f;
    private const int ActionsPerRow = 3;
    private const int KeypadColumns = 3;

    /// <summary>Characters that may not start a line (行頭禁則, simplified).</summary>
    private const string NoLineStart = "、。，．・ー）」』】〕！？!?,.):;…";

    private static readonly SKColor Background = new(0xF7, 0xF7, 0xF5);
    private static readonly SKColor Ink = new(0x1A, 0x1A, 0x1A);
    private static readonly SKColor White = SKColors.White;
    private static readonly SKColor KeyBorder = new(0x6B, 0x72, 0x80);

    private readonly SKTypeface _typeface;
    private readonly bool _ownsTypeface;

    /// <summary>Creates a renderer for <paramref name="width"/> × <paramref name="height"/> frames.</summary>
    /// <param name="fontPath">A font file (face 0 is used); null searches with <see cref="JapaneseFontLocator.Find"/>.</param>
    /// <exception cref="FileNotFoundException">An explicit <paramref name="fontPath"/> does not exist or cannot be loaded.</exception>
    public PngScreenRenderer(int width = 800, int height = 480, string? fontPath = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 16);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 16);
        Width = width;
        Height = height;

        var path = fontPath ?? JapaneseFontLocator.Find();
        var typeface = path is null ? null : SKTypeface.FromFile(path, 0);
        if (typeface is null && fontPath is not null)
        {
            throw new FileNotFoundException($"The font '{fontPath}' cannot be loaded.", fontPath);
        }

        if (typeface is null)
        {
            // No Japanese font installed: SKTypeface.Default has no kana (DejaVu Sans, or nothing at all
            // without fontconfig). Screens still render; HasJapaneseFont tells the host to warn.
            _typeface = SKTypeface.Default;
            _ownsTypeface = false;
            FontPath = null;
        }
        else
        {
            _typeface = typeface;
            _ownsTypeface = true;
            FontPath = path;
        }

        using var probe = new SKFont(_typeface);
        HasJapaneseFont = probe.ContainsGlyphs("あア漢字確認");
    }

    /// <summary>Creates a renderer with the size and font of <paramref name="options"/>.</summary>
    public PngScreenRenderer(DisplayOptions options)
        : this(options.Width, options.Height, options.FontPath)
    {
    }

    /// <summary>Frame width in pixels.</summary>
    public int Width { get; }

    /// <summary>Frame height in pixels.</summary>
    public int Height { get; }

    /// <summary>The font file in use; null when drawing with <see cref="SKTypeface.Default"/>.</summary>
    public string? FontPath { get; }

    /// <summary>The family name of the typeface in use (e.g. "Noto Sans CJK JP", "IPAGothic").</summary>
    public string FontFamily => _typeface.FamilyName;

    /// <summary>True when the font has kana and kanji; false means Japanese text would come out as empty boxes.</summary>
    public bool HasJapaneseFont { get; }

    /// <summary>Draws <paramref name="screen"/> and returns the PNG file bytes.</summary>
    public byte[] Render(Screen screen)
    {
        ArgumentNullException.ThrowIfNull(screen);
        using var bitmap = new SKBitmap(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(bitmap))
        {
            Draw(canvas, screen);
        }

        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new InvalidOperationException("PNG encoding failed.");
        return data.ToArray();
    }

    /// <summary>
    /// Draws <paramref name="screen"/> into <paramref name="bitmap"/> (<see cref="Width"/> × <see cref="Height"/>, any
    /// colour type Skia draws into, e.g. Rgba8888 or Bgra8888) without PNG encoding: for panels that push pixels.
    /// </summary>
    public void RenderTo(Screen screen, SKBitmap bitmap)
    {
        ArgumentNullException.ThrowIfNull(screen);
        ArgumentNullException.ThrowIfNull(bitmap);
        if (bitmap.Width != Width || bitmap.Height != Height)
        {
            throw new ArgumentException($"The bitmap is {bitmap.Width} × {bitmap.Height}, the renderer draws {Width} × {Height}.", nameof(bitmap));
        }

        using var canvas = new SKCanvas(bitmap);
        Draw(canvas, screen);
    }

    /// <summary>Releases the font file.</summary>
    public void Dispose()
    {
        if (_ownsTypeface)
        {
            _typeface.Dispose();
        }
    }

    /// <summary>The title bar colour of each tone (white text on it has a contrast ratio above 4.5).</summary>
    private static SKColor Accent(ScreenTone tone) => tone switch
    {
        ScreenTone.Attention => new SKColor(0x9A, 0x4A, 0x00),
        ScreenTone.Error => new SKColor(0xB3, 0x26, 0x1E),
        ScreenTone.Success => new SKColor(0x1E, 0x6B, 0x34),
        _ => new SKColor(0x1F, 0x4E, 0x8C),
    };

    private void Draw(SKCanvas canvas, Screen screen)
    {
        var scale = Math.Min(Width / BaseWidth, Height / BaseHeight);
        var accent = Accent(screen.Tone);
        var margin = 14f * scale;
        var gap = 10f * scale;
        canvas.Clear(Background);

        var system = screen.Buttons.Where(b => ActionIds.IsSystem(b.Id)).ToArray();
        var keypad = screen.Buttons.Where(b => ActionIds.IsKeypad(b.Id)).ToArray();
        var actions = screen.Buttons.Where(b => !ActionIds.IsSystem(b.Id) && !ActionIds.IsKeypad(b.Id)).ToArray();

        // Title bar with the system buttons (language, help) on its right.
        var barHeight = 72f * scale;
        using (var fill = Fill(accent))
        {
            canvas.DrawRect(0, 0, Width, barHeight, fill);
        }

        var right = Width - margin;
        using (var systemFont = NewFont(18f * scale))
        {
            foreach (var button in system.Reverse())
            {
                var width = Math.Max(96f * scale, systemFont.MeasureText(button.Label) + 28f * scale);
                var rect = new SKRect(right - width, 14f * scale, right, barHeight - 14f * scale);
                DrawButton(canvas, rect, button.Label, systemFont, White, White, accent, scale);
                right = rect.Left - 8f * scale;
            }
        }

        using (var titleFont = NewFont(30f * scale))
        {
            titleFont.Embolden = true;
            var left = 20f * scale;
            DrawFittedText(canvas, screen.Title, titleFont, left, barHeight / 2f, right - left - 8f * scale, 12f * scale, SKTextAlign.Left, White);
        }

        // Action buttons in rows at the bottom.
        var rowHeight = 60f * scale;
        var rows = (actions.Length + ActionsPerRow - 1) / ActionsPerRow;
        var actionsTop = rows == 0 ? Height - margin : Height - margin - (rows * rowHeight) - ((rows - 1) * gap);
        using (var actionFont = NewFont(22f * scale))
        {
            for (var row = 0; row < rows; row++)
            {
                var inRow = actions.Skip(row * ActionsPerRow).Take(ActionsPerRow).ToArray();
                var width = (Width - (2 * margin) - ((inRow.Length - 1) * gap)) / inRow.Length;
                var top = actionsTop + (row * (rowHeight + gap));
                for (var i = 0; i < inRow.Length; i++)
                {
                    var left = margin + (i * (width + gap));
                    DrawButton(canvas, new SKRect(left, top, left + width, top + rowHeight), inRow[i].Label, actionFont, White, accent, accent, scale);
                }
            }
        }

        // PIN keypad on the right, in the order the screen lists the keys.
        var bodyRight = Width - (24f * scale);
        var contentTop = barHeight + (12f * scale);
        var contentBottom = actionsTop - gap;
        if (keypad.Length > 0)
        {
            var keypadLeft = Width * 0.56f;
            var keyRows = (keypad.Length + KeypadColumns - 1) / KeypadColumns;
            var keyWidth = (Width - margin - keypadLeft - ((KeypadColumns - 1) * gap)) / KeypadColumns;
            var keyHeight = (contentBottom - contentTop - ((keyRows - 1) * gap)) / keyRows;
            using var keyFont = NewFont(28f * scale);
            for (var i = 0; i < keypad.Length; i++)
            {
                var left = keypadLeft + (i % KeypadColumns * (keyWidth + gap));
                var top = contentTop + (i / KeypadColumns * (keyHeight + gap));
                DrawButton(canvas, new SKRect(left, top, left + keyWidth, top + keyHeight), keypad[i].Label, keyFont, White, KeyBorder, Ink, scale);
            }

            bodyRight = keypadLeft - (16f * scale);
        }

        DrawBody(canvas, screen.Lines, new SKRect(24f * scale, contentTop + (4f * scale), bodyRight, contentBottom), scale);
    }

    /// <summary>Draws the lines wrapped to the box, with the largest font size (28 down to 12, scaled) that fits.</summary>
    private void DrawBody(SKCanvas canvas, IReadOnlyList<string> lines, SKRect box, float scale)
    {
        if (lines.Count == 0 || box.Width <= 0 || box.Height <= 0)
        {
            return;
        }

        var largest = Math.Max(8, (int)MathF.Round(28f * scale));
        var smallest = Math.Max(8, (int)MathF.Round(12f * scale));
        for (var size = largest; size >= smallest; size--)
        {
            using var font = NewFont(size);
            var lineHeight = size * 1.35f;
            var paragraphGap = size * 0.3f;
            var wrapped = lines.Select(l => Wrap(l, font, box.Width)).ToArray();
            var height = wrapped.Sum(w => w.Count * lineHeight) + ((wrapped.Length - 1) * paragraphGap);
            if (height > box.Height && size > smallest)
            {
                continue;
            }

            canvas.Save();
            canvas.ClipRect(box);
            using var paint = Fill(Ink);
            var y = box.Top;
            foreach (var paragraph in wrapped)
            {
                foreach (var line in paragraph)
                {
                    canvas.DrawText(line, box.Left, y - font.Metrics.Ascent, SKTextAlign.Left, font, paint);
                    y += lineHeight;
                }

                y += paragraphGap;
            }

            canvas.Restore();
            return;
        }
    }

    private static void DrawButton(SKCanvas canvas, SKRect rect, string label, SKFont font, SKColor fill, SKColor border, SKColor ink, float scale)
    {
        var radius = Math.Min(12f * scale, rect.Height / 2f);
        using (var paint = Fill(fill))
        {
            canvas.DrawRoundRect(rect, radius, radius, paint);
        }

        using (var stroke = new SKPaint { Color = border, IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = Math.Max(1f, 2f * scale) })
        {
            canvas.DrawRoundRect(rect, radius, radius, stroke);
        }

        using var labelFont = NewFont(font.Typeface, font.Size);
        DrawFittedText(canvas, label, labelFont, rect.MidX, rect.MidY, rect.Width - (16f * scale), 8f * scale, SKTextAlign.Center, ink);
    }

    /// <summary>One line, shrunk (not below <paramref name="minSize"/>) to fit <paramref name="maxWidth"/>, centred vertically on <paramref name="centerY"/>.</summary>
    private static void DrawFittedText(SKCanvas canvas, string text, SKFont font, float x, float centerY, float maxWidth, float minSize, SKTextAlign align, SKColor color)
    {
        var width = font.MeasureText(text);
        if (width > maxWidth && width > 0)
        {
            font.Size = Math.Max(minSize, font.Size * maxWidth / width);
        }

        var metrics = font.Metrics;
        var baseline = centerY - ((metrics.Ascent + metrics.Descent) / 2f);
        using var paint = Fill(color);
        canvas.DrawText(text, x, baseline, align, font, paint);
    }

    /// <summary>
    /// Splits <paramref name="text"/> into lines no wider than <paramref name="maxWidth"/>: at a space when one is
    /// in the second half of the line (English), anywhere otherwise (Japanese), never before 。、）.
    /// </summary>
    private static List<string> Wrap(string text, SKFont font, float maxWidth)
    {
        var result = new List<string>();
        var rest = text;
        while (rest.Length > 0)
        {
            if (font.MeasureText(rest) <= maxWidth)
            {
                result.Add(rest);
                break;
            }

            var cut = FitLength(rest, font, maxWidth);
            if (cut >= rest.Length)
            {
                result.Add(rest); // Not even one character fits: let the clip cut it.
                break;
            }

            var space = rest.LastIndexOf(' ', cut - 1, cut);
            if (space > cut / 2)
            {
                cut = space;
            }
            else
            {
                while (cut > 1 && NoLineStart.Contains(rest[cut]))
                {
                    cut--;
                }

                if (char.IsLowSurrogate(rest[cut]))
                {
                    cut = cut > 1 ? cut - 1 : cut + 1; // Never split a surrogate pair.
                }
            }

            result.Add(rest[..cut].TrimEnd());
            rest = rest[cut..].TrimStart();
        }

        return result;
    }

    /// <summary>The longest prefix length (at least 1) that fits <paramref name="maxWidth"/>, by binary search.</summary>
    private static int FitLength(string text, SKFont font, float maxWidth)
    {
        int low = 1, high = text.Length;
        while (low < high)
        {
            var mid = (low + high + 1) / 2;
            if (font.MeasureText(text.AsSpan(0, mid)) <= maxWidth)
            {
                low = mid;
            }
            else
            {
                high = mid - 1;
            }
        }

        return low;
    }

    private SKFont NewFont(float size) => NewFont(_typeface, size);

    private static SKFont NewFont(SKTypeface typeface, float size) =>
        new(typeface, size) { Edging = SKFontEdging.Antialias, Subpixel = false, Hinting = SKFontHinting.Normal };

    private static SKPaint Fill(SKColor color) => new() { Color = color, IsAntialias = true, Style = SKPaintStyle.Fill };
}
