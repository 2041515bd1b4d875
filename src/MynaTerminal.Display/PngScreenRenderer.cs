using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Session;
using SkiaSharp;

namespace MynaTerminal.Display;

/// <summary>
/// Lays out and draws a <see cref="Screen"/> with SkiaSharp and HarfBuzz: into a PNG (<see cref="Render"/>) or a
/// panel's bitmap (<see cref="RenderTo"/>). <see cref="Layout"/> returns where everything goes — the same layout the
/// drawing uses — for touch hit-testing and for tests.
/// </summary>
/// <remarks>
/// <para>Layout, scaled by the short side (480 px = 1): a title bar (the title wraps to two lines, then shrinks);
/// a bottom bar with 係員呼出 and the language buttons (as many columns as their labels allow); the screen's answer
/// buttons in rows above it (three per row in landscape, two in portrait); between them the body text, the PIN
/// keypad (right in landscape, below the text in portrait), and the picture area (card placement pictogram on the
/// idle screen, camera preview or face guide on the face screen). Every text is wrapped (at spaces for languages
/// that use them, anywhere else, never before 。、）) and shrunk until it fits its box.</para>
/// <para>Text is shaped with HarfBuzz once per paragraph and drawn glyph by glyph from that shaping, in runs per
/// font face: the language's face first (Noto Sans CJK JP / KR / SC), fallbacks for what it lacks, and 〓 for a
/// character no font has. Rendering is deterministic: the same screen, size, style and fonts give the same bytes.
/// Not thread-safe for concurrent draws of one instance beyond the shaping cache; the displays call it under their
/// own lock.</para>
/// </remarks>
public sealed class PngScreenRenderer : IDisposable
{
    /// <summary>Text is never drawn smaller than this without <see cref="LayoutText.BelowReadableSize"/> saying so (pixels).</summary>
    public const float MinimumReadableSize = 10f;

    /// <summary>Drawn (and put in <see cref="LayoutLine.Text"/>) in place of a character no installed font has: 〓, never ● or an empty box.</summary>
    public const char MissingGlyphMarker = FontSet.MissingGlyphMarker;

    /// <summary>The smallest size text shrinks to before it is squeezed horizontally (pixels).</summary>
    private const float FloorSize = 4f;

    private const float LineSpacing = 1.35f;

    /// <summary>
    /// PNG encoding: the "Sub" row filter and zlib level 3 encode a 480 × 800 screen about 4 × faster than Skia's
    /// default (all filters, level 6), and smaller, because screens are mostly flat colour.
    /// </summary>
    private static readonly SKPngEncoderOptions PngOptions = new(SKPngEncoderFilterFlags.Sub, 3);

    /// <summary>Baseline below a line's top, in ems (Noto Sans CJK ascender 0.88 plus half the leading).</summary>
    private const float BaselineOffset = 1.05f;

    /// <summary>Characters that may not start a line (行頭禁則, simplified).</summary>
    private const string NoLineStart = "、。，．・ー）」』】〕！？!?,.):;…ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮ";

    /// <summary>Characters that may not end a line (行末禁則).</summary>
    private const string NoLineEnd = "（「『【〔(";

    private readonly FontSet _fonts;
    private readonly ShaperCache _cache = new();

