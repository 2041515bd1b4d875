using MynaTerminal.Core.Cards;
using MynaTerminal.Core.Results;

namespace MynaTerminal.Core.Session;

/// <summary>
/// Everything that can happen to a session: patient input, card presence, device results (tagged with the
/// session they belong to, so late results of an earlier session are ignored), clinic and staff commands, time.
/// </summary>
public abstract record SessionEvent
{
    private protected SessionEvent() { }

    // Card presence
    public sealed record CardInserted(ReaderRole Role) : SessionEvent;
    public sealed record CardRemoved : SessionEvent;

    // Device results
    public sealed record CardReadCompleted(Guid SessionId, CardReadOutcome Outcome) : SessionEvent;
    public sealed record FaceProgress(Guid SessionId, FaceHint Hint) : SessionEvent;
    public sealed record FaceCompleted(Guid SessionId, FaceOutcome Outcome) : SessionEvent;
    public sealed record PinVerifyCompleted(Guid SessionId, PinOutcome Outcome) : SessionEvent;
    public sealed record PhoneCompleted(Guid SessionId, PhoneOutcome Outcome) : SessionEvent;

    // Patient input
    public sealed record LanguageSelected(string Language) : SessionEvent;
    /// <summary>"次へ" / "OK" on a notice screen.</summary>
    public sealed record Continue : SessionEvent;
    public sealed record MethodChosen(MethodOption Method) : SessionEvent;
    public sealed record PinDigit(int Digit) : SessionEvent;
    public sealed record PinBackspace : SessionEvent;
    /// <summary>"確定" after four digits.</summary>
    public sealed record PinSubmit : SessionEvent;
    /// <summary>The patient confirms the attempt that uses the last try.</summary>
    public sealed record PinLastTryConfirmed : SessionEvent;
    /// <summary>"戻る": back to the method choice.</summary>
    public sealed record Back : SessionEvent;
    /// <summary>全て同意する.</summary>
    public sealed record ConsentAll : SessionEvent;
    /// <summary>個別に同意する: then one <see cref="ConsentAnswer"/> per category.</summary>
    public sealed record ConsentIndividual : SessionEvent;
    public sealed record ConsentAnswer(bool Agreed) : SessionEvent;
    public sealed record PrescriptionChosen(PrescriptionForm Form) : SessionEvent;
    /// <summary>The help / 係員呼出 button.</summary>
    public sealed record HelpRequested : SessionEvent;

    // Staff and clinic
    /// <summary>Staff compared the patient with the card photo (目視確認) and approve.</summary>
    public sealed record StaffVisualApproved : SessionEvent;
    /// <summary>Staff hand the terminal back to the patient after help.</summary>
    public sealed record StaffResume : SessionEvent;
    /// <summary>Staff or the clinic cancel the session.</summary>
    public sealed record Cancel : SessionEvent;
    public sealed record EligibilityAnswered(EligibilityAnswer Answer) : SessionEvent;
    /// <summary>Staff or the clinic switch the terminal's <see cref="TerminalMode"/> (MQTT <c>request/mode</c>).</summary>
    public sealed record ModeRequested(TerminalMode Mode) : SessionEvent;

    /// <summary>Time passed: the session checks its deadlines against the clock.</summary>
    public sealed record Tick : SessionEvent;
}
