namespace MynaTerminal.Pcsc;

/// <summary>
/// Return codes of pcsc-lite (<c>SCARD_S_SUCCESS</c>, <c>SCARD_E_*</c>, <c>SCARD_W_*</c>, <c>SCARD_F_*</c>,
/// <c>SCARD_P_*</c>) with their real values. pcsc-lite returns them as a 64-bit <c>LONG</c> on LP64 Linux, so
/// 0x8010000A arrives as a <em>positive</em> number: only the low 32 bits are meaningful and they are kept
/// unsigned here. <see cref="PcscErrorExtensions.ToNativeName"/> gives the C name.
/// </summary>
public enum PcscError : uint
{
    /// <summary>SCARD_S_SUCCESS.</summary>
    Success = 0x0000_0000,

    /// <summary>SCARD_F_INTERNAL_ERROR: an internal consistency check failed.</summary>
    InternalError = 0x8010_0001,
    /// <summary>SCARD_E_CANCELLED: the action was cancelled by <c>SCardCancel</c>.</summary>
    Cancelled = 0x8010_0002,
    /// <summary>SCARD_E_INVALID_HANDLE: the context or card handle is not (or no longer) valid.</summary>
    InvalidHandle = 0x8010_0003,
    /// <summary>SCARD_E_INVALID_PARAMETER.</summary>
    InvalidParameter = 0x8010_0004,
    /// <summary>SCARD_E_INVALID_TARGET.</summary>
    InvalidTarget = 0x8010_0005,
    /// <summary>SCARD_E_NO_MEMORY.</summary>
    NoMemory = 0x8010_0006,
    /// <summary>SCARD_F_WAITED_TOO_LONG.</summary>
    WaitedTooLong = 0x8010_0007,
    /// <summary>SCARD_E_INSUFFICIENT_BUFFER: the response did not fit the receive buffer.</summary>
    InsufficientBuffer = 0x8010_0008,
    /// <summary>SCARD_E_UNKNOWN_READER: no reader of that name (it may have been unplugged).</summary>
    UnknownReader = 0x8010_0009,
    /// <summary>SCARD_E_TIMEOUT: <c>SCardGetStatusChange</c> saw no change before its time-out.</summary>
    Timeout = 0x8010_000A,
    /// <summary>SCARD_E_SHARING_VIOLATION: another connection holds the card (exclusively).</summary>
    SharingViolation = 0x8010_000B,
    /// <summary>SCARD_E_NO_SMARTCARD: no card in the reader.</summary>
    NoSmartcard = 0x8010_000C,
    /// <summary>SCARD_E_UNKNOWN_CARD.</summary>
    UnknownCard = 0x8010_000D,
    /// <summary>SCARD_E_CANT_DISPOSE.</summary>
    CantDispose = 0x8010_000E,
    /// <summary>SCARD_E_PROTO_MISMATCH: the card speaks none of the requested protocols.</summary>
    ProtocolMismatch = 0x8010_000F,
    /// <summary>SCARD_E_NOT_READY.</summary>
    NotReady = 0x8010_0010,
    /// <summary>SCARD_E_INVALID_VALUE.</summary>
    InvalidValue = 0x8010_0011,
    /// <summary>SCARD_E_SYSTEM_CANCELLED.</summary>
    SystemCancelled = 0x8010_0012,
    /// <summary>SCARD_F_COMM_ERROR: communication with pcscd failed.</summary>
    CommunicationError = 0x8010_0013,
    /// <summary>SCARD_F_UNKNOWN_ERROR.</summary>
    UnknownError = 0x8010_0014,
    /// <summary>SCARD_E_INVALID_ATR.</summary>
    InvalidAtr = 0x8010_0015,
    /// <summary>SCARD_E_NOT_TRANSACTED: the exchange failed (also: card pulled out <em>during</em> a transmit).</summary>
    NotTransacted = 0x8010_0016,
    /// <summary>SCARD_E_READER_UNAVAILABLE: the reader is gone or not working.</summary>
    ReaderUnavailable = 0x8010_0017,
    /// <summary>SCARD_P_SHUTDOWN.</summary>
    Shutdown = 0x8010_0018,
    /// <summary>SCARD_E_PCI_TOO_SMALL.</summary>
    PciTooSmall = 0x8010_0019,
    /// <summary>SCARD_E_READER_UNSUPPORTED.</summary>
    ReaderUnsupported = 0x8010_001A,
    /// <summary>SCARD_E_DUPLICATE_READER.</summary>
    DuplicateReader = 0x8010_001B,
    /// <summary>SCARD_E_CARD_UNSUPPORTED.</summary>
    CardUnsupported = 0x8010_001C,
    /// <summary>SCARD_E_NO_SERVICE: pcscd is not running (or its socket is not there yet, e.g. at boot).</summary>
    NoService = 0x8010_001D,
    /// <summary>SCARD_E_SERVICE_STOPPED: pcscd stopped while the context was open.</summary>
    ServiceStopped = 0x8010_001E,
    /// <summary>
    /// SCARD_E_UNEXPECTED. pcsc-lite gives SCARD_E_UNSUPPORTED_FEATURE the same value (Windows uses 0x80100022).
    /// </summary>
    Unexpected = 0x8010_001F,
    /// <summary>SCARD_E_ICC_INSTALLATION.</summary>
    IccInstallation = 0x8010_0020,
    /// <summary>SCARD_E_ICC_CREATEORDER.</summary>
    IccCreateOrder = 0x8010_0021,
    /// <summary>SCARD_E_DIR_NOT_FOUND.</summary>
    DirectoryNotFound = 0x8010_0023,
    /// <summary>SCARD_E_FILE_NOT_FOUND.</summary>
    FileNotFound = 0x8010_0024,
    /// <summary>SCARD_E_NO_DIR.</summary>
    NoDirectory = 0x8010_0025,
    /// <summary>SCARD_E_NO_FILE.</summary>
    NoFile = 0x8010_0026,
    /// <summary>SCARD_E_NO_ACCESS.</summary>
    NoAccess = 0x8010_0027,
    /// <summary>SCARD_E_WRITE_TOO_MANY.</summary>
    WriteTooMany = 0x8010_0028,
    /// <summary>SCARD_E_BAD_SEEK.</summary>
    BadSeek = 0x8010_0029,
    /// <summary>SCARD_E_INVALID_CHV.</summary>
    InvalidChv = 0x8010_002A,
    /// <summary>SCARD_E_UNKNOWN_RES_MNG.</summary>
    UnknownResourceManager = 0x8010_002B,
    /// <summary>SCARD_E_NO_SUCH_CERTIFICATE.</summary>
    NoSuchCertificate = 0x8010_002C,
    /// <summary>SCARD_E_CERTIFICATE_UNAVAILABLE.</summary>
    CertificateUnavailable = 0x8010_002D,
    /// <summary>SCARD_E_NO_READERS_AVAILABLE: pcscd runs but no reader is plugged in.</summary>
    NoReadersAvailable = 0x8010_002E,
    /// <summary>SCARD_E_COMM_DATA_LOST.</summary>
    CommunicationDataLost = 0x8010_002F,
    /// <summary>SCARD_E_NO_KEY_CONTAINER.</summary>
    NoKeyContainer = 0x8010_0030,
    /// <summary>SCARD_E_SERVER_TOO_BUSY.</summary>
    ServerTooBusy = 0x8010_0031,

