using MynaTerminal.Core.Session;

namespace MynaTerminal.Simulation;

/// <summary>One step of a patient script.</summary>
public abstract record ScriptStep(int Line)
{
    public sealed record Insert(int Line, Persona Persona) : ScriptStep(Line);
    public sealed record Remove(int Line) : ScriptStep(Line);
    public sealed record Press(int Line, IReadOnlyList<string> ActionIds) : ScriptStep(Line);
    public sealed record Wait(int Line, SessionPhase Phase, TimeSpan Timeout) : ScriptStep(Line);
    public sealed record ShowFace(int Line, string? Who) : ScriptStep(Line);
    public sealed record Pause(int Line, TimeSpan Duration) : ScriptStep(Line);
}

/// <summary>
/// Patient scripts: one command per line, <c>#</c> starts a comment. The same grammar drives interactive mode.
/// <code>
/// insert normal | remove                      card in / out (personas: see Persona.All)
/// wait MethodChoice [seconds]                 until the screen shows that phase (default 30 s)
/// choose face|pin|staff                       method button
/// pin 1234                                    four digit keys and 確定 (never logged)
/// confirm-last                                confirm the attempt that uses the last try
/// consent all | consent individual yes no yes
/// prescription electronic|paper
/// face holder|stranger|photo|nobody           who stands in front of the camera
/// continue | back | help | lang en | staff approve|resume|cancel | press &lt;action id&gt;
/// pause 2                                     seconds
/// </code>
/// </summary>
public static class PatientScript
{
    public static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(30);

    public static IReadOnlyList<ScriptStep> Parse(string text)
    {
        var steps = new List<ScriptStep>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var hash = line.IndexOf('#');
            if (hash >= 0)
            {
                line = line[..hash];
            }

            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            steps.Add(ParseLine(line, i + 1));
        }

