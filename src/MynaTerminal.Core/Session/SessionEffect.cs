using MynaTerminal.Core.Results;

namespace MynaTerminal.Core.Session;

/// <summary>What the session asks the terminal to do. The state machine itself touches no device.</summary>
public abstract record SessionEffect
{
    private protected SessionEffect() { }

    /// <summary>Read the card: JPKI token, user-auth certificate, PIN counter (empty VERIFY). No PIN is sent.</summary>
    public sealed record ReadCard(Guid SessionId) : SessionEffect;

    /// <summary>Run one face-authentication attempt (card face → chip photo → live frames).</summary>
    public sealed record AuthenticateFace(Guid SessionId, int Attempt) : SessionEffect;

    /// <summary>
    /// Send the PIN VERIFY the patient asked for. The executor owns <see cref="Pin"/> and must dispose it.
    /// </summary>
    public sealed record VerifyPin(Guid SessionId, Pin Pin) : SessionEffect
    {
        public override string ToString() => $"VerifyPin {{ SessionId = {SessionId}, Pin = **** }}";
    }

    /// <summary>Ask the iPhone to confirm with Face ID / Touch ID.</summary>
    public sealed record ConfirmOnPhone(Guid SessionId) : SessionEffect;

    /// <summary>Stop any card, camera or phone work still running for the session.</summary>
    public sealed record CancelCardWork(Guid SessionId) : SessionEffect;

    /// <summary>Deliver the finished verification (durably) to the clinic.</summary>
    public sealed record CommitVerification(VerificationResult Result) : SessionEffect;

    /// <summary>Tell staff something (event/alert).</summary>
    public sealed record RaiseAlert(TerminalAlert Alert) : SessionEffect;

    /// <summary>Unpower the card (SCARD_UNPOWER_CARD) so no unlocked key outlives the session.</summary>
    public sealed record ReleaseCard(Guid SessionId) : SessionEffect;
}

/// <summary>Kinds of alerts for staff.</summary>
public enum AlertKind
{
    /// <summary>The patient pressed help.</summary>
    HelpRequested,
    /// <summary>The patient asked for, or fell back to, a visual check (目視確認).</summary>
    VisualCheckNeeded,
    /// <summary>Face liveness failed: a photo or screen may have been shown.</summary>
    SpoofSuspected,
    /// <summary>The PIN got blocked at this terminal.</summary>
    PinBlocked,
    /// <summary>The card was left in the reader after the session.</summary>
    CardLeftBehind,
    /// <summary>A device or card fault ended a session.</summary>
    DeviceFault,
}

/// <summary>An alert for staff. It carries no personal data.</summary>
public sealed record TerminalAlert(AlertKind Kind, Guid? SessionId, DateTimeOffset At, string? Detail = null);
