using System.Diagnostics.CodeAnalysis;

namespace MynaTerminal.Card.Apdu;

/// <summary>
/// An ISO 7816-4 command APDU. The terminal sends short APDUs only (Lc ≤ 255, Ne ≤ 256, Ne 256 encoded as 00);
/// parsing also accepts the extended forms because the emulator must answer them.
/// <see cref="ToString"/> never prints the data field (it may carry a PIN or 照合番号B).
/// </summary>
public sealed class CommandApdu
{
    public const int MaxShortDataLength = 255;
    public const int MaxShortExpectedLength = 256;
    public const int MaxExtendedExpectedLength = 65536;

    public CommandApdu(byte cla, byte ins, byte p1, byte p2, ReadOnlyMemory<byte> data = default, int? expectedLength = null)
    {
        if (data.Length > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(data), "Lc is at most 65535.");
        }

        if (expectedLength is < 1 or > MaxExtendedExpectedLength)
        {
            throw new ArgumentOutOfRangeException(nameof(expectedLength), "Ne is 1..65536 (or absent).");
        }

        Cla = cla;
        Ins = ins;
        P1 = p1;
        P2 = p2;
        Data = data;
        ExpectedLength = expectedLength;
    }

    public byte Cla { get; }

    public byte Ins { get; }

    public byte P1 { get; }

    public byte P2 { get; }

    /// <summary>The command data field (Lc bytes); empty when absent.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>Ne: the maximum number of response data bytes expected; null when no Le field is sent.</summary>
    public int? ExpectedLength { get; }

    /// <summary>True when the encoding needs the extended length fields.</summary>
    public bool IsExtended => Data.Length > MaxShortDataLength || ExpectedLength > MaxShortExpectedLength;

    public int EncodedLength
    {
        get
        {
            var length = 4;
            if (!IsExtended)
            {
                length += Data.IsEmpty ? 0 : 1 + Data.Length;
                length += ExpectedLength is null ? 0 : 1;
                return length;
            }

            length += Data.IsEmpty ? 0 : 3 + Data.Length;
            length += ExpectedLength is null ? 0 : Data.IsEmpty ? 3 : 2;
            return length;
        }
    }

    /// <summary>Writes the encoding into <paramref name="destination"/> and returns the number of bytes written.</summary>
    public int Encode(Span<byte> destination)
    {
        var length = EncodedLength;
        if (destination.Length < length)
        {
            throw new ArgumentException("Destination too small.", nameof(destination));
        }

        destination[0] = Cla;
        destination[1] = Ins;
        destination[2] = P1;
        destination[3] = P2;
        var at = 4;
        if (!IsExtended)
        {
            if (!Data.IsEmpty)
            {
                destination[at++] = (byte)Data.Length;
                Data.Span.CopyTo(destination[at..]);
                at += Data.Length;
            }

            if (ExpectedLength is { } ne)
            {
                destination[at++] = (byte)(ne == 256 ? 0 : ne);
            }

            return at;
        }

        if (!Data.IsEmpty)
        {
            destination[at++] = 0;
            destination[at++] = (byte)(Data.Length >> 8);
            destination[at++] = (byte)Data.Length;
            Data.Span.CopyTo(destination[at..]);
            at += Data.Length;
        }

        if (ExpectedLength is { } extendedNe)
        {
            if (Data.IsEmpty)
            {
                destination[at++] = 0;
            }

            var value = extendedNe == 65536 ? 0 : extendedNe;
            destination[at++] = (byte)(value >> 8);
            destination[at++] = (byte)value;
        }

        return at;
    }

    public byte[] ToArray()
    {
        var bytes = new byte[EncodedLength];
        Encode(bytes);
        return bytes;
    }

    /// <summary>Parses every ISO case (1, 2S, 3S, 4S, 2E, 3E, 4E). The data field is copied.</summary>
    public static bool TryParse(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out CommandApdu? apdu)
    {
        apdu = null;
        if (bytes.Length < 4)
        {
            return false;
        }

        byte cla = bytes[0], ins = bytes[1], p1 = bytes[2], p2 = bytes[3];
        var body = bytes[4..];
        if (body.Length == 0)
        {
            apdu = new CommandApdu(cla, ins, p1, p2);
            return true;
        }

        if (body.Length == 1)
        {
            apdu = new CommandApdu(cla, ins, p1, p2, default, body[0] == 0 ? 256 : body[0]);
            return true;
        }

        if (body[0] != 0)
        {
            var lc = body[0];
            if (body.Length == 1 + lc)
            {
                apdu = new CommandApdu(cla, ins, p1, p2, body.Slice(1, lc).ToArray());
                return true;
            }

            if (body.Length == 2 + lc)
            {
                var le = body[1 + lc];
                apdu = new CommandApdu(cla, ins, p1, p2, body.Slice(1, lc).ToArray(), le == 0 ? 256 : le);
                return true;
            }

            return false;
        }

        // Extended: a leading 00 then two length bytes.
        if (body.Length < 3)
        {
            return false;
        }

        var first = (body[1] << 8) | body[2];
        if (body.Length == 3)
        {
            apdu = new CommandApdu(cla, ins, p1, p2, default, first == 0 ? 65536 : first);
            return true;
        }

        if (first == 0)
        {
            return false;
        }

        if (body.Length == 3 + first)
        {
            apdu = new CommandApdu(cla, ins, p1, p2, body.Slice(3, first).ToArray());
            return true;
        }

        if (body.Length == 5 + first)
        {
            var ne = (body[3 + first] << 8) | body[4 + first];
            apdu = new CommandApdu(cla, ins, p1, p2, body.Slice(3, first).ToArray(), ne == 0 ? 65536 : ne);
            return true;
        }

        return false;
    }

    public static CommandApdu Parse(ReadOnlySpan<byte> bytes) =>
        TryParse(bytes, out var apdu) ? apdu : throw new FormatException("Not a well-formed command APDU.");

    /// <summary>Header and lengths only: the data field is never printed.</summary>
    public override string ToString()
    {
        var text = $"{Cla:X2} {Ins:X2} {P1:X2} {P2:X2}";
        if (!Data.IsEmpty)
        {
            text += $" Lc={Data.Length}";
        }

        if (ExpectedLength is { } ne)
        {
            text += $" Le={ne}";
        }

        return text;
    }
}
