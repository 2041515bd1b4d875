using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using MynaTerminal.Core.Session;
using MynaTerminal.Display;

namespace MynaTerminal.Audio;

/// <summary>The spoken prompt of one screen in one language, and the text key it came from.</summary>
public sealed record Prompt(string ScreenId, string Language, string Text, string SourceKey)
{
    /// <summary>Lower-case hex SHA-256 of the UTF-8 text: a changed text gets a new hash and is rendered again.</summary>
    public string TextSha256 => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Text)));

    /// <summary>The prompt's WAV file relative to the prompts folder (<c>&lt;language&gt;/&lt;screenId&gt;.wav</c>).</summary>
    public string RelativeFile => PromptFiles.RelativePath(ScreenId, Language);
}

/// <summary>A screen that has no usable prompt in a language, and why.</summary>
public sealed record PromptProblem(string ScreenId, string Language, string Message)
{
    public override string ToString() => $"{ScreenId} [{Language}]: {Message}";
}

/// <summary>
/// For each screen id and language, the text of its spoken prompt, taken from the screen text resources
/// (<c>MynaTerminal.Display/Texts/&lt;language&gt;.json</c>) and nothing else.
/// </summary>
/// <remarks>
/// <para>Where a prompt comes from, per (screen, language):</para>
/// <list type="number">
/// <item>The dedicated key <c>speech.&lt;screenId&gt;</c> of that language's table (e.g. <c>speech.pin</c>). Spoken text
/// is written for the ear: generic (no name, no number), short, and spelled for the TTS where it must be.</item>
/// <item>Otherwise the screen's title key in the same table (a new language works before its translator writes
/// <c>speech.*</c> keys) — but only a title that passes the same checks; <c>pin.title</c> ("…4桁…") does not.</item>
/// <item>Otherwise nothing: the pair is a <see cref="Problems">problem</see>, the render reports it and the terminal
/// stays silent on that screen. There is never a fallback to another language.</item>
/// </list>
/// <para>Screens: every constant of <see cref="Display.ScreenIds"/> (but the <c>failed-</c> prefix), one
/// <c>failed-&lt;reason&gt;</c> per <see cref="FailureReason"/>, and every screen id named by a <c>speech.*</c> key in any
/// table — so new screens and new languages are picked up from the resources without a code change.</para>
/// <para>Every prompt text must be speakable to anyone standing nearby: no placeholder (<c>{0}</c> is where a name, a
/// date or a count would go), no digit at all (so no PIN, no tries left, no error number), at most
/// <see cref="MaxLength"/> characters. Prompts are texts of the resources only; a <see cref="Core.Devices.Screen"/>'s
/// lines (where the greeting name and the PIN dots are) are never read.</para>
/// </remarks>
public sealed class PromptCatalog
{
    /// <summary>Prefix of the dedicated prompt keys: <c>speech.&lt;screenId&gt;</c>.</summary>
    public const string SpeechKeyPrefix = "speech.";

    /// <summary>Optional key of a table naming its TTS voice: <c>open_jtalk</c>, <c>espeak-ng</c> or <c>espeak-ng:&lt;voice&gt;</c>.</summary>
    public const string VoiceKey = "tts.voice";

    /// <summary>The longest prompt, in characters (open_jtalk reads at most about 1000 bytes of one line).</summary>
    public const int MaxLength = 200;

    private readonly Dictionary<(string Screen, string Language), Prompt> _prompts;
    private readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> _tables;

    private PromptCatalog(
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> tables,
        IReadOnlyList<string> languages,
        IReadOnlyList<string> screenIds,
        List<Prompt> prompts,
        List<PromptProblem> problems)
    {
        _tables = tables;
        Languages = languages;
        ScreenIds = screenIds;
        Prompts = prompts;
        Problems = problems;
        _prompts = prompts.ToDictionary(p => (p.ScreenId, p.Language));
    }

    /// <summary>The languages (the text tables), <see cref="ScreenTexts.DefaultLanguage"/> first.</summary>
    public IReadOnlyList<string> Languages { get; }

    /// <summary>Every screen id that should have a prompt.</summary>
    public IReadOnlyList<string> ScreenIds { get; }

