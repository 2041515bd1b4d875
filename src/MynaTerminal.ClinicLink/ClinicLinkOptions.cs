using System.ComponentModel.DataAnnotations;
using System.Net;

namespace MynaTerminal.ClinicLink;

/// <summary>
/// Configuration section <c>ClinicLink</c>. With no <see cref="Broker"/> the terminal starts its own
/// embedded broker on <see cref="EmbeddedBindAddress"/>:<see cref="EmbeddedPort"/> (loopback by default)
/// and connects to it; with one, it connects to that broker (mosquitto on the clinic LAN or the Pi).
/// </summary>
public sealed class ClinicLinkOptions : IValidatableObject
{
    public const string SectionName = "ClinicLink";

    /// <summary>This terminal's id: one topic level, <c>mynaterm/&lt;TerminalId&gt;/…</c>.</summary>
    [Required]
    [RegularExpression(MqttTopics.TerminalIdPattern, ErrorMessage = "TerminalId must match " + MqttTopics.TerminalIdPattern + ".")]
    public string TerminalId { get; set; } = "terminal-1";

    /// <summary>Host name or IP address of an external broker; null or empty = use the embedded broker.</summary>
    public string? Broker { get; set; }

    /// <summary>Port of the external broker.</summary>
    [Range(1, 65535)]
    public int Port { get; set; } = 1883;

    /// <summary>Port the embedded broker listens on.</summary>
    [Range(1, 65535)]
    public int EmbeddedPort { get; set; } = 1883;

    /// <summary>
    /// Address the embedded broker binds to. Loopback by default, so nothing outside the device can reach
    /// it; set 0.0.0.0 only on a closed network, and then also set <see cref="Username"/> and <see cref="Password"/>.
    /// </summary>
    [Required]
    public string EmbeddedBindAddress { get; set; } = "127.0.0.1";

