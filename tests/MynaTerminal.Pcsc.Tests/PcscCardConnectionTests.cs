using Microsoft.Extensions.Logging.Abstractions;
using MynaTerminal.Card.Transport;
using MynaTerminal.Pcsc.Tests.Fakes;

namespace MynaTerminal.Pcsc.Tests;

/// <summary>The connection's transport and disconnect rules, with a scripted card.</summary>
public sealed class PcscCardConnectionTests
{
    private static readonly byte[] Select = [0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01];
    private static readonly byte[] ReadBinary = [0x00, 0xB0, 0x00, 0x00, 0x00];

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static (PcscCardConnection Connection, FakeCard Card, FakeContext Context) Create(FakeCard? card = null)
    {
        card ??= new FakeCard();
        var context = new FakeContext();
        return (new PcscCardConnection("Fake reader 00 00", card.Atr, context, card, NullLogger.Instance), card, context);
    }

    [Fact]
    public async Task A_response_comes_back_as_Response()
    {
        var (connection, card, _) = Create(new FakeCard { Responder = command => PcscResult<byte[]>.Success([0x01, 0x02, 0x90, 0x00]) });
        var response = Assert.IsType<TransportResult.Response>(await connection.Transport.TransmitAsync(Select, Token));
        Assert.Equal(new byte[] { 0x01, 0x02, 0x90, 0x00 }, response.Bytes);
        Assert.Equal(Select, Assert.Single(card.Commands));
    }

    [Fact]
    public async Task A_full_256_byte_short_response_fits()
    {
        var data = Enumerable.Range(0, 256).Select(i => (byte)i).Append((byte)0x90).Append((byte)0x00).ToArray();
        var (connection, _, _) = Create(new FakeCard { Responder = _ => PcscResult<byte[]>.Success(data) });
        Assert.Equal(258, Assert.IsType<TransportResult.Response>(await connection.Transport.TransmitAsync(ReadBinary, Token)).Bytes.Length);
    }

    [Theory]
    [InlineData(PcscError.RemovedCard)]
    [InlineData(PcscError.NoSmartcard)]
    [InlineData(PcscError.ResetCard)]
    public async Task A_card_gone_is_CardRemoved(PcscError error)
    {
        var (connection, _, _) = Create(new FakeCard { Responder = _ => PcscResult<byte[]>.Fail(error) });
        Assert.IsType<TransportResult.CardRemoved>(await connection.Transport.TransmitAsync(Select, Token));
    }

    [Fact]
    public async Task Not_transacted_because_the_card_was_pulled_out_mid_exchange_is_CardRemoved()
    {
        var (connection, _, _) = Create(new FakeCard { Responder = _ => PcscResult<byte[]>.Fail(PcscError.NotTransacted), StatusError = PcscError.RemovedCard });
        Assert.IsType<TransportResult.CardRemoved>(await connection.Transport.TransmitAsync(Select, Token));
    }

    [Fact]
    public async Task Not_transacted_with_the_card_still_there_is_Failed()
    {
        var (connection, _, _) = Create(new FakeCard { Responder = _ => PcscResult<byte[]>.Fail(PcscError.NotTransacted) });
        Assert.Equal("SCARD_E_NOT_TRANSACTED", Assert.IsType<TransportResult.Failed>(await connection.Transport.TransmitAsync(Select, Token)).Detail);
    }

    [Fact]
    public async Task Service_loss_is_Failed_with_the_C_name()
    {
        var (connection, _, _) = Create(new FakeCard { Responder = _ => PcscResult<byte[]>.Fail(PcscError.NoService) });
        Assert.Equal("SCARD_E_NO_SERVICE", Assert.IsType<TransportResult.Failed>(await connection.Transport.TransmitAsync(Select, Token)).Detail);
    }

    [Fact]
    public async Task T1_leaves_61xx_to_the_caller()
    {
        var (connection, card, _) = Create(new FakeCard { ActiveProtocol = PcscProtocols.T1, Responder = _ => PcscResult<byte[]>.Success([0x61, 0x10]) });
        Assert.Equal(new byte[] { 0x61, 0x10 }, Assert.IsType<TransportResult.Response>(await connection.Transport.TransmitAsync(ReadBinary, Token)).Bytes);
        Assert.Single(card.Commands);
    }

