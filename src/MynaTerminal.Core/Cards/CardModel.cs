namespace MynaTerminal.Core.Cards;

/// <summary>Which credential the patient presented (JPKI token label in EF 0006).</summary>
public enum CardKind
{
    /// <summary>The plastic My Number Card (マイナンバーカード), label JPKIAPICCTOKEN2.</summary>
    Card,
    /// <summary>スマホ用電子証明書 on Android (label JPKIAPGPSETOKEN): PIN path only.</summary>
    Android,
    /// <summary>スマホ用電子証明書 on iPhone (label JPKIAPIOSTOKEN): the phone confirms with Face ID / Touch ID.</summary>
    IPhone,
}

/// <summary>Which reader a card event came from (reader roles are configured).</summary>
public enum ReaderRole
{
    /// <summary>The card tray under the card-face camera.</summary>
    CardTray,
    /// <summary>A generic NFC reader beside the terminal for smartphones (汎用カードリーダー).</summary>
    Phone,
}

/// <summary>State of the 利用者証明用暗証番号 (JPKI EF 0018) as read with the empty VERIFY, which costs no try.</summary>
public abstract record PinStatus
{
    private PinStatus() { }

    /// <summary>The PIN can be used; <paramref name="TriesLeft"/> is the card's counter (3 when fresh).</summary>
    public sealed record Ready(int TriesLeft) : PinStatus;

    /// <summary>Locked after wrong tries. Unlock only at the municipal office or a kiosk.</summary>
    public sealed record Blocked : PinStatus;

    /// <summary>顔認証マイナンバーカード: issued without a PIN (locked on purpose); face or 目視 only.</summary>
    public sealed record NotIssued : PinStatus;

    public bool IsUsable => this is Ready { TriesLeft: > 0 };
}

/// <summary>
/// The user-authentication certificate (利用者証明用電子証明書, JPKI EF 000A) as the terminal needs it.
/// It identifies the insured person to the clinic's eligibility system; it carries no My Number.
/// </summary>
public sealed record CertificateInfo(string SerialNumberHex, DateTimeOffset NotAfter, string Issuer, ReadOnlyMemory<byte> Der);

/// <summary>How far a certificate is from its expiry (the reader alerts from 3 months before to 3 months after).</summary>
public enum CertificateExpiry
{
    Valid,
    /// <summary>Expires within the alert window: show a renewal notice, then continue normally.</summary>
    ExpiringSoon,
    /// <summary>Expired, still inside the grace period: eligibility only, no medical information shared.</summary>
    ExpiredInGrace,
    /// <summary>Expired beyond the grace period (or a phone certificate, which has no grace): unusable.</summary>
    Expired,
}

/// <summary>What the terminal learned from the card in the Reading phase (no PIN spent, nothing forbidden read).</summary>
/// <param name="Kind">Plastic card or phone token.</param>
/// <param name="Certificate">The user-auth certificate; null on Android, where it can be read only after the PIN.</param>
/// <param name="Pin">PIN counter state.</param>
/// <param name="HasFacePhoto">True when the 券面AP with the chip photo exists (plastic card only).</param>
public sealed record CardSnapshot(CardKind Kind, CertificateInfo? Certificate, PinStatus Pin, bool HasFacePhoto);

/// <summary>The closed set of outcomes of reading a card.</summary>
public abstract record CardReadOutcome
{
    private CardReadOutcome() { }

    public sealed record Read(CardSnapshot Card) : CardReadOutcome;

    /// <summary>A chip answered but it is not a My Number Card (SELECT of the JPKI AID failed): error 002.</summary>
    public sealed record NotMyNumberCard : CardReadOutcome;

    /// <summary>The chip could not be read (communication error, broken data): error 001.</summary>
    public sealed record Unreadable(string Detail) : CardReadOutcome;

    /// <summary>The card left the reader while it was being read.</summary>
    public sealed record Removed : CardReadOutcome;
}
