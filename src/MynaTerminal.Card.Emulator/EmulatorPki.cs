using System.Collections.Concurrent;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MynaTerminal.Card.Data;

namespace MynaTerminal.Card.Emulator;

/// <summary>
/// The emulator's throw-away PKI, generated at first use and cached for the life of the process: a TEST JPKI user
/// authentication CA, a TEST JPKI signature CA and a TEST card-face CA (key ID 7000023…, neither 5… nor 6… as J-LIS
/// uses) that certifies the 券面 application signing key. Every name says TEST, never J-LIS, so a production check
/// can never accept it. Persona keys (RSA-2048, e = 65537) are cached per persona id.
/// </summary>
public static class EmulatorPki
{
    public const string AuthCaSubject = "CN=MynaTerminal TEST JPKI User Authentication CA, OU=TEST ONLY not J-LIS, O=MynaTerminal TEST, C=JP";
    public const string SignCaSubject = "CN=MynaTerminal TEST JPKI Digital Signature CA, OU=TEST ONLY not J-LIS, O=MynaTerminal TEST, C=JP";
    public const string CardFaceCaSubject = "CN=MynaTerminal TEST Card Face CA 7000023, OU=TEST ONLY not J-LIS, O=MynaTerminal TEST, C=JP";

    private static readonly Lazy<Authorities> State = new(CreateAuthorities, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly ConcurrentDictionary<string, Lazy<PersonaKeys>> Keys = new(StringComparer.Ordinal);

    /// <summary>The TEST user-authentication CA (public part).</summary>
    public static X509Certificate2 AuthCaCertificate => X509CertificateLoader.LoadCertificate(State.Value.AuthCa.RawData);

    /// <summary>The TEST signature CA (public part).</summary>
    public static X509Certificate2 SignCaCertificate => X509CertificateLoader.LoadCertificate(State.Value.SignCa.RawData);

    /// <summary>The TEST card-face CA as a self-signed X.509 certificate: the terminal's 券面 trust anchor in tests and simulation.</summary>
    public static X509Certificate2 CardFaceCaCertificate => X509CertificateLoader.LoadCertificate(State.Value.CardFaceCa.RawData);

    /// <summary>PEM of <see cref="CardFaceCaCertificate"/> (for <c>Card:CardFaceTrustAnchorPath</c>).</summary>
    public static string CardFaceTrustAnchorPem => State.Value.CardFaceCa.ExportCertificatePem() + "\n";

    /// <summary>Writes <see cref="CardFaceTrustAnchorPem"/> to <paramref name="path"/> (directories created) and returns the path.</summary>
    public static string WriteCardFaceTrustAnchor(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        File.WriteAllText(path, CardFaceTrustAnchorPem);
        return path;
    }

    /// <summary>The trust anchors object for <see cref="MyNumberCardReader"/>'s constructor.</summary>
    public static CardFaceTrustAnchors CardFaceTrustAnchors => CardFaceTrustAnchors.FromPem(CardFaceTrustAnchorPem);

    /// <summary>Key ID (16 bytes) of the card-face CA: 7 ASCII digits, 08 05, 3 ASCII digits, 4 padding bytes.</summary>
    internal static byte[] KeyId(string sevenDigits, string threeDigits)
    {
        var id = new byte[16];
        System.Text.Encoding.ASCII.GetBytes(sevenDigits, id);
        id[7] = 0x08;
        id[8] = 0x05;
        System.Text.Encoding.ASCII.GetBytes(threeDigits, id.AsSpan(9));
        return id;
    }

    internal static RSAParameters CardFaceCaKey => State.Value.CardFaceCaKey;

    /// <summary>The 券面 application signing key (certified by the card-face CA in each card's EF 0004).</summary>
    internal static RSAParameters ApplicationSigningKey => State.Value.ApplicationSigningKey;

    /// <summary>The (shared) 署名用 key: the terminal never uses it, so one per process is enough.</summary>
    internal static RSAParameters SharedSignatureKey => State.Value.SharedSignatureKey;

    internal static PersonaKeys KeysFor(string personaId) =>
        Keys.GetOrAdd(personaId, _ => new Lazy<PersonaKeys>(() => new PersonaKeys(NewKey(), NewKey()), LazyThreadSafetyMode.ExecutionAndPublication)).Value;

    /// <summary>Issues a user-authentication certificate (subject <c>CN=&lt;opaque&gt;, C=JP</c>, no personal data).</summary>
    internal static byte[] IssueAuthCertificate(RSAParameters subjectKey, string opaqueName, DateTimeOffset notBefore, DateTimeOffset notAfter) =>
        Issue(State.Value.AuthCa, State.Value.AuthCaRsa, subjectKey, $"CN={opaqueName}, C=JP", notBefore, notAfter);

    internal static byte[] IssueSignCertificate(RSAParameters subjectKey, string opaqueName, DateTimeOffset notBefore, DateTimeOffset notAfter) =>
        Issue(State.Value.SignCa, State.Value.SignCaRsa, subjectKey, $"CN={opaqueName}, L=TEST, C=JP", notBefore, notAfter);

    /// <summary>PKCS#1 v1.5 type-1 signature over <paramref name="data"/> as given (a DigestInfo), by raw RSA with CRT.</summary>
    internal static byte[] SignRaw(RSAParameters key, ReadOnlySpan<byte> data)
    {
        var k = key.Modulus!.Length;
        var encoded = RsaPkcs1.EncodeType1(data, k);
        var m = new BigInteger(encoded, isUnsigned: true, isBigEndian: true);
        var p = Big(key.P!);
        var q = Big(key.Q!);
        var m1 = BigInteger.ModPow(m % p, Big(key.DP!), p);
        var m2 = BigInteger.ModPow(m % q, Big(key.DQ!), q);
        var h = Big(key.InverseQ!) * (m1 - m2) % p;
        if (h.Sign < 0)
        {
            h += p;
        }

        var s = m2 + (h * q);
        var raw = s.ToByteArray(isUnsigned: true, isBigEndian: true);
        var signature = new byte[k];
        raw.CopyTo(signature, k - raw.Length);
        return signature;
    }

    /// <summary>The card's public-key encoding: <c>90 03 01 00 01 91 82 01 00</c> + modulus.</summary>
    internal static byte[] EncodePublicKey(RSAParameters key) => [.. Tlv.Encode(0x90, key.Exponent!), .. Tlv.Encode(0x91, key.Modulus!)];

    private static BigInteger Big(byte[] value) => new(value, isUnsigned: true, isBigEndian: true);

    private static RSAParameters NewKey()
    {
        using var rsa = RSA.Create(2048);
        return rsa.ExportParameters(true);
    }

    private static byte[] Issue(X509Certificate2 issuer, RSA issuerKey, RSAParameters subjectKey, string subject, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var publicKey = RSA.Create(new RSAParameters { Modulus = subjectKey.Modulus, Exponent = subjectKey.Exponent });
        var request = new CertificateRequest(subject, publicKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var serial = RandomNumberGenerator.GetBytes(8);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x01);
        lock (issuerKey)
        {
            var generator = X509SignatureGenerator.CreateForRSA(issuerKey, RSASignaturePadding.Pkcs1);
            using var certificate = request.Create(issuer.SubjectName, generator, notBefore, notAfter, serial);
            return certificate.RawData;
        }
    }

    private static Authorities CreateAuthorities()
    {
        var authKey = RSA.Create(2048);
        var signKey = RSA.Create(2048);
        var faceKey = RSA.Create(2048);
        var now = DateTimeOffset.UtcNow;
        return new Authorities(
            SelfSigned(AuthCaSubject, authKey, now), authKey,
            SelfSigned(SignCaSubject, signKey, now), signKey,
            SelfSigned(CardFaceCaSubject, faceKey, now), faceKey.ExportParameters(true),
            NewKey(), NewKey());
    }

    private static X509Certificate2 SelfSigned(string subject, RSA key, DateTimeOffset now)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var withKey = request.CreateSelfSigned(now.AddYears(-20), now.AddYears(20));
        return X509CertificateLoader.LoadCertificate(withKey.RawData);
    }

