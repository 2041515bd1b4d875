namespace MynaTerminal.Core.Session;

/// <summary>The screens of one patient session (DESIGN.md §1).</summary>
public enum SessionPhase
{
    /// <summary>待機画面: waiting for a card.</summary>
    Idle,
    /// <summary>Card placed; reading JPKI (token, certificate, PIN counter).</summary>
    Reading,
    /// <summary>更新アラート: the certificate expires soon or expired within the grace period.</summary>
    CertificateNotice,
    /// <summary>顔認証 / 暗証番号 / 係員 choice.</summary>
    MethodChoice,
    /// <summary>顔認証 in progress.</summary>
    Face,
    /// <summary>暗証番号 entry.</summary>
    Pin,
    /// <summary>iPhone: the patient confirms on the phone with Face ID / Touch ID.</summary>
    PhoneConfirm,
    /// <summary>目視確認: waiting for staff to compare the patient with the card photo.</summary>
    StaffVisual,
    /// <summary>The patient asked for help; staff have been called.</summary>
    StaffHelp,
    /// <summary>同意: 過去の医療情報等の提供.</summary>
    Consent,
    /// <summary>処方箋の発行形態 (電子 / 紙).</summary>
    PrescriptionForm,
    /// <summary>The verification is delivered; waiting for the clinic's eligibility answer.</summary>
    Eligibility,
    /// <summary>確認が完了しました: take the card.</summary>
    Done,
    /// <summary>The session ended without a verification; the screen names the fallback.</summary>
    Failed,
    /// <summary>休止中: the terminal is out of service (<see cref="TerminalMode.OutOfService"/>) and reads no card.</summary>
    OutOfService,
}

/// <summary>Why a session ended without a verification.</summary>
public enum FailureReason
{
    /// <summary>Error 001: the chip could not be read.</summary>
    CardUnreadable,
    /// <summary>Error 002: not a My Number Card.</summary>
    NotMyNumberCard,
    /// <summary>Error 006: certificate expired beyond the grace period (or a phone certificate expired).</summary>
    CertificateExpired,
    /// <summary>No identity method is left (PIN blocked on a phone, phone declined).</summary>
    NoMethodLeft,
    /// <summary>The patient did not answer in time.</summary>
    TimedOut,
    /// <summary>Staff or the patient cancelled.</summary>
    Cancelled,
    /// <summary>A device or card fault.</summary>
    DeviceFault,
}

/// <summary>A message the idle screen shows about the previous session.</summary>
public enum IdleNotice
{
    None,
    /// <summary>The card was taken out before the session finished: nothing was sent.</summary>
    CardRemovedEarly,
}

/// <summary>The identity methods a patient can pick on the method screen.</summary>
public enum MethodOption
{
    Face,
    Pin,
    Staff,
}