        return steps;
    }

    public static ScriptStep ParseLine(string line, int number)
    {
        var words = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0)
        {
            throw Error(number, "empty line");
        }

        string Arg(int index) => index < words.Length ? words[index] : throw Error(number, $"'{words[0]}' needs an argument");
        try
        {
            return words[0].ToLowerInvariant() switch
            {
                "insert" => new ScriptStep.Insert(number, Persona.Get(Arg(1))),
                "remove" => new ScriptStep.Remove(number),
                "wait" => new ScriptStep.Wait(number, ParseName<SessionPhase>(number, Arg(1)),
                    words.Length > 2 ? Seconds(number, words[2]) : DefaultWait),
                "choose" => Press(number, ActionIds.Method(ParseName<MethodOption>(number, Arg(1)))),
                "pin" => PinStep(number, Arg(1)),
                "confirm-last" => Press(number, ActionIds.PinConfirmLastTry),
                "consent" => ConsentStep(number, words),
                "prescription" => Press(number, Arg(1) switch
                {
                    "electronic" => ActionIds.PrescriptionElectronic,
                    "paper" => ActionIds.PrescriptionPaper,
                    var other => throw Error(number, $"prescription is electronic or paper, not '{other}'"),
                }),
                "face" => new ScriptStep.ShowFace(number, Arg(1) switch
                {
                    "holder" => null,
                    "stranger" => SimulatedFaceCamera.Stranger,
                    "nobody" => SimulatedFaceCamera.Nobody,
                    "photo" => SimulatedFaceCamera.PhotoPrefix + "holder",
                    var other => throw Error(number, $"face is holder, stranger, photo or nobody, not '{other}'"),
                }),
                "continue" => Press(number, ActionIds.Continue),
                "back" => Press(number, ActionIds.Back),
                "help" => Press(number, ActionIds.Help),
                "lang" => Press(number, ActionIds.Language(Arg(1))),
                "staff" => Press(number, Arg(1) switch
                {
                    "approve" => ActionIds.StaffApprove,
                    "resume" => ActionIds.StaffResume,
                    "cancel" => ActionIds.StaffCancel,
                    var other => throw Error(number, $"staff is approve, resume or cancel, not '{other}'"),
                }),
                "press" => Press(number, Arg(1)),
                "pause" => new ScriptStep.Pause(number, Seconds(number, Arg(1))),
                var other => throw Error(number, $"unknown command '{other}'"),
            };
        }
        catch (Exception ex) when (ex is (ArgumentException or FormatException or OverflowException) and not ScriptFormatException)
        {
            throw Error(number, ex.Message);
        }
    }

    private static ScriptStep.Press Press(int line, params string[] ids) => new(line, ids);

    /// <summary>
    /// An enum member by name only. (Enum.Parse also takes numbers and comma lists, so "choose 7" would
    /// silently become an undefined method and "wait 3" a phase picked by its number.)
    /// </summary>
    private static T ParseName<T>(int line, string word)
        where T : struct, Enum =>
        Enum.GetNames<T>().FirstOrDefault(n => string.Equals(n, word, StringComparison.OrdinalIgnoreCase)) is { } name
            ? Enum.Parse<T>(name)
            : throw Error(line, $"'{word}' is not one of {string.Join(", ", Enum.GetNames<T>())}");

    /// <summary>A non-negative, finite number of seconds.</summary>
    private static TimeSpan Seconds(int line, string word)
    {
        var seconds = double.Parse(word, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture);
        return double.IsFinite(seconds) && seconds >= 0
            ? TimeSpan.FromSeconds(seconds)
            : throw Error(line, $"'{word}' is not a number of seconds (0 or more)");
    }

    private static ScriptStep PinStep(int line, string digits)
    {
        if (digits.Length != Core.Session.Pin.Length || !digits.All(char.IsAsciiDigit))
        {
            throw Error(line, "pin takes exactly four digits");
        }

        return new ScriptStep.Press(line, [.. digits.Select(c => ActionIds.Digit(c - '0')), ActionIds.PinOk]);
    }

    private static ScriptStep ConsentStep(int line, string[] words)
    {
        if (words.Length == 2 && words[1] == "all")
        {
            return Press(line, ActionIds.ConsentAll);
        }

        if (words.Length > 2 && words[1] == "individual")
        {
            var answers = words.Skip(2).Select(w => w switch
            {
                "yes" => ActionIds.ConsentYes,
                "no" => ActionIds.ConsentNo,
                _ => throw Error(line, $"consent answers are yes or no, not '{w}'"),
            });
            return new ScriptStep.Press(line, [ActionIds.ConsentIndividual, .. answers]);
        }

        throw Error(line, "consent all | consent individual yes|no ...");
    }

    private static ScriptFormatException Error(int line, string message) => new($"script line {line}: {message}");

    /// <summary>Ready-made patients for <c>mynaterm simulate --patients</c>, one per path through the session.</summary>
    public static IReadOnlyDictionary<string, string> BuiltIn { get; } = new Dictionary<string, string>
    {
        ["pin"] = """
            # 暗証番号: a patient with a normal card enters the PIN and agrees to everything.
            insert normal
            wait MethodChoice
            choose pin
            wait Pin
            pin 1234
            wait Consent
            consent all
            wait Done
            remove
            wait Idle
            """,
        ["face"] = """
            # 顔認証: the card holder looks at the camera and consents one category at a time.
            insert normal
            wait MethodChoice
            choose face
            wait Consent
            consent individual yes yes no
            wait Done
            remove
            wait Idle
            """,
        ["pulled"] = """
            # The patient takes the card out in the middle of PIN entry: nothing may be published.
            insert normal
            wait MethodChoice
            choose pin
            wait Pin
            press digit:1
            remove
            wait Idle
            """,
        ["expiring"] = """
            # 更新アラート: the certificate expires soon; the notice is shown, then the session goes on.
            insert expiring
            wait CertificateNotice
            continue
            wait MethodChoice
            choose face
            wait Consent
            consent all
            wait Done
            remove
            wait Idle
            """,
        ["grace"] = """
            # Expired within the grace period: eligibility only, no consent screen.
            insert grace
            wait CertificateNotice
            continue
            wait MethodChoice
            choose pin
            wait Pin
            pin 1357
            wait Done
            remove
            wait Idle
            """,
        ["expired"] = """
            # Expired beyond the grace period (006): the terminal names the fallback documents.
            insert expired
            wait Failed
            remove
            wait Idle
            """,
        ["face-only"] = """
            # 顔認証マイナンバーカード (no PIN): the face does not match, so staff check visually (目視確認).
            insert face-only
            wait MethodChoice
            face stranger
            choose face
            wait StaffVisual
            face holder
            staff approve
            wait Consent
            consent all
            wait Done
            remove
            wait Idle
            """,
        ["android"] = """
            # スマホ用電子証明書 on Android: PIN only.
            insert android
            wait Pin
            pin 8642
            wait Consent
            consent all
            wait Done
            remove
            wait Idle
            """,
        ["iphone"] = """
            # iPhone: the phone confirms with Face ID.
            insert iphone
            wait Consent
            consent all
            wait Done
            remove
            wait Idle
            """,
        ["unknown"] = """
            # Not a My Number Card (002).
            insert unknown
            wait Failed
            remove
            wait Idle
            """,
    };
}

/// <summary>A script line that cannot be understood; the message names the line.</summary>
public sealed class ScriptFormatException(string message) : FormatException(message);
