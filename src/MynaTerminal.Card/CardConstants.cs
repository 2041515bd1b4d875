namespace MynaTerminal.Card;

/// <summary>The applications of the My Number Card (card-protocol.md §2).</summary>
public enum CardApplication
{
    /// <summary>Nothing selected since power-on (MF level), or the state is not known after a failed exchange.</summary>
    None,
    /// <summary>公的個人認証AP.</summary>
    Jpki,
    /// <summary>券面事項確認AP (券面AP): the face photo.</summary>
    CardFace,
    /// <summary>券面事項入力補助AP: 基本4情報 — and the 個人番号, which the terminal never reads.</summary>
    TextAssist,
    /// <summary>住基AP.</summary>
    ResidentRegistry,
    /// <summary>共通カードAP.</summary>
    CommonCard,
    /// <summary>GlobalPlatform issuer security domain (selecting it restores the power-on state).</summary>
    IssuerSecurityDomain,
}

/// <summary>
/// The one place for the card's identifiers: AIDs, file identifiers, instruction codes, key references,
/// token labels and signature formats. Values and sources: card-protocol.md.
/// </summary>
public static class CardConstants
{
    /// <summary>Short APDUs return at most 256 bytes; the terminal reads in chunks of this size.</summary>
    public const int ShortChunkLength = 256;

    /// <summary>The largest 15-bit READ BINARY offset (P1 b8 = 0).</summary>
    public const int MaxBinaryOffset = 0x7FFF;

    public static class Aid
    {
        public static readonly ReadOnlyMemory<byte> Jpki = new byte[] { 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01 };
        public static readonly ReadOnlyMemory<byte> TextAssist = new byte[] { 0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08 };
        public static readonly ReadOnlyMemory<byte> CardFace = new byte[] { 0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x02 };
        public static readonly ReadOnlyMemory<byte> ResidentRegistry = new byte[] { 0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x01 };
        public static readonly ReadOnlyMemory<byte> CommonCard = new byte[] { 0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x01, 0x00 };
        public static readonly ReadOnlyMemory<byte> IssuerSecurityDomain = new byte[] { 0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00 };

        public static ReadOnlyMemory<byte> Of(CardApplication application) => application switch
        {
            CardApplication.Jpki => Jpki,
            CardApplication.CardFace => CardFace,
            CardApplication.TextAssist => TextAssist,
            CardApplication.ResidentRegistry => ResidentRegistry,
            CardApplication.CommonCard => CommonCard,
            CardApplication.IssuerSecurityDomain => IssuerSecurityDomain,
            _ => throw new ArgumentOutOfRangeException(nameof(application), application, "No AID."),
        };

        /// <summary>The application whose full AID equals <paramref name="aid"/> (prefixes do not count).</summary>
        public static CardApplication? Identify(ReadOnlySpan<byte> aid)
        {
            foreach (var application in Enum.GetValues<CardApplication>())
            {
                if (application != CardApplication.None && Of(application).Span.SequenceEqual(aid))
                {
                    return application;
                }
            }

            return null;
        }
    }

    /// <summary>Class bytes.</summary>
    public static class Cla
    {
        public const byte Iso = 0x00;
        /// <summary>Proprietary class of COMPUTE DIGITAL SIGNATURE (and CHANGE KEY, SET SESSION KEY).</summary>
        public const byte Proprietary = 0x80;
    }

    /// <summary>Instruction bytes (card-protocol.md §1.1).</summary>
    public static class Ins
    {
        public const byte Select = 0xA4;
        public const byte ReadBinary = 0xB0;
        public const byte ReadRecord = 0xB2;
        public const byte Verify = 0x20;
        public const byte ChangeReferenceData = 0x24;
        public const byte ChangeKey = 0x32;
        public const byte ComputeDigitalSignature = 0x2A;
        public const byte GetChallenge = 0x84;
        public const byte GetData = 0xCA;
        public const byte InternalAuthenticate = 0x88;
        public const byte SetSessionKey = 0xAE;
        public const byte VerifyCertificate = 0xA2;
        /// <summary>iPhone profile's last-command indicator (80 FC 00 00); plastic cards answer 67 00.</summary>
        public const byte LastCommandIndicator = 0xFC;
    }

