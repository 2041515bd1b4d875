using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MynaTerminal.Core.Cards;

namespace MynaTerminal.Simulation;

/// <summary>
/// Issues real X.509 user-authentication certificates for simulated cards from a test CA named as a test
/// (never confusable with J-LIS). Keys are RSA-2048 like the card's; one CA key per instance.
/// </summary>
public sealed class TestCertificateAuthority : IDisposable
{
    public const string IssuerName = "CN=MynaTerminal TEST JPKI User Authentication CA, O=MynaTerminal TEST, C=JP";
    private readonly RSA _caKey = RSA.Create(2048);
    private readonly X509Certificate2 _ca;
    private readonly RSA _userKey = RSA.Create(2048);

    public TestCertificateAuthority()
    {
        var request = new CertificateRequest(IssuerName, _caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        _ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddYears(-15), DateTimeOffset.UtcNow.AddYears(15));
    }

    /// <summary>A user-auth certificate without any name or number of the holder (like the real one).</summary>
    public CertificateInfo Issue(DateTimeOffset notAfter, DateTimeOffset now)
    {
        var request = new CertificateRequest("CN=MynaTerminal TEST user", _userKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        var notBefore = new[] { notAfter.AddYears(-5), now.AddYears(-1) }.Min();
        var serial = RandomNumberGenerator.GetBytes(8);
        serial[0] &= 0x7F;
        using var certificate = request.Create(_ca, notBefore, notAfter, serial);
        return new CertificateInfo(certificate.SerialNumber, new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero), certificate.Issuer, certificate.RawData);
    }

    public void Dispose()
    {
        _ca.Dispose();
        _caKey.Dispose();
        _userKey.Dispose();
    }
}
