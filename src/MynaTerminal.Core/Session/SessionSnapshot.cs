using MynaTerminal.Core.Cards;
using MynaTerminal.Core.Results;

namespace MynaTerminal.Core.Session;

/// <summary>
/// Everything a screen needs to draw the current state, and nothing personal beyond it: the PIN appears only
/// as a count of digits, the face only as a hint. Screens are a pure function of this snapshot.
/// </summary>
public sealed record SessionSnapshot
{
    public required SessionPhase Phase { get; init; }
    public Guid? SessionId { get; init; }
    /// <summary>How the terminal takes patients now (a pending out-of-service shows here before the phase does).</summary>
    public TerminalMode Mode { get; init; }
    public required string Language { get; init; }
    public CardKind? CardKind { get; init; }
    public CertificateExpiry? Expiry { get; init; }
    public DateTimeOffset? CertificateNotAfter { get; init; }
    public IReadOnlyList<MethodOption> Methods { get; init; } = [];
    /// <summary>Set when a method was removed or failed, so the screen can say why.</summary>
    public MethodNotice MethodNotice { get; init; }
    public int PinDigitsEntered { get; init; }
    public int? PinTriesLeft { get; init; }
    public bool PinWasWrong { get; init; }
    /// <summary>The next VERIFY would use the last try: the patient must confirm it first.</summary>
    public bool PinLastTryPending { get; init; }
    public int FaceAttempt { get; init; }
    public FaceHint FaceHint { get; init; }
    public IReadOnlyList<ConsentCategory> ConsentCategories { get; init; } = [];
    /// <summary>In individual consent, the index of the category being asked; null on the first consent screen.</summary>
    public int? ConsentCategoryIndex { get; init; }
    public IdentityMethod? IdentifiedBy { get; init; }
    public EligibilityAnswer? Eligibility { get; init; }
    /// <summary>Done without a clinic answer in time: send the patient to reception.</summary>
    public bool EligibilityMissing { get; init; }
    public FailureReason? Failure { get; init; }
    public IdleNotice IdleNotice { get; init; }
    /// <summary>The phase's time-out is near: the screen says so and any input extends it.</summary>
    public bool TimeoutWarning { get; init; }
    public DateTimeOffset? Deadline { get; init; }
}

/// <summary>Why the method screen looks the way it does.</summary>
public enum MethodNotice
{
    None,
    FaceFailed,
    SpoofSuspected,
    PinBlocked,
    CardFaceUnreadable,
}
