using System.Diagnostics.CodeAnalysis;

namespace MynaTerminal.Card.Data;

/// <summary>One BER-TLV object inside a buffer: where it starts, its tag, and where its value lies.</summary>
/// <param name="Tag">The tag bytes as a number (<c>0x30</c>, <c>0xFF20</c>, <c>0xDF27</c>, <c>0x7F21</c>).</param>
/// <param name="Offset">Offset of the first tag byte.</param>
/// <param name="HeaderLength">Tag and length bytes.</param>
/// <param name="ValueLength">Length of the value.</param>
public readonly record struct BerTlv(uint Tag, int Offset, int HeaderLength, int ValueLength)
{
    public int ValueOffset => Offset + HeaderLength;

    public int TotalLength => HeaderLength + ValueLength;

    public int End => Offset + TotalLength;

    /// <summary>
    /// Reads the tag and length at <paramref name="offset"/> (1–3-byte tags; short or 81/82/83 lengths). Does not
    /// require the value to be present: use it on the head of a file to learn the file's length.
    /// </summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> buffer, int offset, out BerTlv tlv)
    {
        tlv = default;
        var at = offset;
        if (at >= buffer.Length)
        {
            return false;
        }

        uint tag = buffer[at++];
        if ((tag & 0x1F) == 0x1F)
        {
            for (var i = 0; ; i++)
            {
                if (at >= buffer.Length || i == 2)
                {
                    return false;
                }

                var next = buffer[at++];
                tag = (tag << 8) | next;
                if ((next & 0x80) == 0)
                {
                    break;
                }
            }
        }

        if (at >= buffer.Length)
        {
            return false;
        }

        int length = buffer[at++];
        if (length > 0x80)
        {
            var count = length & 0x7F;
            if (count > 3 || at + count > buffer.Length)
            {
                return false;
            }

            length = 0;
            for (var i = 0; i < count; i++)
            {
                length = (length << 8) | buffer[at++];
            }
        }
        else if (length == 0x80)
        {
            return false; // Indefinite length: never on this card.
        }

        tlv = new BerTlv(tag, offset, at - offset, length);
        return true;
    }

    /// <summary>Reads a complete TLV (header and value inside the buffer).</summary>
    public static bool TryRead(ReadOnlySpan<byte> buffer, int offset, out BerTlv tlv) =>
        TryReadHeader(buffer, offset, out tlv) && tlv.End <= buffer.Length;

    /// <summary>Every complete TLV in <paramref name="buffer"/>[start..end), in order; false on any malformed object.</summary>
    public static bool TryReadAll(ReadOnlySpan<byte> buffer, int start, int end, [NotNullWhen(true)] out List<BerTlv>? objects)
    {
        objects = [];
        var at = start;
        while (at < end)
        {
            if (!TryRead(buffer[..end], at, out var tlv))
            {
                objects = null;
                return false;
            }

            objects.Add(tlv);
            at = tlv.End;
        }

        return true;
    }
}