    /// <summary>SCARD_W_UNSUPPORTED_CARD.</summary>
    UnsupportedCard = 0x8010_0065,
    /// <summary>SCARD_W_UNRESPONSIVE_CARD: a card is there but does not answer the reset (mute).</summary>
    UnresponsiveCard = 0x8010_0066,
    /// <summary>SCARD_W_UNPOWERED_CARD.</summary>
    UnpoweredCard = 0x8010_0067,
    /// <summary>SCARD_W_RESET_CARD: another connection reset the card; this handle's state is gone.</summary>
    ResetCard = 0x8010_0068,
    /// <summary>SCARD_W_REMOVED_CARD: the card left the reader.</summary>
    RemovedCard = 0x8010_0069,
    /// <summary>SCARD_W_SECURITY_VIOLATION.</summary>
    SecurityViolation = 0x8010_006A,
    /// <summary>SCARD_W_WRONG_CHV.</summary>
    WrongChv = 0x8010_006B,
    /// <summary>SCARD_W_CHV_BLOCKED.</summary>
    ChvBlocked = 0x8010_006C,
    /// <summary>SCARD_W_EOF.</summary>
    EndOfFile = 0x8010_006D,
    /// <summary>SCARD_W_CANCELLED_BY_USER.</summary>
    CancelledByUser = 0x8010_006E,
    /// <summary>SCARD_W_CARD_NOT_AUTHENTICATED.</summary>
    CardNotAuthenticated = 0x8010_006F,
}

