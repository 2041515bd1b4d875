using MynaTerminal.Card.Data;
using MynaTerminal.Card.Emulator.Imaging;
using MynaTerminal.Core.Cards;

namespace MynaTerminal.Card.Emulator;

/// <summary>What kind of chip a virtual card is.</summary>
public enum VirtualCardKind
{
    /// <summary>The plastic My Number Card (JPKI + 券面AP + text AP + 住基/共通 APs).</summary>
    Card,
    /// <summary>スマホ用電子証明書 on Android: JPKI only, certificate readable after the PIN.</summary>
    Android,
    /// <summary>スマホ用電子証明書 on iPhone: JPKI only; the phone signs after Face ID (no PIN over the air).</summary>
    IPhone,
    /// <summary>Some other contactless chip (a transit card, a credit card): no JPKI application.</summary>
    NotMyNumberCard,
}

/// <summary>
/// An invented card holder and the data on their virtual card. Nothing here is real; certificates come from a TEST CA.
/// <see cref="CertificateExpiresIn"/> is relative to the moment the card is created (its clock).
/// </summary>
public sealed record VirtualCardPersona
{
    public required string Id { get; init; }

    public required VirtualCardKind Kind { get; init; }

    /// <summary>氏名 as the simulated clinic greets the patient (family and given name separated by a space).</summary>
    public required string HolderName { get; init; }

    /// <summary>The name drawn on the rendered images (the 5×7 font has Latin letters only).</summary>
    public required string RomanizedName { get; init; }

    public required DateOnly BirthDate { get; init; }

    /// <summary>JIS X 0303: '1' male, '2' female.</summary>
    public char Sex { get; init; } = '1';

    public string Address { get; init; } = "東京都千代田区千代田１－１";

    public string RomanizedAddress { get; init; } = "TOKYO CHIYODA 1-1";

    /// <summary>The 4-digit 利用者証明用暗証番号; null for a 顔認証マイナンバーカード (no PIN on the chip).</summary>
    public string? Pin { get; init; }

    /// <summary>The PIN counter when the card is created (3 = fresh; 0 = blocked).</summary>
    public int PinTriesLeft { get; init; } = CardConstants.Jpki.AuthPinMaxTries;

    /// <summary>The 照合番号B counter when the card is created (10 = fresh).</summary>
    public int MatchingNumberTriesLeft { get; init; } = CardConstants.CardFace.MatchingNumberMaxTries;

    /// <summary>Lifetime left on the user-authentication certificate (negative: already expired).</summary>
    public TimeSpan CertificateExpiresIn { get; init; } = TimeSpan.FromDays(3 * 365);

    /// <summary>有効期限 printed on the card; its year is part of 照合番号B.</summary>
    public required DateOnly CardExpiry { get; init; }

    /// <summary>セキュリティコード printed on the card face (4 digits).</summary>
    public string SecurityCode { get; init; } = "0000";

    /// <summary>An invented 個人番号 with a valid check digit. Only the emulator holds it; the terminal never reads it.</summary>
    public required string MyNumber { get; init; }

    public string MunicipalityCode { get; init; } = "13101";

    /// <summary>署名用パスワード (6–16 of A–Z 0–9); the terminal never uses it.</summary>
    public string SignaturePassword { get; init; } = "TESTPASS1";

    /// <summary>The chip photo's source; null = a generated synthetic face.</summary>
    public GreyImage? Photo { get; init; }

    /// <summary>The Core's card kind; null for a chip that is not a My Number credential.</summary>
    public CardKind? CardKind => Kind switch
    {
        VirtualCardKind.Card => Core.Cards.CardKind.Card,
        VirtualCardKind.Android => Core.Cards.CardKind.Android,
        VirtualCardKind.IPhone => Core.Cards.CardKind.IPhone,
        _ => null,
    };

    /// <summary>Phones are held to the phone reader; cards go into the tray.</summary>
    public ReaderRole Role => Kind is VirtualCardKind.Android or VirtualCardKind.IPhone ? ReaderRole.Phone : ReaderRole.CardTray;

