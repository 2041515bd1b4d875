using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MynaTerminal.ClinicLink;

/// <summary>
/// The terminal's device key: an ECDSA P-256 key that signs every <c>event/verification</c> (ES256, detached JWS,
/// see <see cref="VerificationSignature"/>) so the clinic can check where a verification came from. The public
/// half is announced in the retained <c>info</c> as a JWK whose <c>kid</c> is its RFC 7638 thumbprint.
/// </summary>
/// <remarks>
/// <para>Stored as an unencrypted PKCS#8 PEM (<c>-----BEGIN PRIVATE KEY-----</c>), readable by the terminal's user
/// only (mode 0600). <see cref="LoadOrCreate"/> creates it on first start, written to a temporary file that is
/// renamed into place, so a crash never leaves half a key. A file that is not a P-256 private key stops the
/// start with an error naming <c>ClinicLink:DeviceKeyPath</c>; it is never overwritten, because a new key is a
/// new identity for the clinic.</para>
/// <para>Thread-safe.</para>
/// </remarks>
public sealed partial class DeviceKey : IDisposable
{
    private const string P256Oid = "1.2.840.10045.3.1.7";

    private readonly ECDsa _key;
    private readonly byte[] _protectedHeader;

    private DeviceKey(ECDsa key, string? path)
    {
        _key = key;
        Path = path;
        var parameters = key.ExportParameters(includePrivateParameters: false);
        PublicJwk = DeviceKeyJwk.FromPublicKey(parameters.Q.X!, parameters.Q.Y!);
        KeyId = PublicJwk.Kid;
        _protectedHeader = Encoding.ASCII.GetBytes(Base64Url.Encode(Encoding.UTF8.GetBytes($$"""{"alg":"ES256","kid":"{{KeyId}}"}""")));
    }

    /// <summary>The key file, or null for a key that lives only in memory.</summary>
    public string? Path { get; }

    /// <summary>RFC 7638 JWK thumbprint (SHA-256, base64url) of the public key: the <c>kid</c> of every signature.</summary>
    public string KeyId { get; }

    /// <summary>The public key as published in <c>info</c>.</summary>
    public DeviceKeyJwk PublicJwk { get; }

    /// <summary>A new key in memory only (tests and simulation without a durable outbox).</summary>
    public static DeviceKey CreateEphemeral() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256), null);

    /// <summary>The key for the link's options: the file of <see cref="ClinicLinkOptions.EffectiveDeviceKeyPath"/>, or one in memory.</summary>
    public static DeviceKey FromOptions(ClinicLinkOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.EffectiveDeviceKeyPath is { } path ? LoadOrCreate(path, logger) : CreateEphemeral();
    }

    /// <summary>Loads the key at <paramref name="path"/>, or creates it (mode 0600) when the file does not exist.</summary>
    /// <exception cref="InvalidOperationException">The file exists but is not an ECDSA P-256 private key, or it cannot be read or written.</exception>
    public static DeviceKey LoadOrCreate(string path, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var log = logger ?? NullLogger.Instance;
        path = System.IO.Path.GetFullPath(path);
        try
        {
            if (!File.Exists(path))
            {
                Create(path, log);
            }

            return Load(path, log);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"The device key '{path}' cannot be read or created ({ex.Message}). Check ClinicLink:DeviceKeyPath and the permissions of its directory.", ex);
        }
    }

    /// <summary>
    /// Signs <paramref name="payload"/> with ES256 and returns the JWS in compact serialization with a detached
    /// payload (RFC 7515 Appendix F): <c>BASE64URL(header)..BASE64URL(signature)</c>. The signing input is
    /// <c>BASE64URL(header) || '.' || BASE64URL(payload)</c>; the header is <c>{"alg":"ES256","kid":"…"}</c>.
    /// </summary>
    public string SignDetached(ReadOnlySpan<byte> payload)
    {
        var input = SigningInput(_protectedHeader, payload);
        var signature = _key.SignData(input, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return $"{Encoding.ASCII.GetString(_protectedHeader)}..{Base64Url.Encode(signature)}";
    }

    public void Dispose() => _key.Dispose();

    /// <summary>The JWS signing input for a detached payload: ASCII(header) '.' BASE64URL(payload).</summary>
    internal static byte[] SigningInput(ReadOnlySpan<byte> encodedHeader, ReadOnlySpan<byte> payload)
    {
        var encodedPayload = Base64Url.Encode(payload);
        var input = new byte[encodedHeader.Length + 1 + encodedPayload.Length];
        encodedHeader.CopyTo(input);
        input[encodedHeader.Length] = (byte)'.';
        Encoding.ASCII.GetBytes(encodedPayload, input.AsSpan(encodedHeader.Length + 1));
        return input;
    }

    private static void Create(string path, ILogger log)
    {
        var directory = System.IO.Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pem = key.ExportPkcs8PrivateKeyPem() + "\n";
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(Encoding.ASCII.GetBytes(pem));
                stream.Flush(flushToDisk: true);
            }

            // Never replace a key another process created meanwhile: that one is the identity.
            File.Move(temporary, path, overwrite: false);
            LogCreated(log, path);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Lost the race to another starter; its key is loaded below.
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static DeviceKey Load(string path, ILogger log)
    {
        var text = File.ReadAllText(path, Encoding.ASCII);
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(text);
            var parameters = key.ExportParameters(includePrivateParameters: true);
            if (parameters.Curve.Oid?.Value != P256Oid && parameters.Curve.Oid?.FriendlyName is not ("nistP256" or "ECDSA_P256"))
            {
                throw new CryptographicException($"the key is on curve {parameters.Curve.Oid?.FriendlyName ?? parameters.Curve.Oid?.Value ?? "?"}, not P-256");
            }

            if (parameters.D is null)
            {
                throw new CryptographicException("the file holds no private key");
            }
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            key.Dispose();
            LogUnusable(log, path, ex);
            throw new InvalidOperationException(
                $"The device key '{path}' is not an ECDSA P-256 private key in PEM ({ex.Message}). It was left untouched: " +
                "restore it from a backup, or move it aside to make the terminal create a new key (the clinic then sees a new key id). Check ClinicLink:DeviceKeyPath.",
                ex);
        }

        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
        {
            LogTooOpen(log, path);
        }

        return new DeviceKey(key, path);
    }

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "Created the device key {Path}")]
    private static partial void LogCreated(ILogger logger, string path);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Critical, Message = "The device key {Path} cannot be used")]
    private static partial void LogUnusable(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Warning, Message = "The device key {Path} is readable by others than its owner; make it mode 0600")]
    private static partial void LogTooOpen(ILogger logger, string path);
}

