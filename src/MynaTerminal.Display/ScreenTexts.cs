using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using System.Text.Json;

namespace MynaTerminal.Display;

/// <summary>
/// The screen texts of one language: one flat table key → text, with <c>{0}</c>-style placeholders, loaded from the
/// embedded resources <c>Texts/&lt;language&gt;.json</c>. This is the one place for every text a patient reads.
/// A key missing from a table is a bug and throws <see cref="KeyNotFoundException"/>: there is no silent fallback
/// from one language to another, so tests that compose every screen in every language catch it.
/// </summary>
public sealed class ScreenTexts
{
    /// <summary>The language used for a session whose language has no table (日本語).</summary>
    public const string DefaultLanguage = "ja";

    private const string ResourcePrefix = "MynaTerminal.Display.Texts.";
    private const string ResourceSuffix = ".json";

    // The immutable text tables, read once from the assembly's resources.
    private static readonly Lazy<FrozenDictionary<string, ScreenTexts>> Tables = new(Load);

    private readonly FrozenDictionary<string, string> _texts;

    private ScreenTexts(string language, FrozenDictionary<string, string> texts)
    {
        Language = language;
        _texts = texts;
    }

    /// <summary>The available language codes: <see cref="DefaultLanguage"/> first, then the others in ordinal order.</summary>
    public static IReadOnlyList<string> Languages { get; } = OrderLanguages(Tables.Value.Keys);

    /// <summary>The language code of this table (e.g. "ja", "en").</summary>
    public string Language { get; }

    /// <summary>Every key of this table.</summary>
    public IReadOnlyCollection<string> Keys => _texts.Keys;

    /// <summary>The text for <paramref name="key"/>; throws <see cref="KeyNotFoundException"/> when the table lacks it.</summary>
    public string this[string key] =>
        _texts.TryGetValue(key, out var text)
            ? text
            : throw new KeyNotFoundException($"Screen text '{key}' is missing for language '{Language}'.");

    /// <summary>
    /// The table for <paramref name="language"/>, compared case-insensitively. "en-US" finds "en", "zh-CN" finds
    /// "zh-Hans"; a language without a table, or none at all, gets <see cref="DefaultLanguage"/>.
    /// </summary>
    public static ScreenTexts For(string? language)
    {
        var tables = Tables.Value;
        if (!string.IsNullOrWhiteSpace(language))
        {
            var code = language.Trim().Replace('_', '-');
            if (tables.TryGetValue(code, out var exact))
            {
                return exact;
            }

            var dash = code.IndexOf('-');
            var neutral = dash > 0 ? code[..dash] : code;
            if (tables.TryGetValue(neutral, out var byNeutral))
            {
                return byNeutral;
            }

            // "zh", "zh-CN" → "zh-Hans": the first table of the same neutral language.
            foreach (var name in Languages)
            {
                if (name.StartsWith(neutral + "-", StringComparison.OrdinalIgnoreCase))
                {
                    return tables[name];
                }
            }
        }

        return tables[DefaultLanguage];
    }

    /// <summary>For data-driven keys (consent categories) where a missing text is expected and handled.</summary>
    public bool TryGet(string key, [NotNullWhen(true)] out string? text) => _texts.TryGetValue(key, out text);

    /// <summary>The text for <paramref name="key"/> with its placeholders filled in (invariant culture, so output is deterministic).</summary>
    public string Format(string key, params object?[] args) => string.Format(CultureInfo.InvariantCulture, this[key], args);

    private static FrozenDictionary<string, ScreenTexts> Load()
    {
        var assembly = typeof(ScreenTexts).Assembly;
        var tables = new Dictionary<string, ScreenTexts>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith(ResourcePrefix, StringComparison.Ordinal) || !name.EndsWith(ResourceSuffix, StringComparison.Ordinal))
            {
                continue;
            }

            var language = name[ResourcePrefix.Length..^ResourceSuffix.Length];
            tables.Add(language, new ScreenTexts(language, ReadTable(assembly, name)));
        }

        if (!tables.ContainsKey(DefaultLanguage))
        {
            throw new InvalidOperationException($"The embedded text table '{DefaultLanguage}' is missing.");
        }

        return tables.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    private static FrozenDictionary<string, string> ReadTable(Assembly assembly, string resourceName)
    {
        using var stream = assembly.GetManifestResourceStream(resourceName)
            ?? throw new InvalidOperationException($"Resource '{resourceName}' cannot be opened.");
        var table = JsonSerializer.Deserialize<Dictionary<string, string>>(stream)
            ?? throw new InvalidOperationException($"Resource '{resourceName}' is empty.");
        return table.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static string[] OrderLanguages(IEnumerable<string> languages) =>
        languages
            .OrderBy(l => l == DefaultLanguage ? 0 : 1)
            .ThenBy(l => l, StringComparer.Ordinal)
            .ToArray();
}
