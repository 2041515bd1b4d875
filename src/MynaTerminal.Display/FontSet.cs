using SkiaSharp;

namespace MynaTerminal.Display;

/// <summary>
/// The typefaces a renderer draws with: a primary face per language and an ordered list of fallbacks, all loaded
/// from files (the device's SkiaSharp has no fontconfig). Text is split into runs, each drawn with the first face
/// that has its glyphs (primary first), so a rare kanji (𠮷, 﨑) missing from one font comes from another, and a
/// character no font has is drawn as 〓 (the geta mark Japanese printing uses for a missing character), never as
/// an empty box or a silent ●.
/// </summary>
/// <remarks>
/// Noto Sans CJK (<c>fonts-noto-cjk</c>) is one collection with a face per region: index 0 JP, 1 KR, 2 SC, 3 TC,
/// 4 HK. Every face has the glyphs of all (including Hangul and Vietnamese Latin); the region decides the glyph
/// shapes, so ko uses KR and zh-Hans SC. IPAGothic, DejaVu Sans and Noto Sans (<c>fonts-noto-core</c>) follow as
/// fallbacks when installed.
/// </remarks>
internal sealed class FontSet : IDisposable
{
    /// <summary>Drawn in place of a character no installed font has.</summary>
    public const char MissingGlyphMarker = '〓';

    private const string NotoCjkFile = "NotoSansCJK-Regular.ttc";

    /// <summary>Fallback font files, in order (searched under the font roots).</summary>
    private static readonly string[] FallbackFiles = ["ipag.ttf", "NotoSans-Regular.ttf", "DejaVuSans.ttf"];

    private readonly List<SKTypeface> _owned = [];
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, IReadOnlyList<SKTypeface>> _chains = new(StringComparer.OrdinalIgnoreCase);
    private readonly SKTypeface _defaultPrimary;
    private readonly SKTypeface? _notoJp;
    private readonly SKTypeface? _notoKr;
    private readonly SKTypeface? _notoSc;
    private readonly SKTypeface? _notoTc;
    private readonly List<SKTypeface> _fallbacks = [];

    /// <param name="fontPath">An explicit primary font for every language (face 0); null: Noto Sans CJK per region, else the best Japanese font.</param>
    /// <param name="roots">Font folders to search (default <see cref="JapaneseFontLocator.DefaultRoots"/>).</param>
    public FontSet(string? fontPath, IEnumerable<string>? roots = null)
    {
        var folders = (roots ?? JapaneseFontLocator.DefaultRoots).ToArray();
        var files = FindFiles(folders);
        if (files.TryGetValue(NotoCjkFile, out var noto))
        {
            _notoJp = Load(noto, 0);
            _notoKr = Load(noto, 1);
            _notoSc = Load(noto, 2);
            _notoTc = Load(noto, 3);
        }

        SKTypeface? explicitFace = null;
        if (fontPath is not null)
        {
            explicitFace = Load(fontPath, 0) ?? throw new FileNotFoundException($"The font '{fontPath}' cannot be loaded.", fontPath);
            PrimaryPath = fontPath;
        }

        var japanese = JapaneseFontLocator.Find(folders);
        SKTypeface? located = null;
        if (explicitFace is null && _notoJp is null && japanese is not null)
        {
            located = Load(japanese, 0);
            PrimaryPath = located is null ? null : japanese;
        }
        else if (explicitFace is null && _notoJp is not null)
        {
            PrimaryPath = noto;
        }

        _defaultPrimary = explicitFace ?? _notoJp ?? located ?? SKTypeface.Default;
        Explicit = explicitFace is not null;

        foreach (var face in new[] { _notoJp, located })
        {
            if (face is not null && face != _defaultPrimary)
            {
                _fallbacks.Add(face);
            }
        }

        foreach (var name in FallbackFiles)
        {
            if (files.TryGetValue(name, out var path) && Load(path, 0) is { } face)
            {
                _fallbacks.Add(face);
            }
        }

        if (!_owned.Contains(SKTypeface.Default) && _defaultPrimary != SKTypeface.Default)
        {
            _fallbacks.Add(SKTypeface.Default);
        }
    }

    /// <summary>The file of the default primary face; null when drawing with <see cref="SKTypeface.Default"/>.</summary>
    public string? PrimaryPath { get; }

    /// <summary>True when the primary face was configured (DisplayOptions.FontPath) rather than found.</summary>
    public bool Explicit { get; }

    /// <summary>The primary face of the default language.</summary>
    public SKTypeface DefaultPrimary => _defaultPrimary;

    /// <summary>The faces to try for text in <paramref name="language"/>, primary first.</summary>
    public IReadOnlyList<SKTypeface> ChainFor(string language)
    {
        if (_chains.TryGetValue(language, out var chain))
        {
            return chain;
        }

        var primary = Explicit ? _defaultPrimary : PrimaryFor(language) ?? _defaultPrimary;
        var list = new List<SKTypeface> { primary };
        if (primary != _defaultPrimary)
        {
            list.Add(_defaultPrimary);
        }

        list.AddRange(_fallbacks.Where(f => !list.Contains(f)));
        return _chains.GetOrAdd(language, list); // One list per language: shaped paragraphs are cached by it.
    }

    public void Dispose()
    {
        foreach (var face in _owned)
        {
            face.Dispose();
        }
    }

    private SKTypeface? PrimaryFor(string language)
    {
        var code = language.ToLowerInvariant();
        return code switch
        {
            "ko" or "ko-kr" => _notoKr,
            "zh-hant" or "zh-tw" or "zh-hk" => _notoTc,
            _ when code.StartsWith("zh", StringComparison.Ordinal) => _notoSc,
            _ => _notoJp,
        };
    }

    private SKTypeface? Load(string path, int index)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var face = SKTypeface.FromFile(path, index);
        if (face is not null)
        {
            _owned.Add(face);
        }

        return face;
    }

    /// <summary>The first path (ordinal order) of each known file name under <paramref name="roots"/>.</summary>
    private static Dictionary<string, string> FindFiles(IEnumerable<string> roots)
    {
        var wanted = new HashSet<string>(FallbackFiles.Append(NotoCjkFile), StringComparer.OrdinalIgnoreCase);
        var found = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true };
        foreach (var root in roots)
        {
            if (!Directory.Exists(root))
            {
                continue;
            }

            IEnumerable<string> paths;
            try
            {
                paths = Directory.EnumerateFiles(root, "*", options).Where(p => wanted.Contains(Path.GetFileName(p))).Order(StringComparer.Ordinal).ToArray();
            }
            catch (IOException)
            {
                continue;
            }

            foreach (var path in paths)
            {
                found.TryAdd(Path.GetFileName(path), path);
            }
        }

        return found;
    }
}
