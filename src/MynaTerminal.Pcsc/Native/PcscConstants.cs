namespace MynaTerminal.Pcsc;

/// <summary>SCARD_SCOPE_*: where the context lives. pcsc-lite ignores it; SYSTEM is the usual choice.</summary>
public enum PcscScope : uint
{
    /// <summary>SCARD_SCOPE_USER.</summary>
    User = 0,
    /// <summary>SCARD_SCOPE_TERMINAL.</summary>
    Terminal = 1,
    /// <summary>SCARD_SCOPE_SYSTEM.</summary>
    System = 2,
}

/// <summary>SCARD_SHARE_*: whether other connections may use the card at the same time.</summary>
public enum PcscShareMode : uint
{
    /// <summary>SCARD_SHARE_EXCLUSIVE: nobody else may connect (use it while keys may be verified).</summary>
    Exclusive = 1,
    /// <summary>SCARD_SHARE_SHARED.</summary>
    Shared = 2,
    /// <summary>SCARD_SHARE_DIRECT: talk to the reader, not the card.</summary>
    Direct = 3,
}

/// <summary>SCARD_PROTOCOL_* (pcsc-lite values: RAW is 4 here, 0x10000 on Windows).</summary>
[Flags]
public enum PcscProtocols : uint
{
    /// <summary>SCARD_PROTOCOL_UNDEFINED.</summary>
    Undefined = 0,
    /// <summary>SCARD_PROTOCOL_T0: character protocol; 61xx / 6Cxx are transport matters here.</summary>
    T0 = 1,
    /// <summary>SCARD_PROTOCOL_T1: block protocol (contactless readers present the card as T=1).</summary>
    T1 = 2,
    /// <summary>SCARD_PROTOCOL_RAW.</summary>
    Raw = 4,
    /// <summary>SCARD_PROTOCOL_T15.</summary>
    T15 = 8,
    /// <summary>SCARD_PROTOCOL_ANY = T0 | T1.</summary>
    Any = T0 | T1,
}

/// <summary>SCARD_*_CARD: what happens to the card when a handle is closed or a transaction ends.</summary>
public enum PcscDisposition : uint
{
    /// <summary>SCARD_LEAVE_CARD.</summary>
    Leave = 0,
    /// <summary>SCARD_RESET_CARD: warm reset.</summary>
    Reset = 1,
    /// <summary>SCARD_UNPOWER_CARD: power off, so every verified key state is lost.</summary>
    Unpower = 2,
    /// <summary>SCARD_EJECT_CARD.</summary>
    Eject = 3,
}

/// <summary>
/// SCARD_STATE_* bits of a reader (<c>dwCurrentState</c> / <c>dwEventState</c>). pcsc-lite keeps an event
/// counter in the upper 16 bits of <c>dwEventState</c>: test bits with masks, never with equality.
/// </summary>
[Flags]
public enum PcscReaderStates : uint
{
    /// <summary>SCARD_STATE_UNAWARE: "tell me the current state".</summary>
    Unaware = 0x0000,
    /// <summary>SCARD_STATE_IGNORE.</summary>
    Ignore = 0x0001,
    /// <summary>SCARD_STATE_CHANGED: the event state differs from the current state passed in.</summary>
    Changed = 0x0002,
    /// <summary>SCARD_STATE_UNKNOWN: no such reader.</summary>
    Unknown = 0x0004,
    /// <summary>SCARD_STATE_UNAVAILABLE.</summary>
    Unavailable = 0x0008,
    /// <summary>SCARD_STATE_EMPTY: no card.</summary>
    Empty = 0x0010,
    /// <summary>SCARD_STATE_PRESENT: a card is in the reader.</summary>
    Present = 0x0020,
    /// <summary>SCARD_STATE_ATRMATCH.</summary>
    AtrMatch = 0x0040,
    /// <summary>SCARD_STATE_EXCLUSIVE: someone holds the card exclusively.</summary>
    Exclusive = 0x0080,
    /// <summary>SCARD_STATE_INUSE.</summary>
    InUse = 0x0100,
    /// <summary>SCARD_STATE_MUTE: a card is there but gave no ATR.</summary>
    Mute = 0x0200,
    /// <summary>SCARD_STATE_UNPOWERED.</summary>
    Unpowered = 0x0400,
    /// <summary>Mask of the pcsc-lite event counter (upper 16 bits).</summary>
    EventCounterMask = 0xFFFF_0000,
}

/// <summary>Card states reported by <c>SCardStatus</c> (pcsc-lite SCARD_ABSENT … SCARD_SPECIFIC bits).</summary>
[Flags]
public enum PcscCardStates : uint
{
    /// <summary>SCARD_UNKNOWN.</summary>
    Unknown = 0x0001,
    /// <summary>SCARD_ABSENT.</summary>
    Absent = 0x0002,
    /// <summary>SCARD_PRESENT.</summary>
    Present = 0x0004,
    /// <summary>SCARD_SWALLOWED.</summary>
    Swallowed = 0x0008,
    /// <summary>SCARD_POWERED.</summary>
    Powered = 0x0010,
    /// <summary>SCARD_NEGOTIABLE.</summary>
    Negotiable = 0x0020,
    /// <summary>SCARD_SPECIFIC: a protocol is selected.</summary>
    Specific = 0x0040,
}
