using MynaTerminal.Core.Cards;

namespace MynaTerminal.Card.Transport;

/// <summary>The closed set of results of one APDU exchange. Transports never throw for card or reader faults.</summary>
public abstract record TransportResult
{
    private TransportResult() { }

    /// <summary>The card answered: response data followed by SW1 SW2.</summary>
    public sealed record Response(byte[] Bytes) : TransportResult;

    /// <summary>The card left the reader (or was reset by someone else) before it answered.</summary>
    public sealed record CardRemoved : TransportResult;

    /// <summary>The reader or the service failed (pcscd gone, reader unplugged, timeout).</summary>
    public sealed record Failed(string Detail) : TransportResult;
}

/// <summary>Raw APDU exchange with one connected card. Only <c>ApduGuard</c> talks to it.</summary>
public interface IApduTransport
{
    ValueTask<TransportResult> TransmitAsync(ReadOnlyMemory<byte> command, CancellationToken cancellationToken);
}

/// <summary>What happens to the card when a connection ends (PC/SC dispositions).</summary>
public enum CardDisposition
{
    /// <summary>SCARD_LEAVE_CARD.</summary>
    Leave,
    /// <summary>SCARD_RESET_CARD (warm reset: does NOT clear verified keys on this card).</summary>
    Reset,
    /// <summary>SCARD_UNPOWER_CARD: power off, so every verified key is cleared.</summary>
    Unpower,
}

/// <summary>A connected card. Disposing it without <see cref="DisconnectAsync"/> unpowers the card.</summary>
public interface ICardConnection : IAsyncDisposable
{
    string ReaderName { get; }

    /// <summary>The ATR as the reader reports it (made up by contactless readers: never used to identify the card).</summary>
    ReadOnlyMemory<byte> Atr { get; }

    IApduTransport Transport { get; }

    ValueTask DisconnectAsync(CardDisposition disposition, CancellationToken cancellationToken);
}

/// <summary>A card arriving in or leaving a named reader.</summary>
public sealed record CardSlotEvent(string ReaderName, ReaderRole Role, bool CardPresent);

/// <summary>The result of connecting to a card.</summary>
public abstract record ConnectResult
{
    private ConnectResult() { }

    public sealed record Connected(ICardConnection Connection) : ConnectResult;

    public sealed record NoCard : ConnectResult;

    /// <summary>Another process holds the card exclusively.</summary>
    public sealed record Busy : ConnectResult;

    public sealed record Failed(string Detail) : ConnectResult;
}

/// <summary>
/// All readers of the terminal (PC/SC via pcsc-lite, or the in-process virtual card): presence events with
/// reader roles, and connections. Implementations survive readers and the service coming and going.
/// </summary>
public interface ICardTerminal
{
    IAsyncEnumerable<CardSlotEvent> WatchAsync(CancellationToken cancellationToken);

    /// <summary>Connects to the card in <paramref name="readerName"/>; exclusive while keys may be verified.</summary>
    Task<ConnectResult> ConnectAsync(string readerName, bool exclusive, CancellationToken cancellationToken);
}
