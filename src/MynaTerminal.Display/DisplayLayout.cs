using SkiaSharp;

namespace MynaTerminal.Display;

/// <summary>
/// Where everything of one <see cref="Core.Devices.Screen"/> is drawn by <see cref="PngScreenRenderer"/>, in frame
/// pixels (origin top-left): every button with its rectangle, every block of text with its box and its wrapped
/// lines, and the picture area (card placement pictogram, face preview). It is what the renderer draws — the same
/// object, not a mirror — so a touch driver or a web page can map a tap to a button with <see cref="HitTest"/>, and
/// tests can check that no text leaves its box.
/// </summary>
/// <param name="ScreenId">The screen's id.</param>
/// <param name="Width">Frame width in pixels.</param>
/// <param name="Height">Frame height in pixels.</param>
/// <param name="Style">The style the frame is drawn in.</param>
/// <param name="Buttons">Every button of the screen, in the screen's order.</param>
/// <param name="Texts">Every text block: the title, the body, and each button's label.</param>
/// <param name="Picture">The pictogram or camera preview area, when the screen has one.</param>
public sealed record DisplayLayout(
    string ScreenId,
    int Width,
    int Height,
    ScreenStyle Style,
    IReadOnlyList<LayoutButton> Buttons,
    IReadOnlyList<LayoutText> Texts,
    LayoutPicture? Picture)
{
    /// <summary>The id of the button at (<paramref name="x"/>, <paramref name="y"/>) in frame pixels; null when the point hits none.</summary>
    public string? HitTest(float x, float y)
    {
        foreach (var button in Buttons)
        {
            if (button.Bounds.Contains(x, y))
            {
                return button.Id;
            }
        }

        return null;
    }
}

/// <summary>A rectangle in frame pixels.</summary>
public readonly record struct LayoutRect(float X, float Y, float Width, float Height)
{
    public float Right => X + Width;

    public float Bottom => Y + Height;

    /// <summary>True when the point lies inside (left and top edges included, right and bottom excluded).</summary>
    public bool Contains(float x, float y) => x >= X && x < Right && y >= Y && y < Bottom;

    /// <summary>True when <paramref name="other"/> lies inside this rectangle, with <paramref name="tolerance"/> pixels to spare for rounding.</summary>
    public bool Encloses(LayoutRect other, float tolerance = 0.5f) =>
        other.X >= X - tolerance && other.Y >= Y - tolerance && other.Right <= Right + tolerance && other.Bottom <= Bottom + tolerance;

    /// <summary>True when the two rectangles share any area.</summary>
    public bool Overlaps(LayoutRect other) => X < other.Right && other.X < Right && Y < other.Bottom && other.Y < Bottom;

    public SKRect ToSKRect() => new(X, Y, Right, Bottom);

    internal static LayoutRect From(SKRect r) => new(r.Left, r.Top, r.Width, r.Height);
}

/// <summary>What a button is for, which decides where it goes.</summary>
public enum LayoutButtonKind
{
    /// <summary>An answer of the screen (同意する, 顔認証, 次へ, …): rows above the bottom bar.</summary>
    Action,
    /// <summary>A key of the PIN keypad (digits, 1字消す, 確定).</summary>
    Keypad,
    /// <summary>係員呼出 and the language buttons: the bottom bar.</summary>
    System,
}

/// <summary>A button and where it is.</summary>
public sealed record LayoutButton(string Id, string Label, LayoutButtonKind Kind, LayoutRect Bounds, LayoutText LabelText);

/// <summary>What a text block is.</summary>
public enum LayoutTextRole
{
    Title,
    Body,
    ButtonLabel,
}

/// <summary>
/// A block of text: its box, the font size it was fitted at, and its lines. The renderer shrinks the font (and wraps)
/// until every line fits the box; <see cref="BelowReadableSize"/> says it had to go below the readable minimum
/// (<see cref="PngScreenRenderer.MinimumReadableSize"/>) to do so — too much text for the frame.
/// </summary>
public sealed record LayoutText(LayoutTextRole Role, LayoutRect Box, float FontSize, IReadOnlyList<LayoutLine> Lines, bool BelowReadableSize)
{
    /// <summary>The union of the lines' rectangles (zero size when there are none).</summary>
    public LayoutRect Extent
    {
        get
        {
            if (Lines.Count == 0)
            {
                return new LayoutRect(Box.X, Box.Y, 0, 0);
            }

            var left = Lines.Min(l => l.Bounds.X);
            var top = Lines.Min(l => l.Bounds.Y);
            var right = Lines.Max(l => l.Bounds.Right);
            var bottom = Lines.Max(l => l.Bounds.Bottom);
            return new LayoutRect(left, top, right - left, bottom - top);
        }
    }
}

/// <summary>
/// One drawn line: its text, its rectangle (advance width × line height), its baseline, and its runs — one per font
/// face, split where the primary face lacks a glyph.
/// </summary>
public sealed record LayoutLine(string Text, LayoutRect Bounds, float Baseline, IReadOnlyList<LayoutRun> Runs)
{
    /// <summary>Characters no installed font has, drawn as 〓.</summary>
    public int MissingGlyphs => Runs.Sum(r => r.MissingGlyphs);

    internal ShapedText? Shaped { get; init; }

    internal int Start { get; init; }

    internal int End { get; init; }

    internal float ScaleX { get; init; } = 1f;
}

/// <summary>A stretch of a line drawn with one font face; <see cref="GlyphIds"/> are that face's glyphs (0 would be tofu).</summary>
public sealed record LayoutRun(string Text, string FontFamily, IReadOnlyList<ushort> GlyphIds, int MissingGlyphs);

/// <summary>What the picture area shows.</summary>
public enum LayoutPictureKind
{
    /// <summary>The idle screen's pictogram: where to place the card, and where to hold a phone.</summary>
    CardPlacement,
    /// <summary>The face screen: the camera preview with the face box, or the face guide outline without one.</summary>
    FacePreview,
}

/// <summary>The picture area of a screen.</summary>
public sealed record LayoutPicture(LayoutPictureKind Kind, LayoutRect Bounds);

/// <summary>How frames are drawn: for patients who need larger text or stronger contrast.</summary>
/// <param name="LargeText">Every font about 1.3 × larger (text still shrinks to fit the frame).</param>
/// <param name="HighContrast">White and yellow on black, thick borders, no tinted backgrounds.</param>
public sealed record ScreenStyle(bool LargeText = false, bool HighContrast = false)
{
    public static ScreenStyle Default { get; } = new();
}