    public bool HasFacePhoto => Kind == VirtualCardKind.Card;

    public bool HasPin => Pin is not null;

    /// <summary>The birth date as Japanese-era <c>YYMMDD</c> (the 券面AP birth-date key).</summary>
    public string BirthDateKey => JapaneseEra.ToYyMmDd(BirthDate);

    /// <summary>照合番号B: era <c>YYMMDD</c> + expiry year <c>YYYY</c> + security code = 14 digits.</summary>
    public string MatchingNumberB => BirthDateKey + CardExpiry.Year.ToString("D4", System.Globalization.CultureInfo.InvariantCulture) + SecurityCode;

    /// <summary>The 12-digit number with a valid check digit built from an 11-digit body (card-protocol.md §12.7).</summary>
    public static string MyNumberFrom(string elevenDigits)
    {
        if (elevenDigits is not { Length: 11 } || !elevenDigits.All(char.IsAsciiDigit))
        {
            throw new ArgumentException("Eleven digits.", nameof(elevenDigits));
        }

        var sum = 0;
        for (var n = 1; n <= 11; n++)
        {
            var digit = elevenDigits[11 - n] - '0';
            var weight = n <= 6 ? n + 1 : n - 5;
            sum += digit * weight;
        }

        var remainder = sum % 11;
        var check = remainder <= 1 ? 0 : 11 - remainder;
        return elevenDigits + (char)('0' + check);
    }

    public override string ToString() => $"VirtualCardPersona({Id}, {Kind})";
}

/// <summary>The built-in personas (ids match the simulation's <c>insert …</c> script names).</summary>
public static class VirtualCardPersonas
{
    public static VirtualCardPersona Normal { get; } = new()
    {
        Id = "normal", Kind = VirtualCardKind.Card, HolderName = "山田 太郎", RomanizedName = "YAMADA TARO",
        BirthDate = new DateOnly(1985, 4, 1), Pin = "1234", CertificateExpiresIn = TimeSpan.FromDays(3 * 365),
        CardExpiry = new DateOnly(2034, 4, 1), SecurityCode = "0427", MyNumber = VirtualCardPersona.MyNumberFrom("12345678901"),
    };

    /// <summary>Certificate expires within the 3-month alert window.</summary>
    public static VirtualCardPersona Expiring { get; } = new()
    {
        Id = "expiring", Kind = VirtualCardKind.Card, HolderName = "佐藤 花子", RomanizedName = "SATO HANAKO", Sex = '2',
        BirthDate = new DateOnly(1952, 11, 11), Pin = "2468", CertificateExpiresIn = TimeSpan.FromDays(45),
        CardExpiry = new DateOnly(2029, 11, 11), SecurityCode = "0815", MyNumber = VirtualCardPersona.MyNumberFrom("23456789012"),
        Address = "大阪府大阪市北区梅田２－２", RomanizedAddress = "OSAKA KITA 2-2",
    };

    /// <summary>Certificate expired 30 days ago: inside the 3-month grace period (eligibility only).</summary>
    public static VirtualCardPersona Grace { get; } = new()
    {
        Id = "grace", Kind = VirtualCardKind.Card, HolderName = "鈴木 一郎", RomanizedName = "SUZUKI ICHIRO",
        BirthDate = new DateOnly(1947, 3, 3), Pin = "1357", CertificateExpiresIn = TimeSpan.FromDays(-30),
        CardExpiry = new DateOnly(2031, 3, 3), SecurityCode = "0321", MyNumber = VirtualCardPersona.MyNumberFrom("34567890123"),
    };

    /// <summary>Certificate expired 200 days ago: beyond the grace period.</summary>
    public static VirtualCardPersona Expired { get; } = new()
    {
        Id = "expired", Kind = VirtualCardKind.Card, HolderName = "高橋 次郎", RomanizedName = "TAKAHASHI JIRO",
        BirthDate = new DateOnly(1960, 7, 7), Pin = "9999", CertificateExpiresIn = TimeSpan.FromDays(-200),
        CardExpiry = new DateOnly(2030, 7, 7), SecurityCode = "0911", MyNumber = VirtualCardPersona.MyNumberFrom("45678901234"),
    };