    /// <summary>Every usable prompt, by language (in <see cref="Languages"/> order) then screen id (in <see cref="ScreenIds"/> order).</summary>
    public IReadOnlyList<Prompt> Prompts { get; }

    /// <summary>Pairs without a usable prompt, and why.</summary>
    public IReadOnlyList<PromptProblem> Problems { get; }

    /// <summary>The catalog of the embedded text tables (<see cref="ScreenTexts"/>).</summary>
    public static PromptCatalog FromScreenTexts()
    {
        var tables = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        foreach (var language in ScreenTexts.Languages)
        {
            var texts = ScreenTexts.For(language);
            tables[language] = texts.Keys.ToDictionary(k => k, k => texts[k], StringComparer.Ordinal);
        }

        return Create(tables);
    }

    /// <summary>A catalog of the given tables (language → key → text), for tests and tools.</summary>
    public static PromptCatalog Create(IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> tables, IEnumerable<string>? screenIds = null)
    {
        ArgumentNullException.ThrowIfNull(tables);
        var languages = tables.Keys
            .OrderBy(l => l == ScreenTexts.DefaultLanguage ? 0 : 1)
            .ThenBy(l => l, StringComparer.Ordinal)
            .ToArray();

        var ids = new List<string>(screenIds ?? KnownScreenIds());
        foreach (var language in languages)
        {
            foreach (var key in tables[language].Keys.Order(StringComparer.Ordinal))
            {
                if (key.StartsWith(SpeechKeyPrefix, StringComparison.Ordinal) && !ids.Contains(key[SpeechKeyPrefix.Length..]))
                {
                    ids.Add(key[SpeechKeyPrefix.Length..]);
                }
            }
        }

        var prompts = new List<Prompt>();
        var problems = new List<PromptProblem>();
        foreach (var language in languages)
        {
            var table = tables[language];
            foreach (var id in ids)
            {
                if (!PromptFiles.IsSafeSegment(id) || !PromptFiles.IsSafeSegment(language))
                {
                    problems.Add(new PromptProblem(id, language, "the screen id or language is not a safe file name ([A-Za-z0-9_-])"));
                    continue;
                }

                var speechKey = SpeechKey(id);
                if (table.TryGetValue(speechKey, out var speech))
                {
                    // A dedicated prompt that breaks the rules is a bug in the resources: say so, never fall back.
                    if (CheckSpeakable(speech) is { } why)
                    {
                        problems.Add(new PromptProblem(id, language, $"'{speechKey}' {why}"));
                    }
                    else
                    {
                        prompts.Add(new Prompt(id, language, Normalize(speech), speechKey));
                    }

                    continue;
                }

                if (TitleKey(id) is { } titleKey && table.TryGetValue(titleKey, out var title))
                {
                    if (CheckSpeakable(title) is { } why)
                    {
                        problems.Add(new PromptProblem(id, language, $"no '{speechKey}', and its title '{titleKey}' {why}"));
                    }
                    else
                    {
                        prompts.Add(new Prompt(id, language, Normalize(title), titleKey));
                    }

                    continue;
                }

                problems.Add(new PromptProblem(id, language, $"no '{speechKey}' and no title to fall back on"));
            }
        }

        return new PromptCatalog(tables, languages, ids, prompts, problems);
    }

    /// <summary>The prompt of <paramref name="screenId"/> in <paramref name="language"/>; null when it has none.</summary>
    public Prompt? Find(string screenId, string language) =>
        _prompts.TryGetValue((screenId, language), out var prompt) ? prompt : null;

    /// <summary>The value of the table's <see cref="VoiceKey"/>, or null when the table names none.</summary>
    public string? DeclaredVoice(string language) =>
        _tables.TryGetValue(language, out var table) && table.TryGetValue(VoiceKey, out var voice) && !string.IsNullOrWhiteSpace(voice)
            ? voice.Trim()
            : null;

    /// <summary>All texts of a language's table (used to tell Japanese texts from others when choosing a voice).</summary>
    public IEnumerable<string> TextsOf(string language) =>
        _tables.TryGetValue(language, out var table) ? table.Values : [];

