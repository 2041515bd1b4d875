using System.Diagnostics;
using Microsoft.Extensions.Options;
using MynaTerminal.Card.Transport;
using MynaTerminal.Core.Cards;
using MynaTerminal.Pcsc.Tests.Fakes;

namespace MynaTerminal.Pcsc.Tests.Integration;

/// <summary>
/// <see cref="PcscCardTerminal"/> against the real pcscd and vsmartcard's vpcd, with <see cref="VirtualCardClient"/>
/// as the card. Events are awaited (pcscd notices a vicc within its ~400 ms presence poll), never slept for.
/// </summary>
[Collection(PcscdCollection.Name)]
public sealed class PcscdIntegrationTests(PcscdFixture pcscd, ITestOutputHelper output)
{
    private const string Tray = PcscdFixture.TrayReader;

    private static readonly byte[] Select = [0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01];

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static PcscCardTerminal CreateTerminal(PcscOptions? options = null) =>
        new(Options.Create(options ?? new PcscOptions { ReconnectDelay = TimeSpan.FromMilliseconds(100), MaxReconnectDelay = TimeSpan.FromSeconds(1) }));

    /// <summary>Skips without pcscd and waits until the tray reader is empty (the previous test's card gone).</summary>
    private async Task StartEmptyAsync()
    {
        pcscd.SkipIfUnavailable();
        await pcscd.WaitForCardAsync(Tray, present: false, Token);
    }

    [Fact]
    public async Task The_terminal_lists_the_vpcd_readers_with_positional_roles()
    {
        pcscd.SkipIfUnavailable();
        await using var terminal = CreateTerminal();

        var readers = (await terminal.ListReadersAsync(Token)).GetValueOrThrow();

        Assert.Contains(readers, reader => reader is { Name: Tray, Role: ReaderRole.CardTray });
        Assert.Contains(readers, reader => reader is { Name: PcscdFixture.PhoneReader, Role: ReaderRole.Phone });
    }

    [Fact]
    public async Task Inserting_transmitting_and_removing_a_virtual_card()
    {
        await StartEmptyAsync();
        await using var terminal = CreateTerminal();
        await using var events = new EventRecorder(terminal, Token);

        await using var card = await VirtualCardClient.InsertAsync(PcscdFixture.TrayPort, Token);
        Assert.Equal(new CardSlotEvent(Tray, ReaderRole.CardTray, true), await events.WaitForAsync(e => e.ReaderName == Tray));

        await using var connection = Assert.IsType<ConnectResult.Connected>(await terminal.ConnectAsync(Tray, exclusive: true, Token)).Connection;
        Assert.Equal(VirtualCardClient.DefaultAtr, connection.Atr.ToArray());
        Assert.Equal(PcscProtocols.T1, ((PcscCardConnection)connection).ActiveProtocol);
        var response = Assert.IsType<TransportResult.Response>(await connection.Transport.TransmitAsync(Select, Token));
        Assert.Equal(new byte[] { 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01, 0x90, 0x00 }, response.Bytes);
        Assert.Equal(1, card.ApduCount);

        await card.RemoveAsync();
        Assert.Equal(new CardSlotEvent(Tray, ReaderRole.CardTray, false), await events.WaitForAsync(e => e.ReaderName == Tray));
        Assert.IsType<TransportResult.CardRemoved>(await connection.Transport.TransmitAsync(Select, Token));

        // The stale exclusive handle still holds the reader (pcscd answers SHARING_VIOLATION) until it is closed.
        Assert.IsType<ConnectResult.Busy>(await terminal.ConnectAsync(Tray, exclusive: false, Token));
        await connection.DisconnectAsync(CardDisposition.Unpower, Token);
        Assert.IsType<ConnectResult.NoCard>(await terminal.ConnectAsync(Tray, exclusive: false, Token));
    }

    [Fact]
    public async Task An_exclusive_connection_makes_other_connections_busy()
    {
        await StartEmptyAsync();
        await using var terminal = CreateTerminal();
        await using var card = await VirtualCardClient.InsertAsync(PcscdFixture.TrayPort, Token);
        await pcscd.WaitForCardAsync(Tray, present: true, Token);

        var first = Assert.IsType<ConnectResult.Connected>(await terminal.ConnectAsync(Tray, exclusive: true, Token)).Connection;
        Assert.IsType<ConnectResult.Busy>(await terminal.ConnectAsync(Tray, exclusive: true, Token));
        Assert.IsType<ConnectResult.Busy>(await terminal.ConnectAsync(Tray, exclusive: false, Token));

        await first.DisconnectAsync(CardDisposition.Leave, Token);
        await using var second = Assert.IsType<ConnectResult.Connected>(await terminal.ConnectAsync(Tray, exclusive: true, Token)).Connection;
        Assert.IsType<TransportResult.Response>(await second.Transport.TransmitAsync(Select, Token));
    }

