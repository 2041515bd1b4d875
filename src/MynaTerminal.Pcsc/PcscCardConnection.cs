using Microsoft.Extensions.Logging;
using MynaTerminal.Card.Transport;

namespace MynaTerminal.Pcsc;

/// <summary>
/// One card connected through pcscd, with its own context (one context per connection, so a busy reader
/// monitor never blocks an APDU). It is its own <see cref="Transport"/>. APDUs run one at a time on a pool
/// thread; a started exchange is never abandoned half-way (cancellation is honoured before it starts).
/// Disposing without <see cref="DisconnectAsync"/> unpowers the card (SCARD_UNPOWER_CARD).
/// </summary>
internal sealed partial class PcscCardConnection : ICardConnection, IApduTransport
{
    /// <summary>Most GET RESPONSE rounds for one T=0 command (65536 bytes in 256-byte pieces).</summary>
    private const int MaxGetResponseRounds = 256;

    private readonly IPcscContext _context;
    private readonly IPcscCard _card;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _closed;

    public PcscCardConnection(string readerName, ReadOnlyMemory<byte> atr, IPcscContext context, IPcscCard card, ILogger logger)
    {
        ReaderName = readerName;
        Atr = atr;
        _context = context;
        _card = card;
        _logger = logger;
    }

    public string ReaderName { get; }

    public ReadOnlyMemory<byte> Atr { get; }

    public IApduTransport Transport => this;

    /// <summary>The protocol pcscd negotiated (T=1 for contactless readers and vpcd).</summary>
    public PcscProtocols ActiveProtocol => _card.ActiveProtocol;

    public async ValueTask<TransportResult> TransmitAsync(ReadOnlyMemory<byte> command, CancellationToken cancellationToken)
    {
        if (command.Length < 4)
        {
            return new TransportResult.Failed($"A C-APDU has at least 4 bytes (got {command.Length}).");
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_closed)
            {
                return new TransportResult.Failed("The card connection is closed.");
            }

            cancellationToken.ThrowIfCancellationRequested();
            return await Task.Run(() => Exchange(command), CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisconnectAsync(CardDisposition disposition, CancellationToken cancellationToken)
    {
        var pcscDisposition = PcscMapping.ToPcsc(disposition);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            await Task.Run(() => Close(pcscDisposition), CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public ValueTask DisposeAsync() => DisconnectAsync(CardDisposition.Unpower, CancellationToken.None);

    /// <summary>One command, with the T=0 transport rules (61xx → GET RESPONSE, 6Cxx → resend with Le = xx).</summary>
    internal TransportResult Exchange(ReadOnlyMemory<byte> command)
    {
        var first = TransmitOnce(command.Span);
        if (first is not TransportResult.Response response || _card.ActiveProtocol != PcscProtocols.T0)
        {
            return first;
        }

        var bytes = response.Bytes;
        if (bytes is [0x6C, var exactLength] && WithLe(command.Span, exactLength) is { } resend)
        {
            var second = TransmitOnce(resend);
            if (second is not TransportResult.Response resent)
            {
                return second;
            }

            bytes = resent.Bytes;
        }

        if (bytes.Length < 2 || bytes[^2] != 0x61)
        {
            return new TransportResult.Response(bytes);
        }

        // T=0 case 2/4: the card has more data waiting; collect it with GET RESPONSE (ISO/IEC 7816-4 §5.3).
        var data = new List<byte>(bytes.AsSpan(0, bytes.Length - 2).ToArray());
        for (var round = 0; round < MaxGetResponseRounds && bytes.Length >= 2 && bytes[^2] == 0x61; round++)
        {
            byte[] getResponse = [(byte)(command.Span[0] & 0x03), 0xC0, 0x00, 0x00, bytes[^1]];
            var next = TransmitOnce(getResponse);
            if (next is not TransportResult.Response more)
            {
                return next;
            }

            bytes = more.Bytes;
            data.AddRange(bytes.AsSpan(0, Math.Max(0, bytes.Length - 2)));
        }

        data.AddRange(bytes.AsSpan(Math.Max(0, bytes.Length - 2)));
        return new TransportResult.Response(data.ToArray());
    }

    private TransportResult TransmitOnce(ReadOnlySpan<byte> command)
    {
        var buffer = new byte[PcscCard.IsExtendedLength(command) ? PcscCard.ExtendedResponseCapacity : PcscCard.ShortResponseCapacity];
        var result = _card.Transmit(command, buffer);
        if (result.TryGetValue(out var length))
        {
            return length >= 2
                ? new TransportResult.Response(buffer.AsSpan(0, length).ToArray())
                : new TransportResult.Failed($"The card answered {length} byte(s); an R-APDU has at least SW1 SW2.");
        }

        var error = result.ErrorCode;
        LogTransmitFailed(ReaderName, error.ToNativeName());
        if ((error is PcscError.NotTransacted or PcscError.CommunicationError or PcscError.UnresponsiveCard) && IsCardGone())
        {
            // Pulled out during the exchange: pcsc-lite says NOT_TRANSACTED, the card state says why.
            return new TransportResult.CardRemoved();
        }

        return PcscMapping.ToTransportResult(error);
    }

    private bool IsCardGone() => _card.Status() switch
    {
        PcscResult<PcscCardStatus>.Error error => error.Code.IsCardGone(),
        PcscResult<PcscCardStatus>.Ok ok => (ok.Value.State & PcscCardStates.Absent) != 0,
        _ => false,
    };

    private void Close(PcscDisposition disposition)
    {
        var error = _card.Disconnect(disposition);
        if (error != PcscError.Success && !error.IsCardGone())
        {
            LogDisconnectFailed(ReaderName, disposition, error.ToNativeName());
        }

        _card.Dispose();
        _context.Dispose();
    }

    /// <summary>The command with its short Le set to <paramref name="le"/>; null when it has no Le to change.</summary>
    private static byte[]? WithLe(ReadOnlySpan<byte> command, byte le)
    {
        var caseTwo = command.Length == 5;
        var caseFour = command.Length > 5 && command[4] != 0 && command.Length == 5 + command[4] + 1;
        if (!caseTwo && !caseFour)
        {
            return null;
        }

        var copy = command.ToArray();
        copy[^1] = le;
        return copy;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "SCardTransmit on {Reader} failed: {Error}")]
    private partial void LogTransmitFailed(string reader, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SCardDisconnect({Disposition}) on {Reader} failed: {Error}")]
    private partial void LogDisconnectFailed(string reader, PcscDisposition disposition, string error);
}