    /// <summary><c>speech.&lt;screenId&gt;</c>.</summary>
    public static string SpeechKey(string screenId) => SpeechKeyPrefix + screenId;

    /// <summary>
    /// The screen ids the code knows: the constants of <see cref="Display.ScreenIds"/> but the failure prefix, then
    /// <c>failed-&lt;reason&gt;</c> for each <see cref="FailureReason"/> (the ids <see cref="ScreenComposer"/> makes).
    /// </summary>
    public static IReadOnlyList<string> KnownScreenIds()
    {
        var ids = typeof(Display.ScreenIds)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f is { IsLiteral: true } && f.FieldType == typeof(string) && f.Name != nameof(Display.ScreenIds.FailedPrefix))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToList();
        ids.AddRange(Enum.GetValues<FailureReason>().Select(Display.ScreenIds.Failed));
        return ids.Distinct(StringComparer.Ordinal).ToArray();
    }

    /// <summary>Why <paramref name="text"/> may not be spoken, or null when it may.</summary>
    public static string? CheckSpeakable(string text)
    {
        var normalized = Normalize(text);
        if (normalized.Length == 0)
        {
            return "is empty";
        }

        if (normalized.Contains('{') || normalized.Contains('}'))
        {
            return "has a placeholder (a name, date or number filled in at run time cannot be pre-rendered, and must never be spoken)";
        }

        if (normalized.Any(c => CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.DecimalDigitNumber))
        {
            return "contains a digit (prompts never speak numbers: no PIN digit can ever be spoken)";
        }

        if (normalized.Length > MaxLength)
        {
            return $"is longer than {MaxLength} characters";
        }

        return null;
    }

    /// <summary>One line, single spaces (open_jtalk speaks one line; line breaks are layout, not speech).</summary>
    public static string Normalize(string text) =>
        string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>
    /// The title key of a screen (the fallback prompt), as <see cref="ScreenComposer"/> uses it; failure screens by
    /// their convention <c>failed.&lt;Reason&gt;.title</c>. Null for a screen id the code does not know.
    /// </summary>
    internal static string? TitleKey(string screenId)
    {
        if (TitleKeys.TryGetValue(screenId, out var key))
        {
            return key;
        }

        if (screenId.StartsWith(Display.ScreenIds.FailedPrefix, StringComparison.Ordinal) && screenId.Length > Display.ScreenIds.FailedPrefix.Length)
        {
            var pascal = string.Concat(screenId[Display.ScreenIds.FailedPrefix.Length..]
                .Split('-', StringSplitOptions.RemoveEmptyEntries)
                .Select(part => char.ToUpperInvariant(part[0]) + part[1..]));
            return $"failed.{pascal}.title";
        }

        return null;
    }

    private static readonly Dictionary<string, string> TitleKeys = new(StringComparer.Ordinal)
    {
        [Display.ScreenIds.Idle] = "idle.title",
        [Display.ScreenIds.Reading] = "reading.title",
        [Display.ScreenIds.CertificateExpiringSoon] = "cert.expiringSoon.title",
        [Display.ScreenIds.CertificateExpiredInGrace] = "cert.expiredInGrace.title",
        [Display.ScreenIds.MethodChoice] = "method.title",
        [Display.ScreenIds.Face] = "face.title",
        [Display.ScreenIds.Pin] = "pin.title",
        [Display.ScreenIds.PinLastTry] = "pin.lastTry.title",
        [Display.ScreenIds.PhoneConfirm] = "phone.title",
        [Display.ScreenIds.StaffVisual] = "staffVisual.title",
        [Display.ScreenIds.StaffHelp] = "staffHelp.title",
        [Display.ScreenIds.Consent] = "consent.title",
        [Display.ScreenIds.ConsentCategory] = "consent.individual.title",
        [Display.ScreenIds.PrescriptionForm] = "prescription.title",
        [Display.ScreenIds.Eligibility] = "eligibility.title",
        [Display.ScreenIds.Done] = "done.title",
        [Display.ScreenIds.DoneSeeReception] = "done.reception.title",
        [Display.ScreenIds.OutOfService] = "outOfService.title",
    };

}
