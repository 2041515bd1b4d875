namespace MynaTerminal.Pcsc;

/// <summary>
/// One entry of <see cref="PcscContext.GetStatusChange"/>: the state the caller believes a reader is in
/// (<see cref="CurrentState"/>) and, after the call, what pcscd reports (<see cref="EventState"/>, <see cref="Atr"/>).
/// </summary>
public sealed class PcscReaderState(string readerName)
{
    /// <summary>The reader, or <see cref="PcscContext.PnpNotificationReader"/> for hot-plug notifications.</summary>
    public string ReaderName { get; } = readerName ?? throw new ArgumentNullException(nameof(readerName));

    /// <summary>What the caller last saw (start with <see cref="PcscReaderStates.Unaware"/>).</summary>
    public PcscReaderStates CurrentState { get; set; } = PcscReaderStates.Unaware;

    /// <summary>What pcscd reported; includes <see cref="PcscReaderStates.Changed"/> and the event counter.</summary>
    public PcscReaderStates EventState { get; set; }

    /// <summary>The ATR pcscd holds for the card in the reader (empty without a card).</summary>
    public ReadOnlyMemory<byte> Atr { get; set; } = ReadOnlyMemory<byte>.Empty;

    /// <summary>True when <see cref="EventState"/> has <see cref="PcscReaderStates.Changed"/>.</summary>
    public bool HasChanged => (EventState & PcscReaderStates.Changed) != 0;

    /// <summary>True when <see cref="EventState"/> says a card is in the reader.</summary>
    public bool IsCardPresent => (EventState & PcscReaderStates.Present) != 0;

    /// <summary>pcsc-lite's per-reader event counter (upper 16 bits of the event state).</summary>
    public int EventCount => (int)((uint)(EventState & PcscReaderStates.EventCounterMask) >> 16);

    /// <summary>Accepts the reported state as the new current state (without <see cref="PcscReaderStates.Changed"/>).</summary>
    public void Acknowledge() => CurrentState = EventState & ~PcscReaderStates.Changed;

    public override string ToString() => $"{ReaderName}: {EventState & ~PcscReaderStates.EventCounterMask} (#{EventCount})";
}

/// <summary>What <c>SCardStatus</c> says about a connected card.</summary>
/// <param name="ReaderName">The reader the card is in.</param>
/// <param name="State">SCARD_ABSENT … SCARD_SPECIFIC bits.</param>
/// <param name="Protocol">The active protocol.</param>
/// <param name="Atr">The ATR (contactless readers make one up: never identify a card by it).</param>
public sealed record PcscCardStatus(string ReaderName, PcscCardStates State, PcscProtocols Protocol, ReadOnlyMemory<byte> Atr);
