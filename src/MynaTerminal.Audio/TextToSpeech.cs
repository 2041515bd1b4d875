using System.Text;

namespace MynaTerminal.Audio;

/// <summary>The TTS programs from Debian's packages.</summary>
public enum TtsEngine
{
    /// <summary><c>open_jtalk</c> (packages open-jtalk, open-jtalk-mecab-naist-jdic, hts-voice-nitech-jp-atr503-m001): Japanese.</summary>
    OpenJTalk,

    /// <summary><c>espeak-ng</c> (package espeak-ng): every other language, with an espeak-ng voice (en, cmn, ko, vi, …).</summary>
    EspeakNg,
}

/// <summary>An engine and, for espeak-ng, its voice. <see cref="ToString"/> is what the manifest records.</summary>
public sealed record TtsVoice(TtsEngine Engine, string? Voice = null)
{
    public const string OpenJTalkName = "open_jtalk";
    public const string EspeakNgName = "espeak-ng";

    public static TtsVoice OpenJTalk { get; } = new(TtsEngine.OpenJTalk);

    public override string ToString() => Engine == TtsEngine.OpenJTalk ? OpenJTalkName : $"{EspeakNgName}:{Voice}";

    /// <summary>
    /// The voice of a language: the table's own <see cref="PromptCatalog.VoiceKey"/> when it names one
    /// (<c>open_jtalk</c>, <c>espeak-ng</c>, <c>espeak-ng:&lt;voice&gt;</c>); else open_jtalk for <c>ja</c>, <c>ja-*</c>
    /// or a table written mostly in kana (やさしい日本語 under any code); else espeak-ng with the voice of
    /// <see cref="EspeakVoiceFor"/>.
    /// </summary>
    /// <exception cref="FormatException">The declared voice is not one of the forms above.</exception>
    public static TtsVoice For(string language, string? declared, IEnumerable<string> texts)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(language);
        if (!string.IsNullOrWhiteSpace(declared))
        {
            return Parse(declared, language);
        }

        var primary = PrimarySubtag(language);
        if (primary == "ja" || IsWrittenInKana(texts))
        {
            return OpenJTalk;
        }

        return new TtsVoice(TtsEngine.EspeakNg, EspeakVoiceFor(language));
    }

    /// <summary>
    /// The espeak-ng voice for a language code: Chinese (zh, zh-Hans, zh-CN, zh-TW, …) is Mandarin <c>cmn</c>; any
    /// other code is used as it is, lower-case (en, ko, vi, pt-br, …: the names of Debian's espeak-ng-data voices).
    /// </summary>
    public static string EspeakVoiceFor(string language)
    {
        var code = language.Trim().Replace('_', '-').ToLowerInvariant();
        return PrimarySubtag(code) == "zh" ? "cmn" : code;
    }

    private static TtsVoice Parse(string declared, string language)
    {
        var text = declared.Trim();
        if (text == OpenJTalkName)
        {
            return OpenJTalk;
        }

        if (text == EspeakNgName)
        {
            return new TtsVoice(TtsEngine.EspeakNg, EspeakVoiceFor(language));
        }

        if (text.StartsWith(EspeakNgName + ":", StringComparison.Ordinal))
        {
            var voice = text[(EspeakNgName.Length + 1)..].Trim();
            if (voice.Length > 0 && voice.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '+'))
            {
                return new TtsVoice(TtsEngine.EspeakNg, voice);
            }
        }

        throw new FormatException(
            $"'{PromptCatalog.VoiceKey}' of '{language}' is '{declared}': use {OpenJTalkName}, {EspeakNgName} or {EspeakNgName}:<voice> (espeak-ng --voices lists them).");
    }

    private static string PrimarySubtag(string language)
    {
        var code = language.Trim().ToLowerInvariant();
        var dash = code.IndexOfAny(['-', '_']);
        return dash > 0 ? code[..dash] : code;
    }

    /// <summary>
    /// True when at least a fifth of the letters are kana: Japanese (any Japanese text is full of kana; Chinese and
    /// Korean have none), but not an English table that quotes マイナポータル once.
    /// </summary>
    private static bool IsWrittenInKana(IEnumerable<string> texts)
    {
        long letters = 0, kana = 0;
        foreach (var c in texts.SelectMany(t => t))
        {
            if (c is >= '\u3041' and <= '\u3096' or >= '\u30A1' and <= '\u30FA')
            {
                kana++;
            }

            if (char.IsLetter(c))
            {
                letters++;
            }
        }

        return letters > 0 && kana * 5 >= letters;
    }
}

/// <summary>Where Debian's packages put the TTS programs and data (defaults); settable for other layouts and tests.</summary>
public sealed class TtsSettings
{
    public string OpenJTalkPath { get; set; } = TtsVoice.OpenJTalkName;

