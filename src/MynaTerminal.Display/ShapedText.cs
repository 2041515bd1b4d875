using System.Collections.Concurrent;
using System.Text;
using SkiaSharp;
using SkiaSharp.HarfBuzz;

namespace MynaTerminal.Display;

/// <summary>
/// One paragraph shaped once with HarfBuzz at a reference size: its glyphs in logical order, each with the face it
/// comes from (runs split where the primary face lacks a glyph), its x position and the UTF-16 index of its
/// cluster. Widths at any size are the reference widths scaled, so wrapping and fitting cost no further shaping,
/// and what is measured is exactly what is drawn.
/// </summary>
internal sealed class ShapedText
{
    /// <summary>The size the glyph positions are in.</summary>
    public const float ReferenceSize = 100f;

    private ShapedText(string text, ushort[] glyphs, SKTypeface[] faces, float[] x, float[] y, int[] clusters, float width, int missing)
    {
        Text = text;
        Glyphs = glyphs;
        Faces = faces;
        X = x;
        Y = y;
        Clusters = clusters;
        Width = width;
        Missing = missing;
    }

    /// <summary>The text as drawn: characters no font has are replaced with <see cref="FontSet.MissingGlyphMarker"/>.</summary>
    public string Text { get; }

    public ushort[] Glyphs { get; }

    public SKTypeface[] Faces { get; }

    public float[] X { get; }

    public float[] Y { get; }

    /// <summary>UTF-16 index in <see cref="Text"/> where each glyph's cluster starts (non-decreasing: left to right only).</summary>
    public int[] Clusters { get; }

    /// <summary>Total advance at <see cref="ReferenceSize"/>.</summary>
    public float Width { get; }

    /// <summary>How many characters no font had.</summary>
    public int Missing { get; }

    /// <summary>The x offset (reference size) where the character at <paramref name="index"/> starts.</summary>
    public float Offset(int index)
    {
        if (index <= 0)
        {
            return 0f;
        }

        // First glyph whose cluster starts at or after index.
        int low = 0, high = Clusters.Length;
        while (low < high)
        {
            var mid = (low + high) / 2;
            if (Clusters[mid] < index)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low < X.Length ? X[low] : Width;
    }

    /// <summary>Width (reference size) of <c>Text[start..end]</c>.</summary>
    public float Measure(int start, int end) => Offset(end) - Offset(start);

    /// <summary>The glyph index range of the characters <c>[start, end)</c>.</summary>
    public (int First, int End) GlyphRange(int start, int end)
    {
        var first = 0;
        while (first < Clusters.Length && Clusters[first] < start)
        {
            first++;
        }

        var last = first;
        while (last < Clusters.Length && Clusters[last] < end)
        {
            last++;
        }

        return (first, last);
    }

    /// <summary>Shapes <paramref name="text"/> with the first face of <paramref name="chain"/> that has each character.</summary>
    public static ShapedText Shape(string text, IReadOnlyList<SKTypeface> chain, ShaperCache cache)
    {
        // 1. Replace what no face has with the marker, so every character below has a face.
        var builder = new StringBuilder(text.Length);
        var faceOf = new List<int>(text.Length);
        var missing = 0;
        var current = 0;
        for (var i = 0; i < text.Length;)
        {
            Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var length);
            var codepoint = rune.Value;
            int face;
            if (IsLayoutNeutral(codepoint) && cache.Has(chain[current], codepoint))
            {
                face = current; // Spaces, joiners and marks stay in the run they are in.
            }
            else if (cache.Has(chain[0], codepoint))
            {
                face = 0; // Back to the primary face as soon as it has the character.
            }
            else if (cache.Has(chain[current], codepoint))
            {
                face = current;
            }
            else
            {
                face = FirstWith(chain, codepoint, cache);
            }

            if (face < 0)
            {
                missing++;
                builder.Append(FontSet.MissingGlyphMarker);
                face = FirstWith(chain, FontSet.MissingGlyphMarker, cache);
                face = face < 0 ? 0 : face;
                faceOf.Add(face);
            }
            else
            {
                builder.Append(text, i, length);
                for (var k = 0; k < length; k++)
                {
                    faceOf.Add(face);
                }
            }

            current = face;
            i += length;
        }

        var drawn = builder.ToString();
        var glyphs = new List<ushort>(drawn.Length);
        var faces = new List<SKTypeface>(drawn.Length);
        var xs = new List<float>(drawn.Length);
        var ys = new List<float>(drawn.Length);
        var clusters = new List<int>(drawn.Length);
        var x = 0f;

        // 2. Shape each run of one face; HarfBuzz clusters are UTF-8 byte offsets into the run.
        var start = 0;
        while (start < drawn.Length)
        {
            var end = start + 1;
            while (end < drawn.Length && faceOf[end] == faceOf[start])
            {
                end++;
            }

            var face = chain[faceOf[start]];
            var run = drawn[start..end];
            var result = cache.Shape(face, run);
            var byteToChar = Utf8ToUtf16Index(run);
            for (var g = 0; g < result.Codepoints.Length; g++)
            {
                glyphs.Add((ushort)result.Codepoints[g]);
                faces.Add(face);
                xs.Add(x + result.Points[g].X);
                ys.Add(result.Points[g].Y);
                var cluster = (int)result.Clusters[g];
                clusters.Add(start + (cluster < byteToChar.Length ? byteToChar[cluster] : run.Length));
            }

            x += result.Width;
            start = end;
        }

        return new ShapedText(drawn, glyphs.ToArray(), faces.ToArray(), xs.ToArray(), ys.ToArray(), clusters.ToArray(), x, missing);
    }