/// <summary>Names and the thin throwing layer for <see cref="PcscError"/>.</summary>
public static class PcscErrorExtensions
{
    /// <summary>The pcsc-lite C name, e.g. <c>SCARD_E_NO_SERVICE</c>; unknown values as <c>0x8010XXXX</c>.</summary>
    public static string ToNativeName(this PcscError error) => error switch
    {
        PcscError.Success => "SCARD_S_SUCCESS",
        PcscError.InternalError => "SCARD_F_INTERNAL_ERROR",
        PcscError.Cancelled => "SCARD_E_CANCELLED",
        PcscError.InvalidHandle => "SCARD_E_INVALID_HANDLE",
        PcscError.InvalidParameter => "SCARD_E_INVALID_PARAMETER",
        PcscError.InvalidTarget => "SCARD_E_INVALID_TARGET",
        PcscError.NoMemory => "SCARD_E_NO_MEMORY",
        PcscError.WaitedTooLong => "SCARD_F_WAITED_TOO_LONG",
        PcscError.InsufficientBuffer => "SCARD_E_INSUFFICIENT_BUFFER",
        PcscError.UnknownReader => "SCARD_E_UNKNOWN_READER",
        PcscError.Timeout => "SCARD_E_TIMEOUT",
        PcscError.SharingViolation => "SCARD_E_SHARING_VIOLATION",
        PcscError.NoSmartcard => "SCARD_E_NO_SMARTCARD",
        PcscError.UnknownCard => "SCARD_E_UNKNOWN_CARD",
        PcscError.CantDispose => "SCARD_E_CANT_DISPOSE",
        PcscError.ProtocolMismatch => "SCARD_E_PROTO_MISMATCH",
        PcscError.NotReady => "SCARD_E_NOT_READY",
        PcscError.InvalidValue => "SCARD_E_INVALID_VALUE",
        PcscError.SystemCancelled => "SCARD_E_SYSTEM_CANCELLED",
        PcscError.CommunicationError => "SCARD_F_COMM_ERROR",
        PcscError.UnknownError => "SCARD_F_UNKNOWN_ERROR",
        PcscError.InvalidAtr => "SCARD_E_INVALID_ATR",
        PcscError.NotTransacted => "SCARD_E_NOT_TRANSACTED",
        PcscError.ReaderUnavailable => "SCARD_E_READER_UNAVAILABLE",
        PcscError.Shutdown => "SCARD_P_SHUTDOWN",
        PcscError.PciTooSmall => "SCARD_E_PCI_TOO_SMALL",
        PcscError.ReaderUnsupported => "SCARD_E_READER_UNSUPPORTED",
        PcscError.DuplicateReader => "SCARD_E_DUPLICATE_READER",
        PcscError.CardUnsupported => "SCARD_E_CARD_UNSUPPORTED",
        PcscError.NoService => "SCARD_E_NO_SERVICE",
        PcscError.ServiceStopped => "SCARD_E_SERVICE_STOPPED",
        PcscError.Unexpected => "SCARD_E_UNEXPECTED",
        PcscError.IccInstallation => "SCARD_E_ICC_INSTALLATION",
        PcscError.IccCreateOrder => "SCARD_E_ICC_CREATEORDER",
        PcscError.DirectoryNotFound => "SCARD_E_DIR_NOT_FOUND",
        PcscError.FileNotFound => "SCARD_E_FILE_NOT_FOUND",
        PcscError.NoDirectory => "SCARD_E_NO_DIR",
        PcscError.NoFile => "SCARD_E_NO_FILE",
        PcscError.NoAccess => "SCARD_E_NO_ACCESS",
        PcscError.WriteTooMany => "SCARD_E_WRITE_TOO_MANY",
        PcscError.BadSeek => "SCARD_E_BAD_SEEK",
        PcscError.InvalidChv => "SCARD_E_INVALID_CHV",
        PcscError.UnknownResourceManager => "SCARD_E_UNKNOWN_RES_MNG",
        PcscError.NoSuchCertificate => "SCARD_E_NO_SUCH_CERTIFICATE",
        PcscError.CertificateUnavailable => "SCARD_E_CERTIFICATE_UNAVAILABLE",
        PcscError.NoReadersAvailable => "SCARD_E_NO_READERS_AVAILABLE",
        PcscError.CommunicationDataLost => "SCARD_E_COMM_DATA_LOST",
        PcscError.NoKeyContainer => "SCARD_E_NO_KEY_CONTAINER",
        PcscError.ServerTooBusy => "SCARD_E_SERVER_TOO_BUSY",
        PcscError.UnsupportedCard => "SCARD_W_UNSUPPORTED_CARD",
        PcscError.UnresponsiveCard => "SCARD_W_UNRESPONSIVE_CARD",
        PcscError.UnpoweredCard => "SCARD_W_UNPOWERED_CARD",
        PcscError.ResetCard => "SCARD_W_RESET_CARD",
        PcscError.RemovedCard => "SCARD_W_REMOVED_CARD",
        PcscError.SecurityViolation => "SCARD_W_SECURITY_VIOLATION",
        PcscError.WrongChv => "SCARD_W_WRONG_CHV",
        PcscError.ChvBlocked => "SCARD_W_CHV_BLOCKED",
        PcscError.EndOfFile => "SCARD_W_EOF",
        PcscError.CancelledByUser => "SCARD_W_CANCELLED_BY_USER",
        PcscError.CardNotAuthenticated => "SCARD_W_CARD_NOT_AUTHENTICATED",
        _ => $"0x{(uint)error:X8}",
    };