    /// <summary>Creates a renderer for <paramref name="width"/> × <paramref name="height"/> frames.</summary>
    /// <param name="fontPath">A font file used first for every language (face 0); null picks per language (Noto Sans CJK JP/KR/SC, else IPAGothic).</param>
    /// <param name="style">Large text and high contrast; null is <see cref="ScreenStyle.Default"/>.</param>
    /// <exception cref="FileNotFoundException">An explicit <paramref name="fontPath"/> does not exist or cannot be loaded.</exception>
    public PngScreenRenderer(int width = 800, int height = 480, string? fontPath = null, ScreenStyle? style = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 16);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 16);
        Width = width;
        Height = height;
        Style = style ?? ScreenStyle.Default;
        _fonts = new FontSet(fontPath);
        using var probe = new SKFont(_fonts.DefaultPrimary);
        HasJapaneseFont = probe.ContainsGlyphs("あア漢字確認");
    }

    /// <summary>Creates a renderer with the size, font and style of <paramref name="options"/>.</summary>
    public PngScreenRenderer(DisplayOptions options)
        : this(options.Width, options.Height, options.FontPath, new ScreenStyle(options.LargeText, options.HighContrast))
    {
    }

    /// <summary>Frame width in pixels.</summary>
    public int Width { get; }

    /// <summary>Frame height in pixels.</summary>
    public int Height { get; }

    /// <summary>Large text and high contrast; may be changed between frames (e.g. by a patient's toggle).</summary>
    public ScreenStyle Style { get; set; }

    /// <summary>The primary font file; null when drawing with <see cref="SKTypeface.Default"/>.</summary>
    public string? FontPath => _fonts.PrimaryPath;

    /// <summary>The family name of the default language's primary typeface (e.g. "Noto Sans CJK JP", "IPAGothic").</summary>
    public string FontFamily => _fonts.DefaultPrimary.FamilyName;

    /// <summary>True when the primary font has kana and kanji; false means Japanese text depends on fallbacks.</summary>
    public bool HasJapaneseFont { get; }

    /// <summary>The family names of the faces text in <paramref name="language"/> is drawn with, primary first.</summary>
    public IReadOnlyList<string> FontFamiliesFor(string language) => _fonts.ChainFor(language).Select(f => f.FamilyName).ToArray();

    /// <summary>Draws <paramref name="screen"/> and returns the PNG file bytes.</summary>
    public byte[] Render(Screen screen)
    {
        ArgumentNullException.ThrowIfNull(screen);
        using var bitmap = new SKBitmap(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        RenderTo(screen, bitmap);
        using var pixels = bitmap.PeekPixels();
        using var data = pixels.Encode(PngOptions) ?? throw new InvalidOperationException("PNG encoding failed.");
        return data.ToArray();
    }

    /// <summary>
    /// Draws <paramref name="screen"/> into <paramref name="bitmap"/> (<see cref="Width"/> × <see cref="Height"/>, any
    /// colour type Skia draws into, e.g. Rgba8888 or Bgra8888) without PNG encoding: for panels that push pixels.
    /// </summary>
    /// <returns>The layout that was drawn.</returns>
    public DisplayLayout RenderTo(Screen screen, SKBitmap bitmap)
    {
        ArgumentNullException.ThrowIfNull(screen);
        ArgumentNullException.ThrowIfNull(bitmap);
        if (bitmap.Width != Width || bitmap.Height != Height)
        {
            throw new ArgumentException($"The bitmap is {bitmap.Width} × {bitmap.Height}, the renderer draws {Width} × {Height}.", nameof(bitmap));
        }

        var layout = Layout(screen);
        using var canvas = new SKCanvas(bitmap);
        Draw(canvas, screen, layout);
        return layout;
    }

    /// <summary>Where every button, text line and picture of <paramref name="screen"/> goes, in frame pixels (see <see cref="DisplayLayout"/>).</summary>
    public DisplayLayout Layout(Screen screen)
    {
        ArgumentNullException.ThrowIfNull(screen);
        return new LayoutBuilder(this, screen, Style).Build();
    }

    /// <summary>Releases the fonts and shapers.</summary>
    public void Dispose()
    {
        _cache.Dispose();
        _fonts.Dispose();
    }

    // ---- layout ------------------------------------------------------------------------------------

    /// <summary>Wraps and shrinks <paramref name="paragraphs"/> until they fit <paramref name="box"/>.</summary>
    internal LayoutText Fit(IReadOnlyList<string> paragraphs, LayoutRect box, float maxSize, int maxLines, LayoutTextRole role, string language, bool center)
    {
        var chain = _fonts.ChainFor(language);
        var shaped = paragraphs.Select(p => _cache.Paragraph(p, chain)).ToArray();
        var size = MathF.Max(MinimumReadableSize, maxSize); // Small panels start readable and shrink only where they must.
        while (true)
        {
            var k = size / ShapedText.ReferenceSize;
            var lineHeight = size * LineSpacing;
            var gap = size * 0.3f;
            var ranges = new List<(ShapedText Text, int Start, int End, int Paragraph)>();
            for (var p = 0; p < shaped.Length; p++)
            {
                foreach (var (start, end) in Wrap(shaped[p], box.Width / k))
                {
                    ranges.Add((shaped[p], start, end, p));
                }
            }

            var height = (ranges.Count * lineHeight) + (Math.Max(0, shaped.Length - 1) * gap);
            var widest = ranges.Count == 0 ? 0 : ranges.Max(r => r.Text.Measure(r.Start, r.End) * k);
            var fits = height <= box.Height + 0.01f && widest <= box.Width + 0.01f && (maxLines <= 0 || ranges.Count <= maxLines);
            if (fits || size <= FloorSize)
            {
                var top = center ? box.Y + ((box.Height - height) / 2f) : box.Y;
                top = MathF.Max(top, box.Y);
                var lines = new List<LayoutLine>(ranges.Count);
                var y = top;
                var previous = 0;
                foreach (var (text, start, end, paragraph) in ranges)
                {
                    if (paragraph != previous)
                    {
                        y += gap;
                        previous = paragraph;
                    }

                    var width = text.Measure(start, end) * k;
                    var scaleX = width > box.Width ? box.Width / width : 1f; // Only at the floor size.
                    width *= scaleX;
                    var x = center ? box.X + ((box.Width - width) / 2f) : box.X;
                    lines.Add(new LayoutLine(text.Text[start..end], new LayoutRect(x, y, width, lineHeight), y + (size * BaselineOffset), Runs(text, start, end))
                    {
                        Shaped = text,
                        Start = start,
                        End = end,
                        ScaleX = scaleX,
                    });
                    y += lineHeight;
                }

                return new LayoutText(role, box, size, lines, size < MinimumReadableSize);
            }

            size = MathF.Max(FloorSize, MathF.Floor((size * 0.94f) * 4f) / 4f);
        }
    }

    /// <summary>Line ranges of <paramref name="text"/> no wider than <paramref name="maxWidth"/> (reference size).</summary>
    private static List<(int Start, int End)> Wrap(ShapedText text, float maxWidth)
    {
        var s = text.Text;
        var result = new List<(int, int)>();
        var start = 0;
        while (start < s.Length && s[start] == ' ')
        {
            start++;
        }

        while (start < s.Length)
        {
            // Longest prefix that fits, by binary search over character boundaries.
            int low = start + 1, high = s.Length;
            if (char.IsHighSurrogate(s[start]) && low < s.Length)
            {
                low++;
            }

            if (text.Measure(start, high) <= maxWidth)
            {
                low = high;
            }
            else
            {
                while (low < high)
                {
                    var mid = (low + high + 1) / 2;
                    if (text.Measure(start, mid) <= maxWidth)
                    {
                        low = mid;
                    }
                    else
                    {
                        high = mid - 1;
                    }
                }
            }

            var cut = low;
            if (cut < s.Length)
            {
                var space = s.LastIndexOf(' ', cut - 1, cut - start);
                if (space > start + ((cut - start) / 2))
                {
                    cut = space;
                }
                else
                {
                    while (cut > start + 1 && (NoLineStart.Contains(s[cut]) || NoLineEnd.Contains(s[cut - 1])))
                    {
                        cut--;
                    }
                }

                if (cut < s.Length && char.IsLowSurrogate(s[cut]))
                {
                    cut--; // Never split a surrogate pair.
                }

                if (cut <= start)
                {
                    cut = Math.Min(s.Length, start + (char.IsHighSurrogate(s[start]) ? 2 : 1));
                }
            }

            var end = cut;
            while (end > start && s[end - 1] == ' ')
            {
                end--;
            }

            result.Add((start, end));
            start = cut;
            while (start < s.Length && s[start] == ' ')
            {
                start++;
            }
        }

        return result;
    }

    private static List<LayoutRun> Runs(ShapedText text, int start, int end)
    {
        var runs = new List<LayoutRun>();
        var (first, last) = text.GlyphRange(start, end);
        var g = first;
        while (g < last)
        {
            var face = text.Faces[g];
            var from = g;
            while (g < last && text.Faces[g] == face)
            {
                g++;
            }

            var charStart = text.Clusters[from];
            var charEnd = g < text.Clusters.Length ? Math.Min(end, text.Clusters[g]) : end;
            var runText = text.Text[charStart..Math.Max(charStart, charEnd)];
            var missing = text.Missing == 0 ? 0 : runText.Count(c => c == FontSet.MissingGlyphMarker);
            runs.Add(new LayoutRun(runText, face.FamilyName, text.Glyphs[from..g], missing));
        }

        return runs;
    }

    // ---- drawing -----------------------------------------------------------------------------------

    private void Draw(SKCanvas canvas, Screen screen, DisplayLayout layout)
    {
        var palette = Palette.For(screen.Tone, layout.Style.HighContrast);
        canvas.Clear(palette.Background);
        var title = layout.Texts.First(t => t.Role == LayoutTextRole.Title);
        var headerBottom = title.Box.Bottom + title.Box.Y; // The title box has the same padding above and below.
        using (var fill = Fill(palette.HeaderFill))
        {
            canvas.DrawRect(0, 0, Width, headerBottom, fill);
        }

        if (layout.Style.HighContrast)
        {
            using var rule = Fill(palette.Accent);
            canvas.DrawRect(0, headerBottom - Math.Max(2f, Width / 160f), Width, Math.Max(2f, Width / 160f), rule);
        }

        DrawText(canvas, title, palette.HeaderInk, bold: true);
        foreach (var body in layout.Texts.Where(t => t.Role == LayoutTextRole.Body))
        {
            DrawText(canvas, body, palette.Ink, bold: false);
        }

        if (layout.Picture is { } picture)
        {
            if (picture.Kind == LayoutPictureKind.CardPlacement)
            {
                Pictograms.DrawCardPlacement(canvas, picture.Bounds.ToSKRect(), palette);
            }
            else
            {
                Pictograms.DrawFacePreview(canvas, picture.Bounds.ToSKRect(), screen.Preview, palette);
            }
        }

        var stroke = Math.Max(1f, Math.Min(Width, Height) / 240f) * (layout.Style.HighContrast ? 2f : 1f);
        foreach (var button in layout.Buttons)
        {
            var (fill, border, ink) = button.Kind switch
            {
                LayoutButtonKind.Keypad => (palette.KeyFill, palette.KeyBorder, palette.KeyInk),
                LayoutButtonKind.System => (palette.SystemFill, palette.SystemBorder, palette.SystemInk),
                _ => (palette.ButtonFill, palette.Accent, palette.ButtonInk),
            };
            var rect = button.Bounds.ToSKRect();
            var radius = Math.Min(10f * Math.Min(Width, Height) / 480f, rect.Height / 2f);
            using (var paint = Fill(fill))
            {
                canvas.DrawRoundRect(rect, radius, radius, paint);
            }

            using (var paint = new SKPaint { Color = border, IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = stroke })
            {
                canvas.DrawRoundRect(rect, radius, radius, paint);
            }

            DrawText(canvas, button.LabelText, ink, bold: button.Kind != LayoutButtonKind.System);
        }
    }

    private static void DrawText(SKCanvas canvas, LayoutText text, SKColor color, bool bold)
    {
        using var paint = Fill(color);
        var k = text.FontSize / ShapedText.ReferenceSize;
        foreach (var line in text.Lines)
        {
            if (line.Shaped is not { } shaped)
            {
                continue;
            }

            var (first, last) = shaped.GlyphRange(line.Start, line.End);
            if (first >= last)
            {
                continue;
            }

            var origin = shaped.Offset(line.Start);
            using var builder = new SKTextBlobBuilder();
            var g = first;
            while (g < last)
            {
                var face = shaped.Faces[g];
                var from = g;
                while (g < last && shaped.Faces[g] == face)
                {
                    g++;
                }

                using var font = new SKFont(face, text.FontSize) { Edging = SKFontEdging.Antialias, Subpixel = true, Hinting = SKFontHinting.Slight, Embolden = bold, ScaleX = line.ScaleX };
                var positions = new SKPoint[g - from];
                for (var i = from; i < g; i++)
                {
                    positions[i - from] = new SKPoint(line.Bounds.X + ((shaped.X[i] - origin) * k * line.ScaleX), line.Baseline + (shaped.Y[i] * k));
                }

                builder.AddPositionedRun(shaped.Glyphs.AsSpan(from, g - from), font, positions);
            }

            using var blob = builder.Build();
            if (blob is not null)
            {
                canvas.DrawText(blob, 0, 0, paint);
            }
        }
    }

    internal static SKPaint Fill(SKColor color) => new() { Color = color, IsAntialias = true, Style = SKPaintStyle.Fill };

    /// <summary>Computes one <see cref="DisplayLayout"/>.</summary>
    private sealed class LayoutBuilder(PngScreenRenderer renderer, Screen screen, ScreenStyle style)
    {
        private readonly int _w = renderer.Width;
        private readonly int _h = renderer.Height;
        private readonly float _s = Math.Min(renderer.Width, renderer.Height) / 480f;
        private readonly float _f = style.LargeText ? 1.3f : 1f;
        private readonly bool _portrait = renderer.Height > renderer.Width;
        private readonly Dictionary<ScreenButton, LayoutButton> _buttons = new(ReferenceEqualityComparer.Instance);
        private readonly List<LayoutText> _texts = [];

        private float Margin => MathF.Max(4f, 12f * _s);

        private float Gap => MathF.Max(3f, 8f * _s);

        public DisplayLayout Build()
        {
            var m = Margin;
            var gap = Gap;
            var system = screen.Buttons.Where(b => ActionIds.IsSystem(b.Id)).ToArray();
            var keypad = screen.Buttons.Where(b => ActionIds.IsKeypad(b.Id)).ToArray();
            var actions = screen.Buttons.Where(b => !ActionIds.IsSystem(b.Id) && !ActionIds.IsKeypad(b.Id)).ToArray();

            // Title bar: up to two lines (three on a narrow portrait frame) at the title size, then smaller.
            var titleSize = 30f * _s * _f;
            var titleLines = _portrait && _w < 400 ? 3 : 2;
            var padY = MathF.Max(4f, 10f * _s);
            var titleBox = new LayoutRect(m, padY, _w - (2 * m), titleLines * titleSize * LineSpacing);
            var title = renderer.Fit([screen.Title], titleBox, titleSize, titleLines, LayoutTextRole.Title, screen.Language, center: false);
            var used = title.Lines.Count * title.FontSize * LineSpacing;
            var headerInner = MathF.Max(used, 52f * _s);
            title = renderer.Fit([screen.Title], new LayoutRect(m, padY, _w - (2 * m), headerInner), titleSize, titleLines, LayoutTextRole.Title, screen.Language, center: true);
            _texts.Add(title);
            var contentTop = padY + headerInner + padY + gap; // Below the title bar drawn by Draw.

            // Bottom bar: help and languages.
            var bottom = _h - m;
            if (system.Length > 0)
            {
                bottom = SystemBar(system, bottom) - gap;
            }

            // Answer buttons in rows above it.
            if (actions.Length > 0)
            {
                bottom = ActionRows(actions, bottom) - gap;
            }

            var content = new LayoutRect(m, contentTop, _w - (2 * m), MathF.Max(0, bottom - contentTop));
            var body = content;
            LayoutPicture? picture = null;
            if (keypad.Length > 0)
            {
                body = Keypad(keypad, content);
            }
            else if (PictureKind() is { } kind)
            {
                (body, picture) = Picture(kind, content);
            }

            _texts.Add(renderer.Fit(screen.Lines, body, 26f * _s * _f, 0, LayoutTextRole.Body, screen.Language, center: false));
            var ordered = screen.Buttons.Select(b => _buttons[b]).ToArray();
            return new DisplayLayout(screen.Id, _w, _h, style, ordered, _texts, picture);
        }

        private LayoutPictureKind? PictureKind() => screen.Id switch
        {
            ScreenIds.Idle => LayoutPictureKind.CardPlacement,
            ScreenIds.Face => LayoutPictureKind.FacePreview,
            _ => null,
        };

        /// <summary>The bottom bar; returns its top.</summary>
        private float SystemBar(ScreenButton[] buttons, float bottom)
        {
            var m = Margin;
            var gap = Gap;
            var available = _w - (2 * m);
            var size = 17f * _s * _f;
            var pad = 10f * _s;
            var widest = buttons.Max(b => renderer._cache.Paragraph(b.Label, renderer._fonts.ChainFor(LabelLanguage(b))).Width) / ShapedText.ReferenceSize;
            var cell = (widest * size) + (2 * pad);
            var columns = Math.Clamp((int)((available + gap) / (cell + gap)), 1, buttons.Length);
            var rows = (buttons.Length + columns - 1) / columns;
            var height = MathF.Max(MathF.Max(22f, 40f * _s), size * 2.1f);
            var top = bottom - (rows * height) - ((rows - 1) * gap);
            Place(buttons, LayoutButtonKind.System, new LayoutRect(m, top, available, bottom - top), columns, height, size, maxLines: 1);
            return top;
        }

        /// <summary>The answer buttons' rows; returns their top.</summary>
        private float ActionRows(ScreenButton[] buttons, float bottom)
        {
            var m = Margin;
            var gap = Gap;
            var columns = Math.Min(buttons.Length, _portrait ? 2 : 3);
            var rows = (buttons.Length + columns - 1) / columns;
            var size = 22f * _s * _f;
            var height = MathF.Max(MathF.Max(28f, 56f * _s * _f), 0f);
            var top = bottom - (rows * height) - ((rows - 1) * gap);
            Place(buttons, LayoutButtonKind.Action, new LayoutRect(m, top, _w - (2 * m), bottom - top), columns, height, size, maxLines: 2);
            return top;
        }

        /// <summary>The PIN keypad (3 columns, telephone order as the screen lists the keys); returns the body box left for text.</summary>
        private LayoutRect Keypad(ScreenButton[] keys, LayoutRect content)
        {
            var gap = Gap;
            var rows = (keys.Length + 2) / 3;
            LayoutRect pad, body;
            if (_portrait)
            {
                var height = MathF.Min(content.Height * 0.62f, content.Width * 1.05f);
                pad = new LayoutRect(content.X, content.Bottom - height, content.Width, height);
                body = new LayoutRect(content.X, content.Y, content.Width, MathF.Max(0, pad.Y - gap - content.Y));
            }
            else
            {
                var width = MathF.Min(content.Width * 0.48f, content.Height * 1.1f);
                pad = new LayoutRect(content.Right - width, content.Y, width, content.Height);
                body = new LayoutRect(content.X, content.Y, MathF.Max(0, pad.X - (2 * gap) - content.X), content.Height);
            }

            var keyHeight = (pad.Height - ((rows - 1) * gap)) / rows;
            Place(keys, LayoutButtonKind.Keypad, pad, 3, keyHeight, MathF.Min(30f * _s * _f, keyHeight * 0.6f), maxLines: 1);
            return body;
        }

        private (LayoutRect Body, LayoutPicture? Picture) Picture(LayoutPictureKind kind, LayoutRect content)
        {
            var gap = Gap;
            var aspect = kind == LayoutPictureKind.CardPlacement ? 1.5f : 0.8f; // width / height
            LayoutRect area, body;
            if (_portrait)
            {
                var height = MathF.Min(content.Height * (kind == LayoutPictureKind.FacePreview ? 0.55f : 0.4f), content.Width / aspect);
                var width = MathF.Min(content.Width, height * aspect);
                area = new LayoutRect(content.X + ((content.Width - width) / 2f), content.Y, width, height);
                body = new LayoutRect(content.X, area.Bottom + gap, content.Width, MathF.Max(0, content.Bottom - area.Bottom - gap));
            }
            else
            {
                var width = MathF.Min(content.Width * (kind == LayoutPictureKind.FacePreview ? 0.4f : 0.38f), content.Height * aspect);
                var height = MathF.Min(content.Height, width / aspect);
                area = new LayoutRect(content.Right - width, content.Y + ((content.Height - height) / 2f), width, height);
                body = new LayoutRect(content.X, content.Y, MathF.Max(0, area.X - (2 * gap) - content.X), content.Height);
            }

            if (area.Width < 40f || area.Height < 40f)
            {
                return (content, null); // No room: text matters more than the picture.
            }

            return (body, new LayoutPicture(kind, area));
        }

        /// <summary>Places <paramref name="buttons"/> in a grid of <paramref name="columns"/> inside <paramref name="area"/> and fits their labels.</summary>
        private void Place(ScreenButton[] buttons, LayoutButtonKind kind, LayoutRect area, int columns, float rowHeight, float fontSize, int maxLines)
        {
            var gap = Gap;
            var width = (area.Width - ((columns - 1) * gap)) / columns;
            var padX = MathF.Max(2f, 8f * _s);
            var padY = MathF.Max(1f, 4f * _s);
            for (var i = 0; i < buttons.Length; i++)
            {
                var row = i / columns;
                var column = i % columns;
                var inRow = Math.Min(columns, buttons.Length - (row * columns));
                // A last row with fewer buttons spreads them over the full width (never for keypad keys).
                var w = kind == LayoutButtonKind.Keypad ? width : (area.Width - ((inRow - 1) * gap)) / inRow;
                var bounds = new LayoutRect(area.X + (column * (w + gap)), area.Y + (row * (rowHeight + gap)), w, rowHeight);
                var labelBox = new LayoutRect(bounds.X + padX, bounds.Y + padY, MathF.Max(1f, bounds.Width - (2 * padX)), MathF.Max(1f, bounds.Height - (2 * padY)));
                var label = renderer.Fit([buttons[i].Label], labelBox, fontSize, maxLines, LayoutTextRole.ButtonLabel, LabelLanguage(buttons[i]), center: true);
                _buttons[buttons[i]] = new LayoutButton(buttons[i].Id, buttons[i].Label, kind, bounds, label);
                _texts.Add(label);
            }
        }

        /// <summary>A language button is labelled in its own language, so it is shaped with that language's fonts.</summary>
        private string LabelLanguage(ScreenButton button) =>
            button.Id.StartsWith(ActionIds.LanguagePrefix, StringComparison.Ordinal) ? button.Id[ActionIds.LanguagePrefix.Length..] : screen.Language;
    }
}