    /// <summary>User name for the broker. For the embedded broker it becomes required of every client.</summary>
    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>TLS to the external broker (TLS 1.2 or 1.3; the broker's name or IP must be in its certificate).</summary>
    public bool UseTls { get; set; }

    /// <summary>PEM file of the CA that signed the broker's certificate (a private clinic CA); null = system trust store.</summary>
    public string? CaCertificateFile { get; set; }

    /// <summary>Mutual TLS: PEM file of this terminal's client certificate (with <see cref="ClientKeyFile"/>).</summary>
    public string? ClientCertificateFile { get; set; }

    /// <summary>Mutual TLS: PEM file of the client certificate's private key (PKCS#8 or traditional, unencrypted; mode 0600).</summary>
    public string? ClientKeyFile { get; set; }

    /// <summary>
    /// Certificate pinning: <c>sha256/&lt;base64&gt;</c> hashes of the SubjectPublicKeyInfo (as in HPKP, RFC 7469) of
    /// certificates the broker may present. When set, the connection is refused unless the broker's certificate
    /// or one in its chain matches a pin, in addition to the normal chain and name checks. Pin a spare key too.
    /// </summary>
    public List<string> CertificatePins { get; set; } = [];

    /// <summary>
    /// The terminal's device key (ECDSA P-256, PKCS#8 PEM) that signs every <c>event/verification</c>.
    /// Null (the default) = <c>device-key.pem</c> beside <see cref="OutboxPath"/>, so
    /// <c>/var/lib/mynaterm/device-key.pem</c> on the device; created with mode 0600 on first start. Empty, or
    /// null with an in-memory outbox = a new key in memory at every start (tests and simulation only).
    /// </summary>
    public string? DeviceKeyPath { get; set; }

    /// <summary>
    /// Shared secret every request must carry in its <c>token</c> field (at least 16 characters); null = requests
    /// need no token (then confine who may publish to <c>request/#</c> with the broker's ACL).
    /// </summary>
    public string? RequestToken { get; set; }

    /// <summary>MQTT client id; null = <c>mynaterm-&lt;TerminalId&gt;</c>.</summary>
    public string? ClientId { get; set; }

    /// <summary>MQTT keep-alive; the link is also checked with a ping this often.</summary>
    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>First wait before reconnecting; doubles per failed attempt up to <see cref="MaxReconnectDelay"/>.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Limit for one connect, subscribe or publish (until its PUBACK).</summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Wait before publishing a verification again when the broker answered "no matching subscribers"
    /// (nobody was listening, so it counts as not delivered) or refused it.
    /// </summary>
    public TimeSpan UndeliveredRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Default for <see cref="OutboxPath"/>.</summary>
    public const string DefaultOutboxPath = "/var/lib/mynaterm/outbox.db";

    /// <summary>
    /// The durable verification outbox (<see cref="SqliteVerificationOutbox"/>), a SQLite file. Empty = keep
    /// verifications only in memory (<see cref="InMemoryVerificationOutbox"/>: lost on restart; tests and
    /// simulation only). Must be an absolute path; its directory is created at start.
    /// </summary>
    public string? OutboxPath { get; set; } = DefaultOutboxPath;

    /// <summary>Most verifications waiting for delivery; further ones are refused (never dropped). A warning and an alert come at 90 %.</summary>
    [Range(1, 1_000_000)]
    public int OutboxCapacity { get; set; } = InMemoryVerificationOutbox.DefaultCapacity;

    /// <summary>True when verifications are kept in the durable SQLite outbox.</summary>
    public bool UsesDurableOutbox => !string.IsNullOrWhiteSpace(OutboxPath);

    /// <summary>File name of the device key when <see cref="DeviceKeyPath"/> is not set.</summary>
    public const string DeviceKeyFileName = "device-key.pem";

    /// <summary>Default of the device key path on the device (beside the default outbox).</summary>
    public const string DefaultDeviceKeyPath = "/var/lib/mynaterm/" + DeviceKeyFileName;

    /// <summary>Least length of <see cref="RequestToken"/>.</summary>
    public const int MinimumRequestTokenLength = 16;

    /// <summary>The device key file, or null when the key lives only in memory.</summary>
    public string? EffectiveDeviceKeyPath =>
        DeviceKeyPath is not null
            ? (DeviceKeyPath.Length == 0 ? null : DeviceKeyPath)
            : UsesDurableOutbox && Path.GetDirectoryName(OutboxPath) is { Length: > 0 } directory ? Path.Combine(directory, DeviceKeyFileName) : null;

    /// <summary>The TLS settings of the link, null without TLS.</summary>
    public TlsSettings? Tls => UseTls ? new TlsSettings(CaCertificateFile, ClientCertificateFile, ClientKeyFile, CertificatePins) : null;

    /// <summary>True when no external broker is configured.</summary>
    public bool UsesEmbeddedBroker => string.IsNullOrWhiteSpace(Broker);

    /// <summary>The MQTT client id the terminal uses.</summary>
    public string EffectiveClientId => string.IsNullOrWhiteSpace(ClientId) ? $"mynaterm-{TerminalId}" : ClientId;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!MqttTopics.IsValidTerminalId(TerminalId))
        {
            yield return new ValidationResult($"TerminalId must match {MqttTopics.TerminalIdPattern}.", [nameof(TerminalId)]);
        }

        if (!UsesEmbeddedBroker && Uri.CheckHostName(Broker!.Trim()) == UriHostNameType.Unknown)
        {
            yield return new ValidationResult("Broker must be a host name or an IP address.", [nameof(Broker)]);
        }

        if (!IPAddress.TryParse(EmbeddedBindAddress, out _))
        {
            yield return new ValidationResult("EmbeddedBindAddress must be an IP address.", [nameof(EmbeddedBindAddress)]);
        }

        if (!string.IsNullOrEmpty(Password) && string.IsNullOrEmpty(Username))
        {
            yield return new ValidationResult("Password needs a Username.", [nameof(Password), nameof(Username)]);
        }