    /// <summary>The MeCab dictionary (package open-jtalk-mecab-naist-jdic).</summary>
    public string OpenJTalkDictionary { get; set; } = "/var/lib/mecab/dic/open-jtalk/naist-jdic";

    /// <summary>The HTS voice (package hts-voice-nitech-jp-atr503-m001, in Debian's contrib section).</summary>
    public string OpenJTalkVoice { get; set; } = "/usr/share/hts-voice/nitech-jp-atr503-m001/nitech_jp_atr503_m001.htsvoice";

    /// <summary>open_jtalk speech rate (-r): a little slower than its default 1.0, for elderly patients.</summary>
    public double OpenJTalkRate { get; set; } = 0.9;

    public string EspeakNgPath { get; set; } = TtsVoice.EspeakNgName;

    /// <summary>espeak-ng speed in words per minute (-s): slower than its default 175.</summary>
    public int EspeakNgWordsPerMinute { get; set; } = 150;
}

/// <summary>A TTS program or its data is not installed; the message names the Debian package.</summary>
public sealed class TtsNotInstalledException(string message) : Exception(message);

/// <summary>The command lines of the TTS programs. Text always goes in on standard input, never as an argument.</summary>
public static class TtsCommands
{
    public const string OpenJTalkPackages = "open-jtalk open-jtalk-mecab-naist-jdic hts-voice-nitech-jp-atr503-m001";
    public const string EspeakNgPackage = "espeak-ng";

    /// <summary>The program that renders <paramref name="text"/> with <paramref name="voice"/> into <paramref name="outputFile"/>.</summary>
    public static ProcessSpec For(TtsVoice voice, string text, string outputFile, TtsSettings settings, string? executable = null)
    {
        ArgumentNullException.ThrowIfNull(voice);
        ArgumentNullException.ThrowIfNull(settings);
        // One line, newline-terminated: open_jtalk synthesises the first line of its input.
        var input = Encoding.UTF8.GetBytes(PromptCatalog.Normalize(text) + "\n");
        return voice.Engine switch
        {
            TtsEngine.OpenJTalk => new ProcessSpec(
                executable ?? settings.OpenJTalkPath,
                ["-x", settings.OpenJTalkDictionary, "-m", settings.OpenJTalkVoice,
                 "-r", settings.OpenJTalkRate.ToString("0.0##", System.Globalization.CultureInfo.InvariantCulture), "-ow", outputFile])
            { StandardInput = input },
            _ => new ProcessSpec(
                executable ?? settings.EspeakNgPath,
                ["-v", voice.Voice ?? "en", "-b", "1",
                 "-s", settings.EspeakNgWordsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture), "-w", outputFile, "--stdin"])
            { StandardInput = input },
        };
    }

    /// <summary>
    /// Checks that <paramref name="engine"/> can run here and returns its executable's path.
    /// </summary>
    /// <exception cref="TtsNotInstalledException">Program, dictionary or voice missing, with the apt-get line.</exception>
    public static string Require(TtsEngine engine, TtsSettings settings, IProcessRunner runner, IEnumerable<string> languages)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(runner);
        var forLanguages = string.Join(", ", languages);
        if (engine == TtsEngine.OpenJTalk)
        {
            var path = runner.FindExecutable(settings.OpenJTalkPath) ?? throw new TtsNotInstalledException(
                $"{settings.OpenJTalkPath} was not found (needed for {forLanguages}). Install it: sudo apt-get install {OpenJTalkPackages}");
            if (!File.Exists(Path.Combine(settings.OpenJTalkDictionary, "sys.dic")))
            {
                throw new TtsNotInstalledException(
                    $"The Open JTalk dictionary {settings.OpenJTalkDictionary} is missing (needed for {forLanguages}). Install it: sudo apt-get install open-jtalk-mecab-naist-jdic");
            }

            if (!File.Exists(settings.OpenJTalkVoice))
            {
                throw new TtsNotInstalledException(
                    $"The Open JTalk voice {settings.OpenJTalkVoice} is missing (needed for {forLanguages}). Install it: sudo apt-get install hts-voice-nitech-jp-atr503-m001 " +
                    "(Debian's contrib section: add 'contrib' to the Components of /etc/apt/sources.list.d/debian.sources; Raspberry Pi OS has it)");
            }

            return path;
        }

        return runner.FindExecutable(settings.EspeakNgPath) ?? throw new TtsNotInstalledException(
            $"{settings.EspeakNgPath} was not found (needed for {forLanguages}). Install it: sudo apt-get install {EspeakNgPackage}");
    }
}
