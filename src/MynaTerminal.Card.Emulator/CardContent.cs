using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using MynaTerminal.Card.Data;
using MynaTerminal.Card.Emulator.Imaging;

namespace MynaTerminal.Card.Emulator;

/// <summary>Who may read a file or use a key: free, never, or after any one of the listed keys was verified.</summary>
internal sealed class AccessRule
{
    private readonly ushort[] _anyOf;
    private readonly bool _free;

    private AccessRule(bool free, ushort[] anyOf)
    {
        _free = free;
        _anyOf = anyOf;
    }

    public static AccessRule Free { get; } = new(true, []);

    public static AccessRule AnyOf(params ushort[] keys) => new(false, keys);

    public bool Allows(IReadOnlySet<ushort> verified) => _free || _anyOf.Any(verified.Contains);
}

internal abstract class EmulatedFile(ushort id)
{
    public ushort Id { get; } = id;
}

/// <summary>A transparent EF (READ BINARY).</summary>
internal sealed class BinaryFile(ushort id, byte[] content, AccessRule read) : EmulatedFile(id)
{
    public byte[] Content { get; } = content;

    public AccessRule Read { get; } = read;
}

/// <summary>A record EF (READ RECORD).</summary>
internal sealed class RecordFile(ushort id, byte[][] records, AccessRule read) : EmulatedFile(id)
{
    public byte[][] Records { get; } = records;

    public AccessRule Read { get; } = read;
}

/// <summary>An internal EF holding a PIN / verification value with a retry counter.</summary>
internal sealed class KeyFile(ushort id, byte[] secret, int maxTries, int initialTries) : EmulatedFile(id)
{
    public byte[] Secret { get; set; } = secret;

    public int MaxTries { get; } = maxTries;

    public int InitialTries { get; } = initialTries;
}

/// <summary>An internal EF holding an RSA private key (COMPUTE DIGITAL SIGNATURE).</summary>
internal sealed class PrivateKeyFile(ushort id, RSAParameters key, AccessRule use) : EmulatedFile(id)
{
    public RSAParameters Key { get; } = key;

    public AccessRule Use { get; } = use;
}

internal sealed class EmulatedApplication(CardApplication id, byte[] aid, IEnumerable<EmulatedFile> files, PrivateKeyFile? defaultKey = null)
{
    public CardApplication Id { get; } = id;

    public byte[] Aid { get; } = aid;

    public Dictionary<ushort, EmulatedFile> Files { get; } = files.ToDictionary(f => f.Id);

    /// <summary>The application's own card key (COMPUTE DIGITAL SIGNATURE with P2 = 00), free to use.</summary>
    public PrivateKeyFile? DefaultKey { get; } = defaultKey;
}

/// <summary>Everything on one virtual card.</summary>
internal sealed record CardContent(IReadOnlyList<EmulatedApplication> Applications, byte[]? AuthCertificate, byte[]? PhotoJp2, GreyImage? Photo);

/// <summary>Builds the files of a persona's card, shaped as card-protocol.md §3–§5 and §12.7 describe.</summary>
internal static class CardContentBuilder
{
    /// <summary>The photo is kept to a few KB (real cards: "a few KB"), so the face path stays within its APDU budget.</summary>
    public const int PhotoTargetBytes = 2000;

    private static readonly ConcurrentDictionary<string, Lazy<(GreyImage Image, byte[] Jp2)>> Photos = new(StringComparer.Ordinal);
    private static readonly Lazy<byte[]> CardFaceCv = new(() => CvCertificateFor("7000023"));
    private static readonly Lazy<byte[]> TextCv = new(() => CvCertificateFor("7000033"));

    /// <summary>AID of the chip that is not a My Number Card (a made-up proprietary AID).</summary>
    public static readonly byte[] OtherCardAid = [0xF0, 0x54, 0x45, 0x53, 0x54, 0x43, 0x41, 0x52, 0x44];

    public static CardContent Build(VirtualCardPersona persona, DateTimeOffset now)
    {
        if (persona.Kind == VirtualCardKind.NotMyNumberCard)
        {
            var other = new EmulatedApplication(CardApplication.None, OtherCardAid, [new BinaryFile(0x0001, Encoding.ASCII.GetBytes("NOT A MY NUMBER CARD"), AccessRule.Free)]);
            return new CardContent([other], null, null, null);
        }

        var keys = EmulatorPki.KeysFor(persona.Id);
        var (jpki, authCertificate) = BuildJpki(persona, keys, now);
        if (persona.Kind != VirtualCardKind.Card)
        {
            return new CardContent([jpki], authCertificate, null, null);
        }

        var photo = PhotoFor(persona);
        return new CardContent(
            [jpki, BuildCardFace(persona, keys, photo.Jp2), BuildTextAssist(persona, keys), BuildResidentRegistry(persona), BuildCommon(persona)],
            authCertificate, photo.Jp2, photo.Image);
    }

