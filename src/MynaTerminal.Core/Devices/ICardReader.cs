using MynaTerminal.Core.Cards;
using MynaTerminal.Core.Results;
using MynaTerminal.Core.Session;

namespace MynaTerminal.Core.Devices;

/// <summary>A card arriving in or leaving a reader.</summary>
public sealed record CardPresence(ReaderRole Role, bool Present);

/// <summary>
/// The IC-card reader (PC/SC in the real terminal, a virtual My Number Card in simulation). It speaks for the
/// card: every method maps to the APDUs card-protocol.md allows, and none reads the 個人番号.
/// </summary>
public interface ICardReader
{
    /// <summary>Card arrivals and removals, as they happen, until cancelled.</summary>
    IAsyncEnumerable<CardPresence> WatchAsync(CancellationToken cancellationToken);

    /// <summary>SELECT JPKI, token, user-auth certificate, PIN counter (empty VERIFY). Sends no PIN.</summary>
    Task<CardReadOutcome> ReadAsync(CancellationToken cancellationToken);

    /// <summary>
    /// 券面AP: VERIFY 照合番号B once, then read the chip photo. Callers validate the number first:
    /// a wrong VERIFY spends one of the card's tries.
    /// </summary>
    Task<FacePhotoOutcome> ReadFacePhotoAsync(MatchingNumberB number, CancellationToken cancellationToken);

    /// <summary>VERIFY the JPKI user-auth PIN the patient entered, then sign a terminal nonce.</summary>
    Task<PinOutcome> VerifyPinAsync(Pin pin, CancellationToken cancellationToken);

    /// <summary>iPhone: ask the phone to confirm with Face ID / Touch ID and sign a terminal nonce.</summary>
    Task<PhoneOutcome> ConfirmOnPhoneAsync(CancellationToken cancellationToken);

    /// <summary>Unpower the card (SCARD_UNPOWER_CARD) so no unlocked state survives the session.</summary>
    Task ReleaseAsync(CancellationToken cancellationToken);
}

/// <summary>
/// 照合番号B: birth date (YYMMDD), expiry year (YYYY) and security code (4 digits) printed on the card face.
/// It opens the 券面AP without a PIN. It is personal data: never logged, kept only for the VERIFY.
/// </summary>
public sealed class MatchingNumberB
{
    public const int Length = 14;
    private readonly string _digits;

    private MatchingNumberB(string digits) => _digits = digits;

    /// <summary>Validates shape and plausibility before any VERIFY is spent (real date, expiry after birth).</summary>
    public static bool TryCreate(string digits, DateTimeOffset today, out MatchingNumberB? number)
    {
        number = null;
        if (digits.Length != Length || !digits.All(char.IsAsciiDigit))
        {
            return false;
        }

        var yy = int.Parse(digits[..2]);
        var mm = int.Parse(digits[2..4]);
        var dd = int.Parse(digits[4..6]);
        var expiryYear = int.Parse(digits[6..10]);
        if (mm is < 1 or > 12 || dd < 1 || expiryYear < 2015 || expiryYear > today.Year + 11)
        {
            return false;
        }

        // Both centuries are possible for YY; at least one must give a real date.
        var real = new[] { 1900 + yy, 2000 + yy }.Any(y => dd <= DateTime.DaysInMonth(y, mm) && new DateTime(y, mm, 1) <= today.UtcDateTime);
        if (!real)
        {
            return false;
        }

        number = new MatchingNumberB(digits);
        return true;
    }

    /// <summary>The ASCII bytes the VERIFY carries.</summary>
    public byte[] ToAscii() => System.Text.Encoding.ASCII.GetBytes(_digits);

    public override string ToString() => "MatchingNumberB(**************)";
}

/// <summary>What the 券面AP gave for a 照合番号B.</summary>
public abstract record FacePhotoOutcome
{
    private FacePhotoOutcome() { }

    /// <summary>The chip photo (JPEG 2000 on a real card), held only for this session.</summary>
    public sealed record Photo(FaceImage Image) : FacePhotoOutcome;

    /// <summary>The card refused the number (63 Cx): never retry blindly.</summary>
    public sealed record Rejected(int? TriesLeft) : FacePhotoOutcome;

    public sealed record Failed(string Detail) : FacePhotoOutcome;
}
