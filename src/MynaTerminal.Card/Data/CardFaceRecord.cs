using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace MynaTerminal.Card.Data;

/// <summary>
/// 券面AP EF 0002 (card-protocol.md §4.2): <c>FF20 { DF21 offsets, DF22 birth, DF23 sex, DF24 card key, DF25 name PNG,
/// DF26 address PNG, DF27 photo JP2, DF28 signature, DF29 expiry, DF2A security-code PNG }</c>.
/// Personal data: lives for one session; <see cref="Clear"/> wipes it.
/// </summary>
public sealed class CardFaceRecord
{
    /// <summary>The DigestInfo header for 96 bytes of digests under the SHA-256 OID (<c>30 71 30 0D … 04 60</c>).</summary>
    private static readonly byte[] DigestInfoHeader =
    [
        0x30, 0x71, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x60,
    ];

    private readonly byte[] _file;
    private readonly Dictionary<uint, BerTlv> _objects;

    private CardFaceRecord(byte[] file, Dictionary<uint, BerTlv> objects)
    {
        _file = file;
        _objects = objects;
    }

    /// <summary>生年月日 as printed, Gregorian <c>YYYYMMDD</c>.</summary>
    public string BirthDate => Ascii(0xDF22);

    public string Sex => Ascii(0xDF23);

    /// <summary>The face photo: JPEG 2000 (JP2 container), greyscale.</summary>
    public ReadOnlySpan<byte> Photo => Value(0xDF27);

    public ReadOnlySpan<byte> NameImage => Value(0xDF25);

    public ReadOnlySpan<byte> AddressImage => Value(0xDF26);

    public ReadOnlySpan<byte> Signature => Value(0xDF28);

    /// <summary>有効期限 <c>YYYYMMDD</c> (not covered by the signature).</summary>
    public string CardExpiry => _objects.ContainsKey(0xDF29) ? Ascii(0xDF29) : string.Empty;

    public static bool TryParse(ReadOnlySpan<byte> file, [NotNullWhen(true)] out CardFaceRecord? record, [NotNullWhen(false)] out string? error)
    {
        record = null;
        if (!BerTlv.TryRead(file, 0, out var outer) || outer.Tag != 0xFF20)
        {
            error = "EF 0002 does not start with a complete FF20 object";
            return false;
        }

        if (!BerTlv.TryReadAll(file, outer.ValueOffset, outer.End, out var parts))
        {
            error = "EF 0002 holds a malformed TLV";
            return false;
        }

        var objects = new Dictionary<uint, BerTlv>();
        foreach (var part in parts)
        {
            objects.TryAdd(part.Tag, part);
        }

        foreach (var tag in new uint[] { 0xDF21, 0xDF22, 0xDF23, 0xDF24, 0xDF25, 0xDF26, 0xDF27, 0xDF28 })
        {
            if (!objects.ContainsKey(tag))
            {
                error = $"EF 0002 lacks {tag:X4}";
                return false;
            }
        }

        // DF21: one big-endian u16 per following object, counted from the first byte of the file.
        var table = objects[0xDF21];
        var following = parts.Where(p => p.Offset > table.Offset).ToList();
        if (table.ValueLength != following.Count * 2)
        {
            error = "EF 0002 offset table (DF21) does not match its objects";
            return false;
        }

        for (var i = 0; i < following.Count; i++)
        {
            var at = table.ValueOffset + (2 * i);
            if (((file[at] << 8) | file[at + 1]) != following[i].Offset)
            {
                error = $"EF 0002 offset table entry {i} does not match the position of {following[i].Tag:X4}";
                return false;
            }
        }

        var photo = objects[0xDF27];
        if (photo.ValueLength < 12)
        {
            error = "EF 0002 photo (DF27) is empty";
            return false;
        }

        record = new CardFaceRecord(file[..outer.End].ToArray(), objects);
        error = null;
        return true;
    }

    /// <summary>The DigestInfo the issuer signed: SHA-256 of DF22‖DF23‖DF24, of DF25‖DF26 and of DF27 (raw TLVs).</summary>
    public byte[] SignedDigestInfo()
    {
        var digestInfo = new byte[DigestInfoHeader.Length + 96];
        DigestInfoHeader.CopyTo(digestInfo, 0);
        SHA256.HashData(Span(0xDF22, 0xDF24), digestInfo.AsSpan(DigestInfoHeader.Length));
        SHA256.HashData(Span(0xDF25, 0xDF26), digestInfo.AsSpan(DigestInfoHeader.Length + 32));
        SHA256.HashData(Span(0xDF27, 0xDF27), digestInfo.AsSpan(DigestInfoHeader.Length + 64));
        return digestInfo;
    }

    /// <summary>The same DigestInfo computed from objects given separately (the emulator signs with it).</summary>
    public static byte[] DigestInfoOf(ReadOnlySpan<byte> df22ToDf24, ReadOnlySpan<byte> df25ToDf26, ReadOnlySpan<byte> df27)
    {
        var digestInfo = new byte[DigestInfoHeader.Length + 96];
        DigestInfoHeader.CopyTo(digestInfo, 0);
        SHA256.HashData(df22ToDf24, digestInfo.AsSpan(DigestInfoHeader.Length));
        SHA256.HashData(df25ToDf26, digestInfo.AsSpan(DigestInfoHeader.Length + 32));
        SHA256.HashData(df27, digestInfo.AsSpan(DigestInfoHeader.Length + 64));
        return digestInfo;
    }

    /// <summary>True when the record's DF28 is a valid signature by the key certified in <paramref name="applicationCertificate"/>.</summary>
    public bool IsSignedBy(CvCertificate applicationCertificate)
    {
        ArgumentNullException.ThrowIfNull(applicationCertificate);
        return RsaPkcs1.VerifyDigestInfo(applicationCertificate.Modulus, applicationCertificate.Exponent, SignedDigestInfo(), Signature);
    }

    public void Clear() => CryptographicOperations.ZeroMemory(_file);

    private ReadOnlySpan<byte> Value(uint tag) => _file.AsSpan(_objects[tag].ValueOffset, _objects[tag].ValueLength);

    private ReadOnlySpan<byte> Span(uint firstTag, uint lastTag) =>
        _file.AsSpan(_objects[firstTag].Offset, _objects[lastTag].End - _objects[firstTag].Offset);

    private string Ascii(uint tag) => System.Text.Encoding.ASCII.GetString(Value(tag));
}