    private static (EmulatedApplication, byte[]) BuildJpki(VirtualCardPersona persona, EmulatorPki.PersonaKeys keys, DateTimeOffset now)
    {
        var notAfter = now + persona.CertificateExpiresIn;
        var notBefore = new[] { notAfter.AddYears(-5), now.AddDays(-1) }.Min();
        var opaque = "TEST" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(persona.Id)))[..19];
        var auth = EmulatorPki.IssueAuthCertificate(keys.Authentication, opaque, notBefore, notAfter);
        var sign = EmulatorPki.IssueSignCertificate(EmulatorPki.SharedSignatureKey, opaque, notBefore, notAfter);
        var label = persona.Kind switch
        {
            VirtualCardKind.Android => CardConstants.TokenLabel.Android,
            VirtualCardKind.IPhone => CardConstants.TokenLabel.IPhone,
            _ => CardConstants.TokenLabel.Card,
        };

        var files = new List<EmulatedFile>
        {
            new BinaryFile(CardConstants.Jpki.SignCertificate, PadTo(sign, 2048), AccessRule.AnyOf(CardConstants.Jpki.SignPassword)),
            new BinaryFile(CardConstants.Jpki.SignCaCertificate, EmulatorPki.SignCaCertificate.RawData, AccessRule.Free),
            new BinaryFile(CardConstants.Jpki.TokenInfo, TokenInfo(label), AccessRule.Free),
            new BinaryFile(CardConstants.Jpki.CertificatePresence, [0x8F, 0x8F, 0x00], AccessRule.Free),
            new BinaryFile(
                CardConstants.Jpki.AuthCertificate,
                PadTo(auth, 2048),
                persona.Kind == VirtualCardKind.Android ? AccessRule.AnyOf(CardConstants.Jpki.AuthPin) : AccessRule.Free),
            new BinaryFile(CardConstants.Jpki.AuthCaCertificate, EmulatorPki.AuthCaCertificate.RawData, AccessRule.Free),
            new PrivateKeyFile(
                CardConstants.Jpki.AuthKey,
                keys.Authentication,
                persona.Kind == VirtualCardKind.IPhone ? AccessRule.Free : AccessRule.AnyOf(CardConstants.Jpki.AuthPin)),
            new PrivateKeyFile(CardConstants.Jpki.SignKey, EmulatorPki.SharedSignatureKey, AccessRule.AnyOf(CardConstants.Jpki.SignPassword)),
            new KeyFile(CardConstants.Jpki.SignPassword, Encoding.ASCII.GetBytes(persona.SignaturePassword), CardConstants.Jpki.SignPasswordMaxTries, CardConstants.Jpki.SignPasswordMaxTries),
        };

        // A 顔認証マイナンバーカード has no PIN: EF 0018 is absent (the chip's real representation is UNVERIFIED).
        if (persona.Pin is { } pin)
        {
            files.Add(new KeyFile(CardConstants.Jpki.AuthPin, Encoding.ASCII.GetBytes(pin), CardConstants.Jpki.AuthPinMaxTries, persona.PinTriesLeft));
        }

        return (new EmulatedApplication(CardApplication.Jpki, CardConstants.Aid.Jpki.ToArray(), files), auth);
    }

    private static EmulatedApplication BuildCardFace(VirtualCardPersona persona, EmulatorPki.PersonaKeys keys, byte[] photoJp2)
    {
        var apKey = EmulatorPki.ApplicationSigningKey;
        var cardKey = EmulatorPki.EncodePublicKey(keys.CardKey);
        var birth = Encoding.ASCII.GetBytes(persona.BirthDate.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture));

        var df22 = Tlv.Encode(0xDF22, birth);
        var df23 = Tlv.Encode(0xDF23, [(byte)persona.Sex]);
        var df24 = Tlv.Encode(0xDF24, cardKey);
        var df25 = Tlv.Encode(0xDF25, Png.EncodeGrey(BitmapFont5x7.Render(persona.RomanizedName, 2), bitDepth: 1));
        var df26 = Tlv.Encode(0xDF26, Png.EncodeGrey(BitmapFont5x7.Render(persona.RomanizedAddress, 1), bitDepth: 1));
        var df27 = Tlv.Encode(0xDF27, photoJp2);
        var digestInfo = CardFaceRecord.DigestInfoOf([.. df22, .. df23, .. df24], [.. df25, .. df26], df27);
        var df28 = Tlv.Encode(0xDF28, EmulatorPki.SignRaw(apKey, digestInfo));
        var df29 = Tlv.Encode(0xDF29, Encoding.ASCII.GetBytes(persona.CardExpiry.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture)));
        var df2a = Tlv.Encode(0xDF2A, Png.EncodeGrey(BitmapFont5x7.Render(persona.SecurityCode, 1), bitDepth: 1));
        byte[] cardFace = [.. Tlv.RecordWithOffsetTable(0xFF20, longForm: true, [df22, df23, df24, df25, df26, df27, df28, df29, df2a]), .. Filler(8)];

        var df11 = Tlv.Encode(0xDF11, birth);
        var df12 = Tlv.Encode(0xDF12, cardKey);
        var df13 = Tlv.Encode(0xDF13, EmulatorPki.SignRaw(apKey, RsaPkcs1.Sha256DigestInfo([.. df11, .. df12])));
        var ageRecord = Tlv.EncodeLong(0xFF10, [.. df11, .. df12, .. df13]);

        var myNumberImage = Png.EncodeGrey(BitmapFont5x7.Render(persona.MyNumber, 1), bitDepth: 1);
        var df41 = Tlv.Encode(0xDF41, myNumberImage);
        var df42 = Tlv.Encode(0xDF42, cardKey);
        var df43 = Tlv.Encode(0xDF43, EmulatorPki.SignRaw(apKey, RsaPkcs1.Sha256DigestInfo([.. df41, .. df42])));
        var renderedMyNumber = Tlv.EncodeLong(0xFF40, [.. df41, .. df42, .. df43]);

        var info = Tlv.EncodeLong(0xFF30,
        [
            .. Tlv.Encode(0xDF31, [0x06, 0x03, 0x0E, 0x01]),
            .. Tlv.Encode(0xDF32, EmulatorPki.KeyId("7000023", "101")),
            .. Tlv.Encode(0xDF33, [0x01]),
            .. Tlv.Encode(0xDF34, Encoding.ASCII.GetBytes(persona.MunicipalityCode)),
            .. Tlv.Encode(0xDF35, [.. EmulatorPki.KeyId("7000023", "101"), .. new byte[256]]),
        ]);

        const ushort a = CardConstants.CardFace.MatchingNumberA, b = CardConstants.CardFace.MatchingNumberB;
        EmulatedFile[] files =
        [
            new BinaryFile(CardConstants.CardFace.AgeRecord, ageRecord, AccessRule.AnyOf(CardConstants.CardFace.BirthDateKey)),
            new BinaryFile(CardConstants.CardFace.CardFaceRecord, cardFace, AccessRule.AnyOf(b, a)),
            new BinaryFile(CardConstants.CardFace.ApplicationInfo, info, AccessRule.Free),
            new BinaryFile(CardConstants.CardFace.CvCertificate, CardFaceCv.Value, AccessRule.Free),
            new BinaryFile(CardConstants.CardFace.RenderedMyNumber, renderedMyNumber, AccessRule.AnyOf(a)),
            new BinaryFile(CardConstants.CardFace.Unknown0006, [0x00, 0x00, .. Filler(30)], AccessRule.AnyOf(b, a)),
            new KeyFile(CardConstants.CardFace.BirthDateKey, Encoding.ASCII.GetBytes(persona.BirthDateKey), CardConstants.CardFace.MatchingNumberMaxTries, CardConstants.CardFace.MatchingNumberMaxTries),
            new KeyFile(b, Encoding.ASCII.GetBytes(persona.MatchingNumberB), CardConstants.CardFace.MatchingNumberMaxTries, persona.MatchingNumberTriesLeft),
            new KeyFile(a, Encoding.ASCII.GetBytes(persona.MyNumber), CardConstants.CardFace.MatchingNumberMaxTries, CardConstants.CardFace.MatchingNumberMaxTries),
        ];
        return new EmulatedApplication(CardApplication.CardFace, CardConstants.Aid.CardFace.ToArray(), files, new PrivateKeyFile(0x001A, keys.CardKey, AccessRule.Free));
    }

    private static EmulatedApplication BuildTextAssist(VirtualCardPersona persona, EmulatorPki.PersonaKeys keys)
    {
        var apKey = EmulatorPki.ApplicationSigningKey;
        byte[] myNumber = [0xFF, 0x10, 0x0C, .. Encoding.ASCII.GetBytes(persona.MyNumber), 0xFF, 0xFF];
        byte[][] attributes =
        [
            Tlv.Encode(0xDF22, Encoding.UTF8.GetBytes(persona.HolderName.Replace(' ', '\u3000'))),
            Tlv.Encode(0xDF23, Encoding.UTF8.GetBytes(persona.Address)),
            Tlv.Encode(0xDF24, Encoding.ASCII.GetBytes(persona.BirthDate.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture))),
            Tlv.Encode(0xDF25, [(byte)persona.Sex]),
        ];
        var attributesFile = Tlv.RecordWithOffsetTable(0xFF20, longForm: false, attributes);
        var df31 = Tlv.Encode(0xDF31, SHA256.HashData(myNumber));
        var df32 = Tlv.Encode(0xDF32, SHA256.HashData(attributes.SelectMany(x => x).ToArray()));
        var df33 = Tlv.Encode(0xDF33, EmulatorPki.SignRaw(apKey, RsaPkcs1.Sha256DigestInfo([.. df31, .. df32])));
        var integrity = Tlv.EncodeLong(0xFF30, [.. df31, .. df32, .. df33]);
        var apInfo = Tlv.EncodeLong(0xFF40,
        [
            .. Tlv.Encode(0xDF41, [0x01, 0x03, 0x0E, 0x01]),
            .. Tlv.Encode(0xDF42, EmulatorPki.KeyId("7000033", "101")),
            .. Tlv.Encode(0xDF43, [.. RandomNumberGenerator.GetBytes(32), .. Filler(96)]),
        ]);
        var apPublic = EmulatorPki.EncodePublicKey(new RSAParameters { Modulus = apKey.Modulus, Exponent = apKey.Exponent });
        var df51 = Tlv.Encode(0xDF51, apPublic);
        var signingCertificate = Tlv.EncodeLong(0xFF50, [.. df51, .. Tlv.Encode(0xDF52, EmulatorPki.SignRaw(EmulatorPki.CardFaceCaKey, RsaPkcs1.Sha256DigestInfo(df51)))]);

        const ushort pin = CardConstants.TextAssist.Pin, a = CardConstants.TextAssist.MatchingNumberA, b = CardConstants.TextAssist.MatchingNumberB;
        var textPin = persona.Pin ?? RandomDigits(4);
        EmulatedFile[] files =
        [
            new BinaryFile(CardConstants.TextAssist.MyNumber, myNumber, AccessRule.AnyOf(pin, a)),
            new BinaryFile(CardConstants.TextAssist.Attributes, attributesFile, AccessRule.AnyOf(pin, b)),
            new BinaryFile(CardConstants.TextAssist.Integrity, integrity, AccessRule.AnyOf(pin, a, b)),
            new BinaryFile(CardConstants.TextAssist.CvCertificate, TextCv.Value, AccessRule.Free),
            new BinaryFile(CardConstants.TextAssist.ApplicationInfo, apInfo, AccessRule.Free),
            new BinaryFile(CardConstants.TextAssist.SecureMessagingKey, Tlv.Encode(0xA1, EmulatorPki.EncodePublicKey(keys.CardKey)), AccessRule.AnyOf(pin, a, b)),
            new BinaryFile(CardConstants.TextAssist.SigningKeyCertificate, signingCertificate, AccessRule.AnyOf(pin, a, b)),
            new BinaryFile(CardConstants.TextAssist.Unknown0008, Filler(16), AccessRule.Free),
            new KeyFile(pin, Encoding.ASCII.GetBytes(textPin), 3, 3),
            new KeyFile(CardConstants.TextAssist.BlockedKey, RandomNumberGenerator.GetBytes(8), 3, 0),
            new KeyFile(a, Encoding.ASCII.GetBytes(persona.MyNumber), CardConstants.CardFace.MatchingNumberMaxTries, CardConstants.CardFace.MatchingNumberMaxTries),
            new KeyFile(b, Encoding.ASCII.GetBytes(persona.MatchingNumberB), CardConstants.CardFace.MatchingNumberMaxTries, CardConstants.CardFace.MatchingNumberMaxTries),
        ];
        return new EmulatedApplication(CardApplication.TextAssist, CardConstants.Aid.TextAssist.ToArray(), files, new PrivateKeyFile(CardConstants.TextAssist.SigningKey, keys.CardKey, AccessRule.Free));
    }

    private static EmulatedApplication BuildResidentRegistry(VirtualCardPersona persona) =>
        new(CardApplication.ResidentRegistry, CardConstants.Aid.ResidentRegistry.ToArray(),
        [
            new BinaryFile(0x0002, EmulatorPki.KeyId("7000020", "201"), AccessRule.Free),
            new KeyFile(0x001C, Encoding.ASCII.GetBytes(persona.Pin ?? RandomDigits(4)), 3, 3),
        ]);

    private static EmulatedApplication BuildCommon(VirtualCardPersona persona)
    {
        var serial = "4000000" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(persona.Id)))[..8].Select(c => (char)('0' + (c % 10))).Aggregate(string.Empty, (s, c) => s + c);
        var record = Encoding.ASCII.GetBytes(serial + persona.MunicipalityCode + persona.CardExpiry.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture));
        return new(CardApplication.CommonCard, CardConstants.Aid.CommonCard.ToArray(),
        [
            new RecordFile(0x0001, [[0x01, (byte)record.Length, .. record]], AccessRule.Free),
            new BinaryFile(0x0002, EmulatorPki.KeyId("7000020", "201"), AccessRule.Free),
            new KeyFile(0x001C, Encoding.ASCII.GetBytes(persona.Pin ?? RandomDigits(4)), 3, 3),
        ]);
    }

    /// <summary>PKCS#11 CK_TOKEN_INFO, 160 bytes, CK_ULONG big-endian (card-protocol.md §3.2).</summary>
    private static byte[] TokenInfo(string label)
    {
        var info = new byte[CardConstants.Jpki.TokenInfoLength];
        WritePadded(info.AsSpan(0, 32), label);
        WritePadded(info.AsSpan(32, 32), "MynaTerminal TEST emulator");
        WritePadded(info.AsSpan(64, 16), "E16R01NJ");
        WritePadded(info.AsSpan(80, 16), "0000000020500003");
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(info.AsSpan(96), 0x40D);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(info.AsSpan(116), 16);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(info.AsSpan(120), 6);
        info.AsSpan(124, 16).Fill(0xFF);
        Encoding.ASCII.GetBytes("0301", info.AsSpan(140));
        info.AsSpan(144, 16).Fill((byte)' ');
        return info;
    }

    private static void WritePadded(Span<byte> field, string text)
    {
        field.Fill((byte)' ');
        Encoding.ASCII.GetBytes(text, field);
    }

    private static (GreyImage Image, byte[] Jp2) PhotoFor(VirtualCardPersona persona)
    {
        try
        {
            return EncodePhoto(persona);
        }
        catch (DllNotFoundException ex)
        {
            throw new InvalidOperationException("The virtual card's chip photo needs libopenjp2.so.7 (apt-get install libopenjp2-7).", ex);
        }
    }

    private static (GreyImage Image, byte[] Jp2) EncodePhoto(VirtualCardPersona persona)
    {
        if (persona.Photo is { } given)
        {
            return (given, Jpeg2000Encoder.EncodeGrey(given, PhotoTargetBytes));
        }

        return Photos.GetOrAdd(persona.Id, id => new Lazy<(GreyImage, byte[])>(() =>
        {
            var face = SyntheticFace.Generate(id);
            return (face, Jpeg2000Encoder.EncodeGrey(face, PhotoTargetBytes));
        })).Value;
    }

    /// <summary>A 568-byte CV certificate of the application signing key by the card-face CA.</summary>
    private static byte[] CvCertificateFor(string issuerDigits)
    {
        var apKey = EmulatorPki.ApplicationSigningKey;
        byte[] body = [.. EmulatorPki.KeyId(issuerDigits, "001"), .. EmulatorPki.KeyId(issuerDigits, "101"), .. EmulatorPki.EncodePublicKey(apKey)];
        var signature = EmulatorPki.SignRaw(EmulatorPki.CardFaceCaKey, RsaPkcs1.Sha256DigestInfo(body));
        return Tlv.EncodeLong(0x7F21, [.. Tlv.EncodeLong(0x5F4E, body), .. Tlv.EncodeLong(0x5F37, signature)]);
    }

    private static byte[] PadTo(byte[] content, int size) => content.Length >= size ? content : [.. content, .. Filler(size - content.Length)];

    private static byte[] Filler(int count)
    {
        var filler = new byte[count];
        Array.Fill(filler, (byte)0xFF);
        return filler;
    }

    private static string RandomDigits(int count) =>
        string.Concat(Enumerable.Range(0, count).Select(_ => (char)('0' + RandomNumberGenerator.GetInt32(10))));
}