    /// <summary>
    /// True for the codes that mean "this context is dead: release it and establish a new one"
    /// (pcscd not running, stopped or restarted, or the context invalidated).
    /// </summary>
    public static bool IsServiceLost(this PcscError error) => error is
        PcscError.NoService or PcscError.ServiceStopped or PcscError.InvalidHandle or
        PcscError.CommunicationError or PcscError.Shutdown or PcscError.InternalError;

    /// <summary>The card is no longer usable through this handle: gone, or reset by someone else.</summary>
    public static bool IsCardGone(this PcscError error) => error is
        PcscError.RemovedCard or PcscError.NoSmartcard or PcscError.ResetCard;

    /// <summary>Throws <see cref="PcscException"/> unless <paramref name="error"/> is <see cref="PcscError.Success"/>.</summary>
    public static void ThrowIfError(this PcscError error)
    {
        if (error != PcscError.Success)
        {
            throw new PcscException(error);
        }
    }
}

/// <summary>A pcsc-lite failure, thrown only by the convenience layer (<see cref="PcscErrorExtensions.ThrowIfError"/>,
/// <see cref="PcscResult{T}.GetValueOrThrow"/>); everything else returns the code.</summary>
public sealed class PcscException(PcscError error)
    : Exception($"PC/SC call failed: {error.ToNativeName()} (0x{(uint)error:X8}).")
{
    /// <summary>The pcsc-lite return code.</summary>
    public PcscError Error { get; } = error;
}