    [Fact]
    public async Task Disconnect_with_unpower_powers_the_card_off_and_leave_does_not()
    {
        await StartEmptyAsync();
        await using var terminal = CreateTerminal();
        await using var events = new EventRecorder(terminal, Token);
        await using var card = await VirtualCardClient.InsertAsync(PcscdFixture.TrayPort, Token);
        Assert.True((await events.WaitForAsync(e => e.ReaderName == Tray)).CardPresent);

        // pcscd powers an idle card off by itself about 0.8 s after its last handle closes (measured), so each
        // step reconnects at once and judges by the ORDER of what vpcd sent, not by waiting.
        var connection = await ConnectExclusiveAndSelectAsync(terminal);
        var mark = card.TrafficCount;
        await connection.DisconnectAsync(CardDisposition.Leave, Token);
        connection = await ConnectExclusiveAndSelectAsync(terminal);
        Assert.Equal(["apdu"], WithoutPolls(card.TrafficSince(mark)));

        mark = card.TrafficCount;
        await connection.DisconnectAsync(CardDisposition.Unpower, Token);
        await card.WaitForControlAsync(VirtualCardClient.PowerOff, TimeSpan.FromSeconds(3), Token);
        connection = await ConnectExclusiveAndSelectAsync(terminal);
        Assert.Equal(["power-off", "power-on", "apdu"], WithoutPolls(card.TrafficSince(mark)));

        // Disposing without a disconnect unpowers too.
        mark = card.TrafficCount;
        await connection.DisposeAsync();
        connection = await ConnectExclusiveAndSelectAsync(terminal);
        Assert.Equal(["power-off", "power-on", "apdu"], WithoutPolls(card.TrafficSince(mark)));

        // A warm reset: vpcd's reset code, the card stays powered.
        mark = card.TrafficCount;
        await connection.DisconnectAsync(CardDisposition.Reset, Token);
        connection = await ConnectExclusiveAndSelectAsync(terminal);
        Assert.Equal(["reset", "apdu"], WithoutPolls(card.TrafficSince(mark)));
        await connection.DisconnectAsync(CardDisposition.Unpower, Token);

        // None of that is taking the card out: the only events are the insertion and this removal.
        await card.RemoveAsync();
        Assert.False((await events.WaitForAsync(e => e.ReaderName == Tray)).CardPresent);
        Assert.Equal([true, false], events.Seen.Where(e => e.ReaderName == Tray).Select(e => e.CardPresent));
    }

    private static async Task<ICardConnection> ConnectExclusiveAndSelectAsync(PcscCardTerminal terminal)
    {
        var connection = Assert.IsType<ConnectResult.Connected>(await terminal.ConnectAsync(Tray, exclusive: true, Token)).Connection;
        Assert.IsType<TransportResult.Response>(await connection.Transport.TransmitAsync(Select, Token));
        return connection;
    }

    /// <summary>pcscd's presence poll (get ATR every ~400 ms) can fall anywhere; it is not part of what is judged.</summary>
    private static string[] WithoutPolls(IReadOnlyList<string> traffic) => traffic.Where(message => message != "get-atr").ToArray();

    [Fact]
    public async Task Reader_roles_follow_the_configured_patterns()
    {
        await StartEmptyAsync();
        var options = new PcscOptions { Readers = [new ReaderRoleRule { Role = ReaderRole.Phone, ReaderNamePattern = "^Virtual PCD 00 00$" }] };
        await using var terminal = CreateTerminal(options);
        await using var events = new EventRecorder(terminal, Token);

        await using var card = await VirtualCardClient.InsertAsync(PcscdFixture.TrayPort, Token);

        Assert.Equal(new CardSlotEvent(Tray, ReaderRole.Phone, true), await events.WaitForAsync(e => e.CardPresent));
        Assert.Contains(new PcscReaderInfo(PcscdFixture.PhoneReader, null, false), terminal.Readers);
    }

