using System.ComponentModel.DataAnnotations;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;

namespace MynaTerminal.ClinicLink;

/// <summary>
/// TLS to a broker, shared by the terminal's link and the reference gateway: trust (a private CA or the system
/// store), an optional client certificate (mutual TLS) and optional certificate pins.
/// </summary>
/// <param name="CaCertificateFile">PEM of the CA(s) that sign the broker's certificate; null = the system trust store.</param>
/// <param name="ClientCertificateFile">PEM client certificate for mutual TLS; needs <paramref name="ClientKeyFile"/>.</param>
/// <param name="ClientKeyFile">PEM private key of the client certificate.</param>
/// <param name="CertificatePins"><c>sha256/&lt;base64 of SHA-256(SubjectPublicKeyInfo)&gt;</c>; one must match the broker's certificate or its chain.</param>
public sealed record TlsSettings(
    string? CaCertificateFile,
    string? ClientCertificateFile,
    string? ClientKeyFile,
    IReadOnlyList<string> CertificatePins)
{
    /// <summary>Prefix of a pin: the hash algorithm, as in HPKP (RFC 7469) <c>pin-sha256</c>.</summary>
    public const string PinPrefix = "sha256/";

    /// <summary>The pin of a certificate's public key: <c>sha256/</c> + base64(SHA-256(SubjectPublicKeyInfo)).</summary>
    public static string PinOf(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return PinPrefix + Convert.ToBase64String(SHA256.HashData(certificate.PublicKey.ExportSubjectPublicKeyInfo()));
    }

    /// <summary>True for <c>sha256/</c> followed by the base64 of 32 bytes.</summary>
    public static bool IsValidPin(string? pin)
    {
        if (pin is null || !pin.StartsWith(PinPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        Span<byte> hash = stackalloc byte[33];
        return Convert.TryFromBase64String(pin[PinPrefix.Length..], hash, out var written) && written == 32;
    }

    /// <summary>What is wrong with these settings (missing files, a key without a certificate, malformed pins).</summary>
    public IEnumerable<ValidationResult> Problems()
    {
        foreach (var (name, file) in new[]
        {
            ("CaCertificateFile", CaCertificateFile),
            ("ClientCertificateFile", ClientCertificateFile),
            ("ClientKeyFile", ClientKeyFile),
        })
        {
            if (file is not null && !File.Exists(file))
            {
                yield return new ValidationResult($"{name} '{file}' does not exist.", [name]);
            }
        }

        if ((ClientCertificateFile is null) != (ClientKeyFile is null))
        {
            yield return new ValidationResult("ClientCertificateFile and ClientKeyFile go together (mutual TLS).", ["ClientCertificateFile", "ClientKeyFile"]);
        }

        foreach (var pin in CertificatePins)
        {
            if (!IsValidPin(pin))
            {
                yield return new ValidationResult($"CertificatePins: '{pin}' is not sha256/<base64 of 32 bytes>.", ["CertificatePins"]);
            }
        }
    }

    /// <summary>
    /// Adds TLS for <paramref name="host"/> to <paramref name="builder"/>. The broker's certificate is checked
    /// here, not by MQTTnet: the name must match, the chain must end at the CA of <see cref="CaCertificateFile"/>
    /// (or a system root when there is none), and a pin must match when pins are set.
    /// </summary>
    /// <param name="builder">The client options being built.</param>
    /// <param name="host">The broker's host name or address, which its certificate must name.</param>
    /// <param name="onRejected">Told why a certificate was refused (for the log).</param>
    internal MqttClientOptionsBuilder Apply(MqttClientOptionsBuilder builder, string host, Action<string>? onRejected = null)
    {
        X509Certificate2Collection? trust = null;
        if (CaCertificateFile is { } caFile)
        {
            trust = [];
            trust.ImportFromPemFile(caFile);
            if (trust.Count == 0)
            {
                throw new InvalidOperationException($"The CA file '{caFile}' holds no certificate.");
            }
        }

        X509Certificate2? client = null;
        if (ClientCertificateFile is { } certificateFile && ClientKeyFile is { } keyFile)
        {
            try
            {
                client = X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
            }
            catch (CryptographicException ex)
            {
                throw new InvalidOperationException($"The client certificate '{certificateFile}' or its key '{keyFile}' cannot be read: {ex.Message}", ex);
            }
        }

        var pins = CertificatePins.ToHashSet(StringComparer.Ordinal);
        return builder.WithTlsOptions(tls =>
        {
            tls.UseTls()
                .WithTargetHost(host)
                .WithCertificateValidationHandler(e => Validate(e.Certificate, e.Chain, e.SslPolicyErrors, trust, pins, onRejected));
            if (client is not null)
            {
                tls.WithClientCertificates([client]);
            }
        });
    }

    /// <summary>The broker certificate check behind <see cref="Apply"/>.</summary>
    internal static bool Validate(
        X509Certificate? presented,
        X509Chain? presentedChain,
        SslPolicyErrors errors,
        X509Certificate2Collection? trust,
        IReadOnlySet<string> pins,
        Action<string>? onRejected)
    {
        bool Refuse(string why)
        {
            onRejected?.Invoke(why);
            return false;
        }

        if (presented is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return Refuse("the broker presented no certificate");
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return Refuse("the broker's certificate is not issued for the host name or address connected to");
        }

        var leaf = presented as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        List<X509Certificate2> path;
        if (trust is not null)
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(trust);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (presentedChain is not null)
            {
                foreach (var element in presentedChain.ChainElements)
                {
                    chain.ChainPolicy.ExtraStore.Add(element.Certificate);
                }
            }

            if (!chain.Build(leaf))
            {
                var status = string.Join(", ", chain.ChainStatus.Select(s => s.Status).Distinct());
                return Refuse($"the broker's certificate does not chain to the configured CA ({status})");
            }

            path = [.. chain.ChainElements.Select(e => e.Certificate)];
        }
        else
        {
            if (errors != SslPolicyErrors.None)
            {
                return Refuse($"the broker's certificate is not trusted by the system ({errors})");
            }

            path = presentedChain is { ChainElements.Count: > 0 } ? [.. presentedChain.ChainElements.Select(e => e.Certificate)] : [leaf];
        }

        if (pins.Count > 0 && !path.Any(c => pins.Contains(PinOf(c))))
        {
            return Refuse($"no certificate pin matches the broker's certificate (it has {PinOf(leaf)})");
        }

        return true;
    }
}