    /// <summary>SELECT P1/P2.</summary>
    public static class Select
    {
        public const byte ByAid = 0x04;
        public const byte ByFileId = 0x02;
        public const byte MasterFile = 0x00;
        /// <summary>P2: no response data (no FCI).</summary>
        public const byte NoResponseData = 0x0C;
    }

    /// <summary>VERIFY / COMPUTE DIGITAL SIGNATURE P2 that names the current EF.</summary>
    public const byte CurrentFileReference = 0x80;

    /// <summary>
    /// P2 of VERIFY / COMPUTE DIGITAL SIGNATURE (and P1 of an SFI READ BINARY) that names an EF by its short
    /// identifier: <c>80 + SFI</c>, where the SFI is the low five bits of the file identifier.
    /// </summary>
    public static byte ShortFileReference(ushort fileId)
    {
        if (fileId is 0 or > 0x1E)
        {
            throw new ArgumentOutOfRangeException(nameof(fileId), "Only EFs 0001-001E have a short identifier.");
        }

        return (byte)(0x80 | fileId);
    }

    /// <summary>JPKI application files (card-protocol.md §3.1).</summary>
    public static class Jpki
    {
        /// <summary>署名用電子証明書: behind the 署名用パスワード; the terminal never reads it.</summary>
        public const ushort SignCertificate = 0x0001;
        public const ushort SignCaCertificate = 0x0002;
        /// <summary>Token info (PKCS#11 CK_TOKEN_INFO, 160 bytes; first 32 = the space-padded label).</summary>
        public const ushort TokenInfo = 0x0006;
        public const ushort CertificatePresence = 0x0008;
        /// <summary>利用者証明用電子証明書: free on the plastic card, after the PIN on Android.</summary>
        public const ushort AuthCertificate = 0x000A;
        public const ushort AuthCaCertificate = 0x000B;
        public const ushort CvKeyReference = 0x0016;
        /// <summary>利用者証明用秘密鍵 (RSA-2048), usable after VERIFY of <see cref="AuthPin"/>.</summary>
        public const ushort AuthKey = 0x0017;
        /// <summary>利用者証明用暗証番号: 4 digits, 3 tries.</summary>
        public const ushort AuthPin = 0x0018;
        public const ushort SignKey = 0x001A;
        /// <summary>署名用パスワード: 6–16 characters, 5 tries.</summary>
        public const ushort SignPassword = 0x001B;

        public const int TokenInfoLength = 160;
        public const int TokenLabelLength = 32;
        public const int AuthPinLength = 4;
        public const int AuthPinMaxTries = 3;
        public const int SignPasswordMaxTries = 5;
    }

    /// <summary>券面事項確認AP (券面AP) files and keys (card-protocol.md §4).</summary>
    public static class CardFace
    {
        /// <summary>Age record (生年月日 key only).</summary>
        public const ushort AgeRecord = 0x0001;
        /// <summary>Card face: 生年月日, 性別, names, address, face photo (JPEG 2000), signature (照合番号A or B).</summary>
        public const ushort CardFaceRecord = 0x0002;
        public const ushort ApplicationInfo = 0x0003;
        /// <summary>This application's card-verifiable certificate (free).</summary>
        public const ushort CvCertificate = 0x0004;
        /// <summary>The rendered 個人番号 (照合番号A only). FORBIDDEN for the terminal.</summary>
        public const ushort RenderedMyNumber = 0x0005;
        public const ushort Unknown0006 = 0x0006;
        /// <summary>生年月日 key: 6 digits, Japanese-era YYMMDD.</summary>
        public const ushort BirthDateKey = 0x0011;
        /// <summary>照合番号B: 14 digits.</summary>
        public const ushort MatchingNumberB = 0x0012;
        /// <summary>照合番号A = the 個人番号. The terminal never presents it.</summary>
        public const ushort MatchingNumberA = 0x0013;