/// <summary>An EC P-256 public key as a JWK (RFC 7517), with its RFC 7638 thumbprint as <see cref="Kid"/>.</summary>
/// <param name="Kty">Always <c>EC</c>.</param>
/// <param name="Crv">Always <c>P-256</c>.</param>
/// <param name="X">base64url of the 32-byte x coordinate.</param>
/// <param name="Y">base64url of the 32-byte y coordinate.</param>
/// <param name="Kid">RFC 7638 thumbprint: base64url(SHA-256 of <c>{"crv":"P-256","kty":"EC","x":"…","y":"…"}</c>).</param>
/// <param name="Alg">Always <c>ES256</c>.</param>
/// <param name="Use">Always <c>sig</c>.</param>
public sealed record DeviceKeyJwk(string Kty, string Crv, string X, string Y, string Kid, string Alg, string Use)
{
    public static DeviceKeyJwk FromPublicKey(byte[] x, byte[] y)
    {
        var ex = Base64Url.Encode(x);
        var ey = Base64Url.Encode(y);
        return new DeviceKeyJwk("EC", "P-256", ex, ey, Thumbprint(ex, ey), "ES256", "sig");
    }

    /// <summary>RFC 7638: the members crv, kty, x, y in lexicographic order, no whitespace, hashed with SHA-256.</summary>
    public static string Thumbprint(string x, string y) =>
        Base64Url.Encode(SHA256.HashData(Encoding.UTF8.GetBytes($$"""{"crv":"P-256","kty":"EC","x":"{{x}}","y":"{{y}}"}""")));

    /// <summary>True when this is a P-256 signing key whose <see cref="Kid"/> is its own thumbprint.</summary>
    public bool IsConsistent() =>
        Kty == "EC" && Crv == "P-256" && Alg == "ES256"
        && Base64Url.TryDecode(X, out var x) && x.Length == 32
        && Base64Url.TryDecode(Y, out var y) && y.Length == 32
        && Kid == Thumbprint(X, Y);

    /// <summary>An ECDSA verifier for this key; throws <see cref="CryptographicException"/> when the point is not on the curve.</summary>
    public ECDsa ToECDsa()
    {
        if (!Base64Url.TryDecode(X, out var x) || !Base64Url.TryDecode(Y, out var y) || x.Length != 32 || y.Length != 32)
        {
            throw new CryptographicException("The JWK's x and y must be base64url of 32 bytes each.");
        }

        return ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = x, Y = y } });
    }
}

/// <summary>base64url without padding (RFC 4648 §5), as JOSE uses it.</summary>
public static class Base64Url
{
    public static string Encode(ReadOnlySpan<byte> data) => System.Buffers.Text.Base64Url.EncodeToString(data);

    public static bool TryDecode(string? text, out byte[] data)
    {
        data = [];
        if (text is null || text.Length == 0 || text.Contains('=') || !System.Buffers.Text.Base64Url.IsValid(text))
        {
            return text is { Length: 0 };
        }

        data = System.Buffers.Text.Base64Url.DecodeFromChars(text);
        return true;
    }
}