        if (UseTls && UsesEmbeddedBroker)
        {
            yield return new ValidationResult("UseTls needs an external Broker; the embedded broker is plain MQTT on loopback.", [nameof(UseTls)]);
        }

        if (!UseTls && (CaCertificateFile is not null || ClientCertificateFile is not null || ClientKeyFile is not null || CertificatePins.Count > 0))
        {
            yield return new ValidationResult("CaCertificateFile, ClientCertificateFile, ClientKeyFile and CertificatePins are only used with UseTls.", [nameof(UseTls)]);
        }

        if (UseTls)
        {
            foreach (var tlsProblem in new TlsSettings(CaCertificateFile, ClientCertificateFile, ClientKeyFile, CertificatePins).Problems())
            {
                yield return tlsProblem;
            }
        }

        if (RequestToken is not null && (RequestToken.Length < MinimumRequestTokenLength || RequestToken.Length > 256 || RequestToken.Any(char.IsControl)))
        {
            yield return new ValidationResult($"RequestToken must be {MinimumRequestTokenLength} to 256 characters without control characters.", [nameof(RequestToken)]);
        }

        if (EffectiveDeviceKeyPath is { } keyPath && (keyPath.IndexOfAny(Path.GetInvalidPathChars()) >= 0 || !Path.IsPathFullyQualified(keyPath) || Directory.Exists(keyPath)))
        {
            yield return new ValidationResult("DeviceKeyPath must be an absolute file path.", [nameof(DeviceKeyPath)]);
        }

        if (ClientId is { Length: > 0 } && (ClientId.Length > 128 || ClientId.Any(c => char.IsControl(c) || c is '+' or '#' or '/')))
        {
            yield return new ValidationResult("ClientId must be at most 128 characters without control characters, '+', '#' or '/'.", [nameof(ClientId)]);
        }

        foreach (var (name, value, min, max) in new[]
        {
            (nameof(KeepAlive), KeepAlive, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(ushort.MaxValue)),
            (nameof(ReconnectDelay), ReconnectDelay, TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1)),
            (nameof(MaxReconnectDelay), MaxReconnectDelay, TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1)),
            (nameof(OperationTimeout), OperationTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(10)),
            (nameof(UndeliveredRetryDelay), UndeliveredRetryDelay, TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1)),
        })
        {
            if (value < min || value > max)
            {
                yield return new ValidationResult($"{name} must be between {min} and {max}.", [name]);
            }
        }

        if (UsesDurableOutbox && OutboxPathProblem(OutboxPath!) is { } problem)
        {
            yield return new ValidationResult($"OutboxPath {problem}", [nameof(OutboxPath)]);
        }

        if (MaxReconnectDelay < ReconnectDelay)
        {
            yield return new ValidationResult("MaxReconnectDelay must not be shorter than ReconnectDelay.", [nameof(MaxReconnectDelay)]);
        }
    }

    /// <summary>Why <paramref name="path"/> cannot hold the outbox, or null. No side effects: the directory is created by the outbox.</summary>
    private static string? OutboxPathProblem(string path)
    {
        if (path.IndexOfAny(Path.GetInvalidPathChars()) >= 0 || !Path.IsPathFullyQualified(path))
        {
            return "must be an absolute file path.";
        }

        if (Path.EndsInDirectorySeparator(path) || Directory.Exists(path))
        {
            return "must name a file, not a directory.";
        }

        // The directory can be created when its nearest existing ancestor is a directory, not a file.
        for (var directory = Path.GetDirectoryName(path); !string.IsNullOrEmpty(directory); directory = Path.GetDirectoryName(directory))
        {
            if (Directory.Exists(directory))
            {
                return null;
            }

            if (File.Exists(directory))
            {
                return $"cannot be created: '{directory}' is a file.";
            }
        }

        return "has no existing ancestor directory.";
    }
}