    internal sealed record PersonaKeys(RSAParameters Authentication, RSAParameters CardKey);

    private sealed record Authorities(
        X509Certificate2 AuthCa, RSA AuthCaRsa,
        X509Certificate2 SignCa, RSA SignCaRsa,
        X509Certificate2 CardFaceCa, RSAParameters CardFaceCaKey,
        RSAParameters ApplicationSigningKey, RSAParameters SharedSignatureKey);
}

/// <summary>BER-TLV encoding for the emulator's files.</summary>
internal static class Tlv
{
    public static byte[] Encode(uint tag, ReadOnlySpan<byte> value)
    {
        var tagBytes = tag > 0xFFFF ? new[] { (byte)(tag >> 16), (byte)(tag >> 8), (byte)tag }
            : tag > 0xFF ? new[] { (byte)(tag >> 8), (byte)tag }
            : new[] { (byte)tag };
        byte[] length = value.Length switch
        {
            < 0x80 => [(byte)value.Length],
            < 0x100 => [0x81, (byte)value.Length],
            _ => [0x82, (byte)(value.Length >> 8), (byte)value.Length],
        };
        return [.. tagBytes, .. length, .. value];
    }

    /// <summary>Always the <c>82 HH LL</c> length form (how the card writes large records).</summary>
    public static byte[] EncodeLong(uint tag, ReadOnlySpan<byte> value) =>
        [(byte)(tag >> 8), (byte)tag, 0x82, (byte)(value.Length >> 8), (byte)value.Length, .. value];

    /// <summary>
    /// An FF20-style record: <c>outer { DF21 offsets, objects… }</c> where DF21 holds a big-endian u16 per following
    /// object, counted from the first byte of the file.
    /// </summary>
    public static byte[] RecordWithOffsetTable(uint outerTag, bool longForm, IReadOnlyList<byte[]> objects)
    {
        var tableLength = objects.Count * 2;
        var tableTlv = 3 + tableLength; // DF 21 LL
        var body = objects.Sum(o => o.Length) + tableTlv;
        var header = longForm ? 5 : body < 0x80 ? 3 : body < 0x100 ? 4 : 5;
        var table = new byte[tableLength];
        var at = header + tableTlv;
        for (var i = 0; i < objects.Count; i++)
        {
            table[2 * i] = (byte)(at >> 8);
            table[(2 * i) + 1] = (byte)at;
            at += objects[i].Length;
        }

        byte[] inner = [.. Encode(0xDF21, table), .. objects.SelectMany(o => o)];
        return longForm ? EncodeLong(outerTag, inner) : Encode(outerTag, inner);
    }
}
