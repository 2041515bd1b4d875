namespace MynaTerminal.Display;

/// <summary>
/// Finds a Japanese-capable font file by path. The device build uses SkiaSharp's NoDependencies native assets,
/// which have no fontconfig (<c>SKTypeface.FromFamilyName</c> returns an empty typeface there), so fonts are
/// always loaded from a file; a fixed preference order also keeps the rendering deterministic.
/// </summary>
public static class JapaneseFontLocator
{
    /// <summary>Where Debian and most Linux systems install fonts.</summary>
    public static IReadOnlyList<string> DefaultRoots { get; } = ["/usr/share/fonts", "/usr/local/share/fonts"];

    /// <summary>
    /// File names in order of preference (compared case-insensitively). NotoSansCJK-Regular.ttc is a collection
    /// whose face 0 is "Noto Sans CJK JP" (fonts-noto-cjk); ipag.ttf is IPAGothic (fonts-ipafont-gothic).
    /// </summary>
    public static IReadOnlyList<string> PreferredFileNames { get; } =
    [
        "NotoSansCJK-Regular.ttc",
        "NotoSansCJKjp-Regular.otf",
        "NotoSansJP-Regular.otf",
        "NotoSansJP-Regular.ttf",
        "NotoSansCJK-Medium.ttc",
        "ipag.ttf",
        "ipagp.ttf",
        "fonts-japanese-gothic.ttf",
    ];

    /// <summary>
    /// The most preferred Japanese font under <paramref name="roots"/> (default <see cref="DefaultRoots"/>),
    /// or null when none is installed. Folders that cannot be read are skipped.
    /// </summary>
    public static string? Find(IEnumerable<string>? roots = null)
    {
        string? best = null;
        var bestRank = int.MaxValue;
        foreach (var root in roots ?? DefaultRoots)
        {
            foreach (var path in EnumerateFiles(root))
            {
                var rank = Rank(Path.GetFileName(path));
                // Ties (the same file name in two folders) go to the ordinally smaller path: deterministic.
                if (rank < bestRank || (rank == bestRank && best is not null && string.CompareOrdinal(path, best) < 0))
                {
                    best = path;
                    bestRank = rank;
                }
            }
        }

        return best;
    }

    private static int Rank(string fileName)
    {
        for (var i = 0; i < PreferredFileNames.Count; i++)
        {
            if (string.Equals(fileName, PreferredFileNames[i], StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return int.MaxValue;
    }

    private static IEnumerable<string> EnumerateFiles(string root)
    {
        if (!Directory.Exists(root))
        {
            return [];
        }

        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, MatchCasing = MatchCasing.CaseInsensitive };
        try
        {
            return Directory.EnumerateFiles(root, "*", options).Where(p => Rank(Path.GetFileName(p)) != int.MaxValue).ToArray();
        }
        catch (IOException)
        {
            return [];
        }
    }
}
