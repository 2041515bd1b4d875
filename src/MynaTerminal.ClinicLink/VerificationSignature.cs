using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace MynaTerminal.ClinicLink;

/// <summary>How a receiver's check of a signed verification came out.</summary>
public enum SignatureStatus
{
    /// <summary>The signature is valid for the given key.</summary>
    Valid,
    /// <summary>The message has no <c>signature</c> member at its end.</summary>
    Missing,
    /// <summary>The signature is not a detached ES256 compact JWS.</summary>
    Malformed,
    /// <summary>The JWS names another key (<c>kid</c>) than the one given.</summary>
    OtherKey,
    /// <summary>The signature does not match the bytes: the message was changed, or another key signed it.</summary>
    Invalid,
}

/// <summary>
/// The signature of <c>event/verification</c>: an ES256 detached JWS (RFC 7515 Appendix F) over the exact bytes
/// of the verification JSON without its signature, carried as the last member of the same JSON object.
/// </summary>
/// <remarks>
/// <para>The terminal serializes the verification once (UTF-8 JSON object, no whitespace), signs those bytes
/// <c>P</c>, and publishes <c>P</c> with its closing <c>}</c> replaced by <c>,"signature":"&lt;JWS&gt;"}</c>. That
/// message is what the durable outbox stores, so a replay after a restart carries the same valid signature.</para>
/// <para>A receiver gets <c>P</c> back without any JSON canonicalization: cut the message at the last
/// <c>,"signature":"</c> and put back <c>}</c>. The JWS is <c>BASE64URL(header)..BASE64URL(r||s)</c>; verify r||s
/// (64 bytes) with the JWK from the terminal's retained <c>info</c> over
/// <c>BASE64URL(header) '.' BASE64URL(P)</c>. docs/mqtt/README.md has a worked example.</para>
/// </remarks>
public static class VerificationSignature
{
    /// <summary>The JSON member that carries the signature; always the last one of the message.</summary>
    public const string MemberName = "signature";

    private static ReadOnlySpan<byte> Marker => ",\"signature\":\""u8;

    /// <summary>Signs the serialized verification <paramref name="unsigned"/> (a JSON object) and appends the signature member.</summary>
    public static byte[] Attach(ReadOnlySpan<byte> unsigned, DeviceKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (unsigned.Length < 3 || unsigned[0] != (byte)'{' || unsigned[^1] != (byte)'}')
        {
            throw new ArgumentException("A verification is a non-empty JSON object.", nameof(unsigned));
        }

        var jws = Encoding.ASCII.GetBytes(key.SignDetached(unsigned));
        var message = new byte[unsigned.Length - 1 + Marker.Length + jws.Length + 2];
        unsigned[..^1].CopyTo(message);
        var at = unsigned.Length - 1;
        Marker.CopyTo(message.AsSpan(at));
        at += Marker.Length;
        jws.CopyTo(message.AsSpan(at));
        at += jws.Length;
        message[at] = (byte)'"';
        message[at + 1] = (byte)'}';
        return message;
    }

    /// <summary>
    /// Splits a received message into the signed bytes (the JSON without the signature member) and the JWS.
    /// False when the message does not end in <c>,"signature":"&lt;JWS&gt;"}</c>.
    /// </summary>
    public static bool TrySplit(ReadOnlySpan<byte> message, out byte[] signed, out string jws)
    {
        signed = [];
        jws = string.Empty;
        var at = message.LastIndexOf(Marker);
        if (at <= 0 || message.Length < at + Marker.Length + 2 || message[^1] != (byte)'}' || message[^2] != (byte)'"')
        {
            return false;
        }

        var value = message[(at + Marker.Length)..^2];
        foreach (var b in value)
        {
            if (!(char.IsAsciiLetterOrDigit((char)b) || b is (byte)'-' or (byte)'_' or (byte)'.'))
            {
                return false;
            }
        }

        signed = new byte[at + 1];
        message[..at].CopyTo(signed);
        signed[at] = (byte)'}';
        jws = Encoding.ASCII.GetString(value);
        return true;
    }

    /// <summary>The key id (<c>kid</c>) the JWS header names, or null when the JWS is malformed.</summary>
    public static string? KeyIdOf(string jws) => ParseHeader(jws, out var kid, out _) ? kid : null;

    /// <summary>Checks a received <c>event/verification</c> message against the terminal's public key from <c>info</c>.</summary>
    public static SignatureStatus Verify(ReadOnlySpan<byte> message, DeviceKeyJwk key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!TrySplit(message, out var signed, out var jws))
        {
            return SignatureStatus.Missing;
        }

        return VerifyDetached(signed, jws, key);
    }

    /// <summary>Checks a detached compact JWS (<c>header..signature</c>, ES256) over <paramref name="signed"/>.</summary>
    public static SignatureStatus VerifyDetached(ReadOnlySpan<byte> signed, string jws, DeviceKeyJwk key)
    {
        ArgumentNullException.ThrowIfNull(jws);
        ArgumentNullException.ThrowIfNull(key);
        if (!ParseHeader(jws, out var kid, out var encodedHeader))
        {
            return SignatureStatus.Malformed;
        }

        if (!Base64Url.TryDecode(jws[(encodedHeader.Length + 2)..], out var signature) || signature.Length != 64)
        {
            return SignatureStatus.Malformed;
        }

        if (kid is not null && kid != key.Kid)
        {
            return SignatureStatus.OtherKey;
        }

        try
        {
            using var ecdsa = key.ToECDsa();
            var input = DeviceKey.SigningInput(Encoding.ASCII.GetBytes(encodedHeader), signed);
            return ecdsa.VerifyData(input, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
                ? SignatureStatus.Valid
                : SignatureStatus.Invalid;
        }
        catch (CryptographicException)
        {
            return SignatureStatus.Invalid;
        }
    }

    /// <summary>Reads the protected header of a detached JWS: it must say ES256; <paramref name="kid"/> is optional.</summary>
    private static bool ParseHeader(string jws, out string? kid, out string encodedHeader)
    {
        kid = null;
        encodedHeader = string.Empty;
        var parts = jws.Split('.');
        if (parts.Length != 3 || parts[1].Length != 0 || parts[0].Length is 0 or > 1024 || !Base64Url.TryDecode(parts[0], out var header))
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 4, AllowDuplicateProperties = false });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("alg", out var alg) || alg.ValueKind != JsonValueKind.String || alg.GetString() != "ES256"
                || root.TryGetProperty("crit", out _) || root.TryGetProperty("b64", out _))
            {
                return false;
            }

            if (root.TryGetProperty("kid", out var kidElement))
            {
                if (kidElement.ValueKind != JsonValueKind.String)
                {
                    return false;
                }

                kid = kidElement.GetString();
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return false;
        }

        encodedHeader = parts[0];
        return true;
    }
}
