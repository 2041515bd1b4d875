using System.Numerics;
using System.Security.Cryptography;

namespace MynaTerminal.Card.Data;

/// <summary>
/// Raw RSA PKCS#1 v1.5 verification over an arbitrary DigestInfo. The 券面 record is signed over a DigestInfo that
/// carries 96 bytes (three SHA-256 digests) under the SHA-256 OID, which the framework's VerifyHash rejects.
/// </summary>
public static class RsaPkcs1
{
    /// <summary>True when <paramref name="signature"/>^e mod n is <c>00 01 FF…FF 00 ‖ digestInfo</c>.</summary>
    public static bool VerifyDigestInfo(ReadOnlySpan<byte> modulus, ReadOnlySpan<byte> exponent, ReadOnlySpan<byte> digestInfo, ReadOnlySpan<byte> signature)
    {
        var k = modulus.TrimStart((byte)0).Length;
        if (k < 64 || signature.Length != k || digestInfo.Length > k - 11)
        {
            return false;
        }

        var n = new BigInteger(modulus, isUnsigned: true, isBigEndian: true);
        var e = new BigInteger(exponent, isUnsigned: true, isBigEndian: true);
        var s = new BigInteger(signature, isUnsigned: true, isBigEndian: true);
        if (s >= n || e.IsZero)
        {
            return false;
        }

        var m = BigInteger.ModPow(s, e, n);
        var encoded = new byte[k];
        var raw = m.ToByteArray(isUnsigned: true, isBigEndian: true);
        if (raw.Length > k)
        {
            return false;
        }

        raw.CopyTo(encoded, k - raw.Length);
        var expected = EncodeType1(digestInfo, k);
        return CryptographicOperations.FixedTimeEquals(encoded, expected);
    }

    /// <summary>EMSA-PKCS1-v1_5 type-1 encoding of <paramref name="data"/> into <paramref name="length"/> bytes.</summary>
    public static byte[] EncodeType1(ReadOnlySpan<byte> data, int length)
    {
        if (data.Length > length - 11)
        {
            throw new ArgumentException("Data too long for the modulus.", nameof(data));
        }

        var encoded = new byte[length];
        encoded[1] = 0x01;
        var separator = length - data.Length - 1;
        encoded.AsSpan(2, separator - 2).Fill(0xFF);
        data.CopyTo(encoded.AsSpan(separator + 1));
        return encoded;
    }

    /// <summary>The SHA-256 DigestInfo of <paramref name="message"/> (51 bytes): what the terminal asks the card to sign.</summary>
    public static byte[] Sha256DigestInfo(ReadOnlySpan<byte> message)
    {
        var prefix = CardConstants.Sha256DigestInfoPrefix.Span;
        var digestInfo = new byte[prefix.Length + 32];
        prefix.CopyTo(digestInfo);
        SHA256.HashData(message, digestInfo.AsSpan(prefix.Length));
        return digestInfo;
    }
}
