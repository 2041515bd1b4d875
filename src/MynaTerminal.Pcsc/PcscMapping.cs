using MynaTerminal.Card.Transport;

namespace MynaTerminal.Pcsc;

/// <summary>pcsc-lite codes to the card seam's closed results (the one place this mapping lives).</summary>
internal static class PcscMapping
{
    /// <summary>
    /// A failed <c>SCardTransmit</c>: the card gone or reset by someone else is <see cref="TransportResult.CardRemoved"/>,
    /// anything else <see cref="TransportResult.Failed"/> with the C name (e.g. <c>SCARD_E_NOT_TRANSACTED</c>).
    /// </summary>
    public static TransportResult ToTransportResult(PcscError error) => error switch
    {
        PcscError.Success => throw new ArgumentException("Success is not a failure.", nameof(error)),
        _ when error.IsCardGone() => new TransportResult.CardRemoved(),
        _ => new TransportResult.Failed(error.ToNativeName()),
    };

    /// <summary>
    /// A failed <c>SCardConnect</c>: no card is <see cref="ConnectResult.NoCard"/>, a sharing violation
    /// <see cref="ConnectResult.Busy"/>, anything else <see cref="ConnectResult.Failed"/> with the C name.
    /// </summary>
    public static ConnectResult ToConnectResult(PcscError error) => error switch
    {
        PcscError.Success => throw new ArgumentException("Success is not a failure.", nameof(error)),
        PcscError.NoSmartcard or PcscError.RemovedCard => new ConnectResult.NoCard(),
        PcscError.SharingViolation => new ConnectResult.Busy(),
        _ => new ConnectResult.Failed(error.ToNativeName()),
    };

    /// <summary>The seam's disposition as SCARD_LEAVE_CARD / SCARD_RESET_CARD / SCARD_UNPOWER_CARD.</summary>
    public static PcscDisposition ToPcsc(CardDisposition disposition) => disposition switch
    {
        CardDisposition.Leave => PcscDisposition.Leave,
        CardDisposition.Reset => PcscDisposition.Reset,
        CardDisposition.Unpower => PcscDisposition.Unpower,
        _ => throw new ArgumentOutOfRangeException(nameof(disposition), disposition, "Unknown card disposition."),
    };
}