    [Fact]
    public async Task Round_trip_time_of_200_apdus_through_pcscd_and_vpcd()
    {
        await StartEmptyAsync();
        await using var terminal = CreateTerminal();
        await using var card = await VirtualCardClient.InsertAsync(PcscdFixture.TrayPort, Token);
        await pcscd.WaitForCardAsync(Tray, present: true, Token);
        const int count = 200;

        // Through the seam: ICardConnection.Transport (a pool-thread hop per APDU).
        await using (var connection = Assert.IsType<ConnectResult.Connected>(await terminal.ConnectAsync(Tray, exclusive: true, Token)).Connection)
        {
            for (var i = 0; i < 20; i++)
            {
                await connection.Transport.TransmitAsync(Select, Token);
            }

            var timings = new double[count];
            for (var i = 0; i < count; i++)
            {
                var start = Stopwatch.GetTimestamp();
                Assert.IsType<TransportResult.Response>(await connection.Transport.TransmitAsync(Select, Token));
                timings[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }

            Report("ICardConnection.Transport.TransmitAsync", timings);
        }

        // The bare binding: PcscCard.Transmit on the calling thread.
        using var context = PcscContext.Establish().GetValueOrThrow();
        using var pcscCard = context.Connect(Tray, PcscShareMode.Exclusive, PcscProtocols.Any).GetValueOrThrow();
        var buffer = new byte[PcscCard.ShortResponseCapacity];
        var raw = new double[count];
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            Assert.Equal(12, pcscCard.Transmit(Select, buffer).GetValueOrThrow());
            raw[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Report("PcscCard.Transmit (synchronous)", raw);
        Assert.True(card.ApduCount >= 2 * count);
    }

    [Fact]
    public async Task Pcscd_missing_at_start_and_restarted_later_is_recovered()
    {
        await StartEmptyAsync();
        Assert.SkipUnless(pcscd.OwnsPcscd, "pcscd was already running when the tests began; it is not ours to stop.");

        await pcscd.StopPcscdAsync();
        await using var terminal = CreateTerminal();
        await using var events = new EventRecorder(terminal, Token);
        Assert.Equal("SCARD_E_NO_SERVICE", Assert.IsType<ConnectResult.Failed>(await terminal.ConnectAsync(Tray, exclusive: false, Token)).Detail);
        Assert.Equal(PcscError.NoService, (await terminal.ListReadersAsync(Token)).ErrorCode);
        Assert.False(terminal.IsServiceAvailable);

        // pcscd comes up after the terminal: the monitor's back-off finds it.
        await pcscd.RestartPcscdAsync();
        await using var card = await VirtualCardClient.InsertAsync(PcscdFixture.TrayPort, Token);
        Assert.Equal(new CardSlotEvent(Tray, ReaderRole.CardTray, true), await events.WaitForAsync(e => e.ReaderName == Tray));
        Assert.True(terminal.IsServiceAvailable);

        // pcscd restarts under a present card: the card is reported gone, then found again on a new context.
        await pcscd.StopPcscdAsync();
        Assert.Equal(new CardSlotEvent(Tray, ReaderRole.CardTray, false), await events.WaitForAsync(e => e.ReaderName == Tray));
        await card.RemoveAsync();
        await pcscd.RestartPcscdAsync();
        await using var second = await VirtualCardClient.InsertAsync(PcscdFixture.TrayPort, Token);
        Assert.Equal(new CardSlotEvent(Tray, ReaderRole.CardTray, true), await events.WaitForAsync(e => e.ReaderName == Tray));
        await using var connection = Assert.IsType<ConnectResult.Connected>(await terminal.ConnectAsync(Tray, exclusive: true, Token)).Connection;
        Assert.IsType<TransportResult.Response>(await connection.Transport.TransmitAsync(Select, Token));
    }

    private void Report(string path, double[] milliseconds)
    {
        var sorted = milliseconds.Order().ToArray();
        output.WriteLine(
            $"{path}: {milliseconds.Length} APDUs (SELECT, 15 bytes → 12 bytes) via pcscd + vpcd, vicc with TCP_QUICKACK: " +
            $"average {milliseconds.Average():F3} ms, median {sorted[sorted.Length / 2]:F3} ms, " +
            $"p99 {sorted[(int)(sorted.Length * 0.99) - 1]:F3} ms, min {sorted[0]:F3} ms, max {sorted[^1]:F3} ms, total {milliseconds.Sum():F1} ms");
    }
}
