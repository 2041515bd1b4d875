using MynaTerminal.Core.Results;
using E = MynaTerminal.Core.Session.SessionEvent;

namespace MynaTerminal.Core.Session;

/// <summary>
/// The one list of input action ids: screen buttons, keypad keys, hardware buttons, script commands and
/// MQTT staff commands all speak these, and <see cref="ToEvent"/> turns them into session events.
/// </summary>
public static class ActionIds
{
    public const string DigitPrefix = "digit:";
    public const string PinBackspace = "pin:back";
    public const string PinOk = "pin:ok";
    public const string PinConfirmLastTry = "pin:confirm-last";
    public const string Back = "back";
    public const string Continue = "continue";
    public const string MethodFace = "method:face";
    public const string MethodPin = "method:pin";
    public const string MethodStaff = "method:staff";
    public const string ConsentAll = "consent:all";
    public const string ConsentIndividual = "consent:individual";
    public const string ConsentYes = "consent:yes";
    public const string ConsentNo = "consent:no";
    public const string PrescriptionElectronic = "prescription:electronic";
    public const string PrescriptionPaper = "prescription:paper";
    public const string Help = "help";
    public const string LanguagePrefix = "lang:";
    public const string StaffApprove = "staff:approve";
    public const string StaffResume = "staff:resume";
    public const string StaffCancel = "staff:cancel";

    public static string Digit(int digit) => DigitPrefix + digit;

    public static string Language(string code) => LanguagePrefix + code;

    public static string Method(MethodOption method) => method switch
    {
        MethodOption.Face => MethodFace,
        MethodOption.Pin => MethodPin,
        _ => MethodStaff,
    };

    /// <summary>True for the PIN keypad keys (digits, 1字消す, 確定).</summary>
    public static bool IsKeypad(string id) =>
        id.StartsWith(DigitPrefix, StringComparison.Ordinal) || id is PinBackspace or PinOk;

    /// <summary>True for buttons present on (almost) every screen: language and help.</summary>
    public static bool IsSystem(string id) =>
        id == Help || id.StartsWith(LanguagePrefix, StringComparison.Ordinal);

    /// <summary>The session event for an action id; null for an unknown id (ignored, never an error).</summary>
    public static SessionEvent? ToEvent(string id) => id switch
    {
        PinBackspace => new E.PinBackspace(),
        PinOk => new E.PinSubmit(),
        PinConfirmLastTry => new E.PinLastTryConfirmed(),
        Back => new E.Back(),
        Continue => new E.Continue(),
        MethodFace => new E.MethodChosen(MethodOption.Face),
        MethodPin => new E.MethodChosen(MethodOption.Pin),
        MethodStaff => new E.MethodChosen(MethodOption.Staff),
        ConsentAll => new E.ConsentAll(),
        ConsentIndividual => new E.ConsentIndividual(),
        ConsentYes => new E.ConsentAnswer(true),
        ConsentNo => new E.ConsentAnswer(false),
        PrescriptionElectronic => new E.PrescriptionChosen(PrescriptionForm.Electronic),
        PrescriptionPaper => new E.PrescriptionChosen(PrescriptionForm.Paper),
        Help => new E.HelpRequested(),
        StaffApprove => new E.StaffVisualApproved(),
        StaffResume => new E.StaffResume(),
        StaffCancel => new E.Cancel(),
        _ when id.StartsWith(DigitPrefix, StringComparison.Ordinal) && id.Length == DigitPrefix.Length + 1 && char.IsAsciiDigit(id[^1]) =>
            new E.PinDigit(id[^1] - '0'),
        _ when id.StartsWith(LanguagePrefix, StringComparison.Ordinal) && id.Length is > 5 and <= 16 =>
            new E.LanguageSelected(id[LanguagePrefix.Length..]),
        _ => null,
    };
}