        public const int MatchingNumberMaxTries = 10;
    }

    /// <summary>券面事項入力補助AP files and keys (card-protocol.md §5).</summary>
    public static class TextAssist
    {
        /// <summary>The 個人番号. FORBIDDEN for the terminal.</summary>
        public const ushort MyNumber = 0x0001;
        /// <summary>基本4情報 (name, address, birth date, sex): PIN or 照合番号B.</summary>
        public const ushort Attributes = 0x0002;
        /// <summary>Integrity record whose DF31 hashes the 個人番号 (brute-forceable). FORBIDDEN.</summary>
        public const ushort Integrity = 0x0003;
        public const ushort CvCertificate = 0x0004;
        public const ushort ApplicationInfo = 0x0005;
        public const ushort SecureMessagingKey = 0x0006;
        public const ushort SigningKeyCertificate = 0x0007;
        public const ushort Unknown0008 = 0x0008;
        /// <summary>券面事項入力補助用暗証番号: 4 digits, 3 tries.</summary>
        public const ushort Pin = 0x0011;
        public const ushort BlockedKey = 0x0012;
        public const ushort SigningKey = 0x0013;
        /// <summary>照合番号A = the 個人番号. The terminal never presents it.</summary>
        public const ushort MatchingNumberA = 0x0014;
        public const ushort MatchingNumberB = 0x0015;
    }

    /// <summary>JPKI token labels (EF 0006, first 32 bytes, space padded).</summary>
    public static class TokenLabel
    {
        /// <summary>The plastic My Number Card.</summary>
        public const string Card = "JPKIAPICCTOKEN2";
        /// <summary>The old 住基カード (not a My Number Card).</summary>
        public const string ResidentRegistryCard = "JPKIAPICCTOKEN";
        /// <summary>スマホ用電子証明書 on Android.</summary>
        public const string Android = "JPKIAPGPSETOKEN";
        /// <summary>スマホ用電子証明書 on iPhone.</summary>
        public const string IPhone = "JPKIAPIOSTOKEN";
    }

    /// <summary>COMPUTE DIGITAL SIGNATURE P1 (card-protocol.md §3.3).</summary>
    public static class SignatureScheme
    {
        /// <summary>PKCS#1 v1.5 type-1 padding of the data as given (the caller supplies a DigestInfo).</summary>
        public const byte Pkcs1Raw = 0x00;
        public const byte Sha256Bare = 0x01;
        /// <summary>Data = a 32-byte SHA-256 hash; the card wraps it in a DigestInfo.</summary>
        public const byte Sha256Hash = 0x02;
        /// <summary>Data = the message; the card hashes it with SHA-256.</summary>
        public const byte Sha256Message = 0x03;
        public const byte PssHash = 0x04;
        public const byte PssMessage = 0x05;

        /// <summary>Largest input of <see cref="Pkcs1Raw"/> for RSA-2048 (256 − 11).</summary>
        public const int MaxRawInputLength = 245;
    }

    /// <summary>DER DigestInfo prefix of SHA-256 (followed by the 32-byte hash).</summary>
    public static readonly ReadOnlyMemory<byte> Sha256DigestInfoPrefix = new byte[]
    {
        0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
    };

    /// <summary>Lengths of the secrets, in ASCII digits.</summary>
    public static class SecretLength
    {
        public const int Pin = 4;
        public const int MatchingNumberB = 14;
        /// <summary>照合番号A / 個人番号: the terminal refuses any command carrying 12 ASCII digits.</summary>
        public const int MyNumber = 12;
        public const int BirthDateKey = 6;
    }

    /// <summary>The contactless ATR the emulator presents through vpcd (card-protocol.md §10.2). Never used to identify.</summary>
    public static readonly ReadOnlyMemory<byte> ContactlessAtr = new byte[] { 0x3B, 0x88, 0x80, 0x01, 0x00, 0x00, 0x05, 0xE0, 0xB3, 0x81, 0xA1, 0x00, 0x7F };
}