    /// <summary>One PIN try left (平成 birth date).</summary>
    public static VirtualCardPersona LastTry { get; } = new()
    {
        Id = "last-try", Kind = VirtualCardKind.Card, HolderName = "伊藤 三郎", RomanizedName = "ITO SABURO",
        BirthDate = new DateOnly(1996, 12, 12), Pin = "4321", PinTriesLeft = 1, CertificateExpiresIn = TimeSpan.FromDays(700),
        CardExpiry = new DateOnly(2033, 12, 12), SecurityCode = "0606", MyNumber = VirtualCardPersona.MyNumberFrom("56789012345"),
    };

    public static VirtualCardPersona PinBlocked { get; } = new()
    {
        Id = "pin-blocked", Kind = VirtualCardKind.Card, HolderName = "渡辺 幸子", RomanizedName = "WATANABE SACHIKO", Sex = '2',
        BirthDate = new DateOnly(1964, 9, 9), Pin = "5555", PinTriesLeft = 0, CertificateExpiresIn = TimeSpan.FromDays(900),
        CardExpiry = new DateOnly(2032, 9, 9), SecurityCode = "0101", MyNumber = VirtualCardPersona.MyNumberFrom("67890123456"),
    };

    /// <summary>顔認証マイナンバーカード: no PIN on the chip; born on 令和元年5月1日 (era YYMMDD 010501).</summary>
    public static VirtualCardPersona FaceOnly { get; } = new()
    {
        Id = "face-only", Kind = VirtualCardKind.Card, HolderName = "中村 𠮷男", RomanizedName = "NAKAMURA YOSHIO",
        BirthDate = new DateOnly(2019, 5, 1), Pin = null, CertificateExpiresIn = TimeSpan.FromDays(1500),
        CardExpiry = new DateOnly(2029, 5, 1), SecurityCode = "0202", MyNumber = VirtualCardPersona.MyNumberFrom("78901234567"),
    };

    public static VirtualCardPersona Android { get; } = new()
    {
        Id = "android", Kind = VirtualCardKind.Android, HolderName = "小林 健", RomanizedName = "KOBAYASHI KEN",
        BirthDate = new DateOnly(1990, 6, 15), Pin = "8642", CertificateExpiresIn = TimeSpan.FromDays(1000),
        CardExpiry = new DateOnly(2031, 6, 15), SecurityCode = "0707", MyNumber = VirtualCardPersona.MyNumberFrom("89012345678"),
    };

    /// <summary>The iPhone signs after Face ID; its PIN exists but never travels over the air.</summary>
    public static VirtualCardPersona IPhone { get; } = new()
    {
        Id = "iphone", Kind = VirtualCardKind.IPhone, HolderName = "加藤 優", RomanizedName = "KATO YU", Sex = '2',
        BirthDate = new DateOnly(2001, 2, 24), Pin = "1470", CertificateExpiresIn = TimeSpan.FromDays(1000),
        CardExpiry = new DateOnly(2032, 2, 24), SecurityCode = "0808", MyNumber = VirtualCardPersona.MyNumberFrom("90123456789"),
    };

    /// <summary>A chip that is not a My Number Card (SELECT of the JPKI AID answers 6A 82).</summary>
    public static VirtualCardPersona Unknown { get; } = new()
    {
        Id = "unknown", Kind = VirtualCardKind.NotMyNumberCard, HolderName = "", RomanizedName = "",
        BirthDate = new DateOnly(1970, 1, 1), CardExpiry = new DateOnly(2030, 1, 1), MyNumber = VirtualCardPersona.MyNumberFrom("00000000000"),
    };

    public static IReadOnlyList<VirtualCardPersona> All { get; } =
        [Normal, Expiring, Grace, Expired, LastTry, PinBlocked, FaceOnly, Android, IPhone, Unknown];

    public static VirtualCardPersona Get(string id) =>
        All.FirstOrDefault(p => string.Equals(p.Id, id, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown persona '{id}'. Known: {string.Join(", ", All.Select(p => p.Id))}.", nameof(id));
}
