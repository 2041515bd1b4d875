namespace MynaTerminal.Card.Apdu;

/// <summary>SW1 SW2 of a response, with the meanings the My Number Card gives them (card-protocol.md §1.2).</summary>
public readonly record struct StatusWord(byte Sw1, byte Sw2)
{
    public StatusWord(ushort value)
        : this((byte)(value >> 8), (byte)value)
    {
    }

    public static StatusWord Success { get; } = new(0x9000);

    /// <summary>67 00: wrong length.</summary>
    public static StatusWord WrongLength { get; } = new(0x6700);

    /// <summary>68 81: logical channel not supported.</summary>
    public static StatusWord ChannelNotSupported { get; } = new(0x6881);

    /// <summary>69 81: command incompatible with file structure (READ BINARY on an internal EF).</summary>
    public static StatusWord IncompatibleFileStructure { get; } = new(0x6981);

    /// <summary>69 82: security status not satisfied (the file or key needs a VERIFY first).</summary>
    public static StatusWord SecurityStatusNotSatisfied { get; } = new(0x6982);

    /// <summary>69 83: authentication method blocked (ISO; not emitted by the emulator, treated as blocked).</summary>
    public static StatusWord AuthenticationMethodBlocked { get; } = new(0x6983);

    /// <summary>69 84: referenced data (the key) is locked — every VERIFY after the last try was used.</summary>
    public static StatusWord ReferenceDataBlocked { get; } = new(0x6984);

    /// <summary>69 85: conditions of use not satisfied.</summary>
    public static StatusWord ConditionsNotSatisfied { get; } = new(0x6985);

    /// <summary>69 86: command not allowed (no current EF).</summary>
    public static StatusWord CommandNotAllowed { get; } = new(0x6986);

    /// <summary>6A 80: incorrect data field.</summary>
    public static StatusWord IncorrectData { get; } = new(0x6A80);

    /// <summary>6A 82: file or application not found.</summary>
    public static StatusWord FileNotFound { get; } = new(0x6A82);

    /// <summary>6A 86: wrong P1-P2.</summary>
    public static StatusWord WrongParameters { get; } = new(0x6A86);

    /// <summary>6A 88: referenced data (key, GET DATA tag) not found.</summary>
    public static StatusWord ReferencedDataNotFound { get; } = new(0x6A88);

    /// <summary>6B 00: READ BINARY offset at or beyond the end of the file.</summary>
    public static StatusWord OffsetBeyondEnd { get; } = new(0x6B00);

    /// <summary>6D 00: instruction not supported.</summary>
    public static StatusWord InstructionNotSupported { get; } = new(0x6D00);

    /// <summary>6E 00: class not supported.</summary>
    public static StatusWord ClassNotSupported { get; } = new(0x6E00);

    /// <summary>6F 00: internal error / self-diagnosis (also the first command after power on some readers).</summary>
    public static StatusWord InternalError { get; } = new(0x6F00);

    public ushort Value => (ushort)((Sw1 << 8) | Sw2);

    public bool IsSuccess => Value == 0x9000;

    /// <summary>63 Cx: VERIFY failed (or the empty VERIFY's answer) with x tries left; null for any other status.</summary>
    public int? TriesLeft => Sw1 == 0x63 && (Sw2 & 0xF0) == 0xC0 ? Sw2 & 0x0F : null;

    /// <summary>The key is locked: 63 C0 (the attempt that used the last try), 69 84, or 69 83.</summary>
    public bool IsBlocked => Value is 0x63C0 or 0x6984 or 0x6983;

    /// <summary>63 Cx with x tries left (x in 0..15).</summary>
    public static StatusWord TriesRemaining(int tries)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tries);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(tries, 15);
        return new StatusWord(0x63, (byte)(0xC0 | tries));
    }

    /// <summary>A short meaning for logs and error messages.</summary>
    public string Describe() => Value switch
    {
        0x9000 => "success",
        0x6700 => "wrong length",
        0x6881 => "logical channel not supported",
        0x6981 => "command incompatible with file structure",
        0x6982 => "security status not satisfied",
        0x6983 => "authentication method blocked",
        0x6984 => "key locked",
        0x6985 => "conditions of use not satisfied",
        0x6986 => "command not allowed (no current EF)",
        0x6A80 => "incorrect data",
        0x6A82 => "file or application not found",
        0x6A86 => "wrong P1-P2",
        0x6A88 => "referenced data not found",
        0x6B00 => "offset beyond end of file",
        0x6D00 => "instruction not supported",
        0x6E00 => "class not supported",
        0x6F00 => "card internal error",
        _ when TriesLeft is { } n => $"verification failed, {n} tries left",
        _ => "unexpected status",
    };

    public override string ToString() => $"{Sw1:X2} {Sw2:X2}";
}
