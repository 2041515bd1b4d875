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
/// 照合番号B: birth date as a Japanese-era YYMMDD (和暦, era not encoded), expiry year (YYYY, Gregorian) and
/// security code (4 digits), as printed on the card face: born 1980-02-17 (昭和55), expiring 2035, code 2285 →
/// <c>55021720352285</c>. It opens the 券面AP without a PIN. It is personal data: never logged, kept only for
/// the VERIFY.
/// </summary>
public sealed class MatchingNumberB
{
    public const int Length = 14;

    /// <summary>
    /// First days of the eras a living card holder can be born in (大正, 昭和, 平成, 令和). 明治 births (before
    /// 1912-07-30) are not accepted: such a card goes to the PIN or to staff instead of risking a VERIFY.
    /// </summary>
    private static readonly DateOnly[] EraStarts =
    [
        new(1912, 7, 30), new(1926, 12, 25), new(1989, 1, 8), new(2019, 5, 1),
    ];

    private readonly string _digits;

    private MatchingNumberB(string digits) => _digits = digits;

    /// <summary>
    /// Validates shape and plausibility before any VERIFY is spent: 14 ASCII digits; YYMMDD is a real date
    /// inside one of the eras and not in the future; the expiry year is between 2015 (first cards) and
    /// today + 11 (cards are issued for at most 10 years after the next birthday).
    /// </summary>
    public static bool TryCreate(string digits, DateTimeOffset today, out MatchingNumberB? number)
    {
        number = null;
        if (digits.Length != Length || !digits.All(char.IsAsciiDigit))
        {
            return false;
        }

        var eraYear = int.Parse(digits[..2]);
        var month = int.Parse(digits[2..4]);
        var day = int.Parse(digits[4..6]);
        var expiryYear = int.Parse(digits[6..10]);
        var todayDate = DateOnly.FromDateTime(today.Date);
        if (expiryYear < 2015 || expiryYear > today.Year + 11 || !IsEraDate(eraYear, month, day, todayDate))
        {
            return false;
        }

        number = new MatchingNumberB(digits);
        return true;
    }

    /// <summary>True when YY/MM/DD is a real date in at least one era, and not after today.</summary>
    private static bool IsEraDate(int eraYear, int month, int day, DateOnly today)
    {
        if (eraYear < 1 || month is < 1 or > 12 || day < 1)
        {
            return false;
        }

        for (var era = 0; era < EraStarts.Length; era++)
        {
            var year = EraStarts[era].Year + eraYear - 1;
            if (day > DateTime.DaysInMonth(year, month))
            {
                continue;
            }

            var date = new DateOnly(year, month, day);
            var nextEraStart = era + 1 < EraStarts.Length ? EraStarts[era + 1] : DateOnly.MaxValue;
            if (date >= EraStarts[era] && date < nextEraStart && date <= today)
            {
                return true;
            }
        }

        return false;
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
