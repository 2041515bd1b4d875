using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MynaTerminal.Card.Data;

/// <summary>
/// A card-verifiable certificate (券面 APs, card-protocol.md §9.2):
/// <c>7F21 { 5F4E body(297) , 5F37 signature(256) }</c>, body = issuer key ID[16] ‖ subject key ID[16] ‖
/// <c>90 03 01 00 01</c> ‖ <c>91 82 01 00</c> modulus[256]; the signature is PKCS#1 v1.5 / SHA-256 over the body.
/// </summary>
public sealed class CvCertificate
{
    private CvCertificate(byte[] body, byte[] signature, byte[] exponent, byte[] modulus)
    {
        Body = body;
        Signature = signature;
        Exponent = exponent;
        Modulus = modulus;
    }

    public byte[] Body { get; }

    public byte[] Signature { get; }

    public ReadOnlySpan<byte> IssuerKeyId => Body.AsSpan(0, 16);

    public ReadOnlySpan<byte> SubjectKeyId => Body.AsSpan(16, 16);

    public byte[] Exponent { get; }

    public byte[] Modulus { get; }

    public static bool TryParse(ReadOnlySpan<byte> der, [NotNullWhen(true)] out CvCertificate? certificate, [NotNullWhen(false)] out string? error)
    {
        certificate = null;
        if (!BerTlv.TryRead(der, 0, out var outer) || outer.Tag != 0x7F21)
        {
            error = "EF 0004 is not a 7F21 card-verifiable certificate";
            return false;
        }

        if (!BerTlv.TryReadAll(der, outer.ValueOffset, outer.End, out var parts) || parts.Count < 2
            || parts[0].Tag != 0x5F4E || parts[1].Tag != 0x5F37)
        {
            error = "the card-verifiable certificate lacks 5F4E / 5F37";
            return false;
        }

        var body = der.Slice(parts[0].ValueOffset, parts[0].ValueLength).ToArray();
        var signature = der.Slice(parts[1].ValueOffset, parts[1].ValueLength).ToArray();
        if (body.Length < 32 || !TryReadPublicKey(body.AsSpan(32), out var exponent, out var modulus))
        {
            error = "the card-verifiable certificate body has no 90/91 public key";
            return false;
        }

        certificate = new CvCertificate(body, signature, exponent, modulus);
        error = null;
        return true;
    }

    /// <summary>Reads <c>90 exponent 91 modulus</c> (the card's public-key encoding, also in DF24 / DF12 / DF42).</summary>
    public static bool TryReadPublicKey(ReadOnlySpan<byte> encoded, [NotNullWhen(true)] out byte[]? exponent, [NotNullWhen(true)] out byte[]? modulus)
    {
        exponent = modulus = null;
        if (!BerTlv.TryRead(encoded, 0, out var e) || e.Tag != 0x90 || !BerTlv.TryRead(encoded, e.End, out var n) || n.Tag != 0x91)
        {
            return false;
        }

        exponent = encoded.Slice(e.ValueOffset, e.ValueLength).ToArray();
        modulus = encoded.Slice(n.ValueOffset, n.ValueLength).ToArray();
        return exponent.Length > 0 && modulus.Length >= 64;
    }

    /// <summary>True when one of <paramref name="anchors"/> signed this certificate.</summary>
    public bool IsSignedBy(CardFaceTrustAnchors anchors)
    {
        ArgumentNullException.ThrowIfNull(anchors);
        foreach (var anchor in anchors.Keys)
        {
            using var rsa = RSA.Create(anchor);
            try
            {
                if (rsa.VerifyData(Body, Signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
                {
                    return true;
                }
            }
            catch (CryptographicException)
            {
                // A key of another size: not this anchor.
            }
        }

        return false;
    }
}

/// <summary>
/// Public keys the terminal trusts to certify the 券面 application keys (production: J-LIS CA moduli; in tests and
/// simulation: the emulator's test CA). Loaded from PEM: CERTIFICATE, PUBLIC KEY or RSA PUBLIC KEY blocks.
/// </summary>
public sealed class CardFaceTrustAnchors
{
    public CardFaceTrustAnchors(IEnumerable<RSAParameters> keys)
    {
        Keys = keys.Select(k => new RSAParameters { Modulus = k.Modulus, Exponent = k.Exponent }).ToArray();
    }

    public IReadOnlyList<RSAParameters> Keys { get; }

    public static CardFaceTrustAnchors FromPem(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        var keys = new List<RSAParameters>();
        var rest = pem.AsMemory();
        while (PemEncoding.TryFind(rest.Span, out var fields))
        {
            var label = rest.Span[fields.Label].ToString();
            var der = Convert.FromBase64String(rest.Span[fields.Base64Data].ToString());
            switch (label)
            {
                case "CERTIFICATE":
                    using (var certificate = X509CertificateLoader.LoadCertificate(der))
                    using (var key = certificate.GetRSAPublicKey())
                    {
                        if (key is not null)
                        {
                            keys.Add(key.ExportParameters(false));
                        }
                    }

                    break;
                case "PUBLIC KEY":
                    using (var rsa = RSA.Create())
                    {
                        rsa.ImportSubjectPublicKeyInfo(der, out _);
                        keys.Add(rsa.ExportParameters(false));
                    }

                    break;
                case "RSA PUBLIC KEY":
                    using (var rsa = RSA.Create())
                    {
                        rsa.ImportRSAPublicKey(der, out _);
                        keys.Add(rsa.ExportParameters(false));
                    }

                    break;
            }

            rest = rest[fields.Location.End..];
        }

        if (keys.Count == 0)
        {
            throw new FormatException("No RSA public key found in the trust anchor PEM.");
        }

        return new CardFaceTrustAnchors(keys);
    }

    public static CardFaceTrustAnchors FromPemFile(string path) => FromPem(File.ReadAllText(path));
}