    private static int FirstWith(IReadOnlyList<SKTypeface> chain, int codepoint, ShaperCache cache)
    {
        for (var f = 0; f < chain.Count; f++)
        {
            if (cache.Has(chain[f], codepoint))
            {
                return f;
            }
        }

        return -1;
    }

    private static bool IsLayoutNeutral(int codepoint) =>
        codepoint is ' ' or '\u3000' or '\u200B' or '\u200C' or '\u200D' or '\uFE0F'
        || (codepoint >= 0x0300 && codepoint <= 0x036F) // combining diacritics (Vietnamese when decomposed)
        || (codepoint >= 0xE0100 && codepoint <= 0xE01EF); // ideographic variation selectors (IVS)

    /// <summary>For each UTF-8 byte offset of <paramref name="text"/>, the UTF-16 index of its character.</summary>
    private static int[] Utf8ToUtf16Index(string text)
    {
        var map = new int[Encoding.UTF8.GetByteCount(text) + 1];
        var offset = 0;
        for (var i = 0; i < text.Length; i += char.IsSurrogatePair(text, i) ? 2 : 1)
        {
            var bytes = char.IsSurrogatePair(text, i) ? 4 : Encoding.UTF8.GetByteCount(text.AsSpan(i, 1));
            for (var b = 0; b < bytes; b++)
            {
                map[offset + b] = i;
            }

            offset += bytes;
        }

        map[offset] = text.Length;
        return map;
    }
}

/// <summary>Shapers, reference fonts, glyph coverage and shaped paragraphs of one renderer, kept between frames.</summary>
internal sealed class ShaperCache : IDisposable
{
    private const int MaxParagraphs = 4096;

    private readonly Dictionary<SKTypeface, (SKShaper Shaper, SKFont Font)> _shapers = [];
    private readonly Dictionary<(SKTypeface, int), bool> _coverage = [];
    private readonly ConcurrentDictionary<(string Text, IReadOnlyList<SKTypeface> Chain), ShapedText> _paragraphs = new();
    private readonly Lock _lock = new();

    public ShapedText Paragraph(string text, IReadOnlyList<SKTypeface> chain)
    {
        if (_paragraphs.TryGetValue((text, chain), out var cached))
        {
            return cached;
        }

        ShapedText shaped;
        lock (_lock)
        {
            shaped = ShapedText.Shape(text, chain, this);
        }

        if (_paragraphs.Count >= MaxParagraphs)
        {
            _paragraphs.Clear(); // Greeting names make the set open-ended: start over rather than grow.
        }

        _paragraphs[(text, chain)] = shaped;
        return shaped;
    }

    /// <summary>True when <paramref name="face"/> has a glyph for <paramref name="codepoint"/>. Callers hold the lock.</summary>
    public bool Has(SKTypeface face, int codepoint)
    {
        if (!_coverage.TryGetValue((face, codepoint), out var has))
        {
            has = Entry(face).Font.GetGlyph(codepoint) != 0;
            _coverage[(face, codepoint)] = has;
        }

        return has;
    }

    /// <summary>HarfBuzz shaping of one run at <see cref="ShapedText.ReferenceSize"/>. Callers hold the lock.</summary>
    public SKShaper.Result Shape(SKTypeface face, string text)
    {
        var (shaper, font) = Entry(face);
        return shaper.Shape(text, font);
    }

    public void Dispose()
    {
        foreach (var (shaper, font) in _shapers.Values)
        {
            shaper.Dispose();
            font.Dispose();
        }
    }

    private (SKShaper Shaper, SKFont Font) Entry(SKTypeface face)
    {
        if (!_shapers.TryGetValue(face, out var entry))
        {
            entry = (new SKShaper(face), new SKFont(face, ShapedText.ReferenceSize) { Subpixel = true, Hinting = SKFontHinting.None });
            _shapers[face] = entry;
        }

        return entry;
    }
}
