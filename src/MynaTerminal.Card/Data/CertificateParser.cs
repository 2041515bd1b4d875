using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MynaTerminal.Core.Cards;

namespace MynaTerminal.Card.Data;

/// <summary>The outcome of parsing a certificate read from the card.</summary>
public abstract record CertificateParseResult
{
    private CertificateParseResult() { }

    public sealed record Parsed(CertificateInfo Certificate) : CertificateParseResult;

    public sealed record Invalid(string Reason) : CertificateParseResult;
}

/// <summary>X.509 DER (the JPKI user-authentication certificate) to <see cref="CertificateInfo"/>. Never throws on bad input.</summary>
public static class CertificateParser
{
    /// <summary>A sanity limit: JPKI certificates are about 1–2 KB.</summary>
    public const int MaxCertificateLength = 8192;

    public static CertificateParseResult Parse(ReadOnlySpan<byte> der)
    {
        if (der.IsEmpty)
        {
            return new CertificateParseResult.Invalid("empty certificate");
        }

        if (!BerTlv.TryReadHeader(der, 0, out var outer) || outer.Tag != 0x30)
        {
            return new CertificateParseResult.Invalid("not a DER SEQUENCE");
        }

        if (outer.TotalLength != der.Length)
        {
            return new CertificateParseResult.Invalid($"DER length {outer.TotalLength} does not match the {der.Length} bytes read");
        }

        try
        {
            using var certificate = X509CertificateLoader.LoadCertificate(der);
            using var key = certificate.GetRSAPublicKey();
            if (key is null)
            {
                return new CertificateParseResult.Invalid("the certificate has no RSA public key");
            }

            var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
            return new CertificateParseResult.Parsed(new CertificateInfo(certificate.SerialNumber, notAfter, certificate.Issuer, der.ToArray()));
        }
        catch (CryptographicException ex)
        {
            return new CertificateParseResult.Invalid($"broken X.509 DER: {ex.Message}");
        }
    }

    /// <summary>
    /// Checks an RSA PKCS#1 v1.5 SHA-256 signature over <paramref name="data"/> with the certificate's public key
    /// (proof of possession of the card's private key). False on any parse or crypto error.
    /// </summary>
    public static bool VerifySignature(CertificateInfo certificate, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        try
        {
            using var x509 = X509CertificateLoader.LoadCertificate(certificate.Der.Span);
            using var key = x509.GetRSAPublicKey();
            return key is not null && key.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