    [Fact]
    public async Task T0_collects_61xx_with_GET_RESPONSE()
    {
        var card = new FakeCard
        {
            ActiveProtocol = PcscProtocols.T0,
            Responder = command => command[1] switch
            {
                0xA4 => PcscResult<byte[]>.Success([0x61, 0x03]),
                0xC0 when command[4] == 0x03 => PcscResult<byte[]>.Success([0x0A, 0x0B, 0x61, 0x02]),
                0xC0 when command[4] == 0x02 => PcscResult<byte[]>.Success([0x0C, 0x0D, 0x90, 0x00]),
                _ => PcscResult<byte[]>.Success([0x6D, 0x00]),
            },
        };
        var (connection, _, _) = Create(card);
        var response = Assert.IsType<TransportResult.Response>(await connection.Transport.TransmitAsync(Select, Token));
        Assert.Equal(new byte[] { 0x0A, 0x0B, 0x0C, 0x0D, 0x90, 0x00 }, response.Bytes);
        Assert.Equal(new byte[] { 0x00, 0xC0, 0x00, 0x00, 0x03 }, card.Commands[1]);
    }

    [Fact]
    public async Task T0_resends_with_the_exact_Le_on_6Cxx()
    {
        var card = new FakeCard
        {
            ActiveProtocol = PcscProtocols.T0,
            Responder = command => command[4] == 0x04
                ? PcscResult<byte[]>.Success([0x01, 0x02, 0x03, 0x04, 0x90, 0x00])
                : PcscResult<byte[]>.Success([0x6C, 0x04]),
        };
        var (connection, _, _) = Create(card);
        var response = Assert.IsType<TransportResult.Response>(await connection.Transport.TransmitAsync(ReadBinary, Token));
        Assert.Equal(new byte[] { 0x01, 0x02, 0x03, 0x04, 0x90, 0x00 }, response.Bytes);
        Assert.Equal(new byte[] { 0x00, 0xB0, 0x00, 0x00, 0x04 }, card.Commands[1]);
    }

    [Theory]
    [InlineData(CardDisposition.Leave, PcscDisposition.Leave)]
    [InlineData(CardDisposition.Reset, PcscDisposition.Reset)]
    [InlineData(CardDisposition.Unpower, PcscDisposition.Unpower)]
    public async Task Disconnect_passes_the_disposition_and_releases_the_context(CardDisposition disposition, PcscDisposition expected)
    {
        var (connection, card, context) = Create();
        await connection.DisconnectAsync(disposition, Token);
        await connection.DisconnectAsync(CardDisposition.Leave, Token); // once only
        await connection.DisposeAsync();

        Assert.Equal(expected, card.Disposition);
        Assert.Equal(1, card.DisconnectCalls);
        Assert.True(context.Disposed);
        Assert.IsType<TransportResult.Failed>(await connection.Transport.TransmitAsync(Select, Token));
    }

    [Fact]
    public async Task Dispose_without_disconnect_unpowers()
    {
        var (connection, card, context) = Create();
        await connection.DisposeAsync();
        Assert.Equal(PcscDisposition.Unpower, card.Disposition);
        Assert.True(context.Disposed);
    }

    [Fact]
    public async Task A_command_shorter_than_a_header_is_refused_without_reaching_the_card()
    {
        var (connection, card, _) = Create();
        Assert.IsType<TransportResult.Failed>(await connection.Transport.TransmitAsync(new byte[] { 0x00, 0xA4 }, Token));
        Assert.Empty(card.Commands);
    }

    /// <summary>A context that only records being released.</summary>
    private sealed class FakeContext : IPcscContext
    {
        public bool Disposed { get; private set; }

        public PcscResult<IReadOnlyList<string>> ListReaders() => throw new NotSupportedException();

        public PcscError GetStatusChange(TimeSpan? timeout, IReadOnlyList<PcscReaderState> readers) => throw new NotSupportedException();

        public PcscError Cancel() => PcscError.Success;

        public PcscResult<IPcscCard> Connect(string readerName, PcscShareMode shareMode, PcscProtocols preferredProtocols) => throw new NotSupportedException();

        public void Dispose() => Disposed = true;
    }
}
