using MynaTerminal.Card.Transport;
using MynaTerminal.Core.Cards;
using MynaTerminal.Pcsc.Tests.Fakes;

namespace MynaTerminal.Pcsc.Tests;

/// <summary>The reader monitor and connect logic against a scripted pcscd (no native code).</summary>
public sealed class PcscCardTerminalTests
{
    private const string Tray = "Tray reader 00 00";
    private const string Phone = "Phone reader 00 00";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static PcscCardTerminal Create(FakePcscService service, PcscOptions? options = null, TimeProvider? time = null) =>
        new(options ?? new PcscOptions(), service, logger: null, time);

    [Fact]
    public async Task A_card_already_in_the_reader_is_reported_present_first()
    {
        var service = new FakePcscService();
        service.AddReader(Tray, cardPresent: true);
        service.AddReader(Phone);
        await using var terminal = Create(service);
        await using var events = new EventRecorder(terminal, Token);

        Assert.Equal(new CardSlotEvent(Tray, ReaderRole.CardTray, true), await events.NextAsync());
    }

    [Fact]
    public async Task Insertions_and_removals_become_events_with_the_reader_role()
    {
        var service = new FakePcscService();
        service.AddReader(Tray);
        service.AddReader(Phone);
        await using var terminal = Create(service);
        await using var events = new EventRecorder(terminal, Token);
        await service.WaitingAsync();

        service.Insert(Phone);
        Assert.Equal(new CardSlotEvent(Phone, ReaderRole.Phone, true), await events.NextAsync());
        service.Insert(Tray);
        Assert.Equal(new CardSlotEvent(Tray, ReaderRole.CardTray, true), await events.NextAsync());
        service.Remove(Tray);
        Assert.Equal(new CardSlotEvent(Tray, ReaderRole.CardTray, false), await events.NextAsync());

        Assert.Contains(new PcscReaderInfo(Phone, ReaderRole.Phone, true), terminal.Readers);
        Assert.True(terminal.IsServiceAvailable);
    }

    [Fact]
    public async Task A_late_watcher_gets_the_cards_already_present()
    {
        var service = new FakePcscService();
        service.AddReader(Tray);
        await using var terminal = Create(service);
        await using var first = new EventRecorder(terminal, Token);
        await service.WaitingAsync();
        service.Insert(Tray);
        await first.WaitForAsync(e => e.CardPresent);

        await using var second = new EventRecorder(terminal, Token);
        Assert.Equal(new CardSlotEvent(Tray, ReaderRole.CardTray, true), await second.NextAsync());
    }

    [Fact]
    public async Task A_card_swapped_between_two_looks_is_reported_out_and_in()
    {
        var service = new FakePcscService();
        service.AddReader(Tray, cardPresent: true);
        await using var terminal = Create(service);
        await using var events = new EventRecorder(terminal, Token);
        await events.WaitForAsync(e => e.CardPresent);
        await service.WaitingAsync();

        var waiting = service.WaitingAsync();
        // Both changes land before the monitor looks again: the event counter moves by two.
        service.Remove(Tray);
        service.Insert(Tray);
        Assert.False((await events.NextAsync()).CardPresent);
        Assert.True((await events.NextAsync()).CardPresent);
        await waiting;
    }

    [Fact]
    public async Task Readers_plugged_in_and_out_are_followed_and_roles_come_from_patterns()
    {
        var service = new FakePcscService();
        var options = new PcscOptions
        {
            Readers =
            [
                new ReaderRoleRule { Role = ReaderRole.Phone, ReaderNamePattern = "^Phone" },
                new ReaderRoleRule { Role = ReaderRole.CardTray, ReaderNamePattern = "^Tray" },
            ],
        };
        await using var terminal = Create(service, options);
        await using var events = new EventRecorder(terminal, Token);
        await service.WaitingAsync();
        Assert.Empty(terminal.Readers);

        service.AddReader("Unrelated reader 00 00", cardPresent: true);   // no role: no event
        service.AddReader(Phone, cardPresent: true);
        Assert.Equal(new CardSlotEvent(Phone, ReaderRole.Phone, true), await events.NextAsync());

        service.RemoveReader(Phone);                                       // unplugged with the phone on it
        Assert.Equal(new CardSlotEvent(Phone, ReaderRole.Phone, false), await events.NextAsync());

        service.AddReader(Tray);
        service.Insert(Tray);
        Assert.Equal(new CardSlotEvent(Tray, ReaderRole.CardTray, true), await events.NextAsync());
        Assert.DoesNotContain(events.Seen, e => e.ReaderName.StartsWith("Unrelated", StringComparison.Ordinal));
        Assert.Contains(new PcscReaderInfo("Unrelated reader 00 00", null, false), terminal.Readers);
    }

    [Fact]
    public async Task Pcscd_missing_at_boot_is_retried_with_capped_exponential_back_off()
    {
        var service = new FakePcscService();
        service.AddReader(Tray, cardPresent: true);
        service.Stop();
        var time = new TimerRecordingTimeProvider();
        var options = new PcscOptions { ReconnectDelay = TimeSpan.FromMilliseconds(100), MaxReconnectDelay = TimeSpan.FromMilliseconds(500) };
        await using var terminal = Create(service, options, time);
        await using var events = new EventRecorder(terminal, Token);

        TimeSpan[] expected = [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400), TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(500)];
        foreach (var delay in expected)
        {
            Assert.Equal(delay, await time.NextTimerAsync(Token));
            Assert.False(terminal.IsServiceAvailable);
            time.Advance(delay);
        }

        Assert.Equal(TimeSpan.FromMilliseconds(500), await time.NextTimerAsync(Token));
        Assert.Equal(6, service.EstablishCalls);
        service.Start();
        time.Advance(TimeSpan.FromMilliseconds(500));

        Assert.Equal(new CardSlotEvent(Tray, ReaderRole.CardTray, true), await events.NextAsync());
        Assert.True(terminal.IsServiceAvailable);
    }

    [Fact]
    public async Task A_pcscd_restart_reports_the_card_removed_then_resumes_with_a_new_context()
    {
        var service = new FakePcscService();
        service.AddReader(Tray, cardPresent: true);
        var time = new TimerRecordingTimeProvider();
        var options = new PcscOptions { ReconnectDelay = TimeSpan.FromMilliseconds(100), MaxReconnectDelay = TimeSpan.FromSeconds(1) };
        await using var terminal = Create(service, options, time);
        await using var events = new EventRecorder(terminal, Token);
        Assert.True((await events.NextAsync()).CardPresent);
        await service.WaitingAsync();

        service.Stop();
        Assert.Equal(new CardSlotEvent(Tray, ReaderRole.CardTray, false), await events.NextAsync());
        Assert.Equal(TimeSpan.FromMilliseconds(100), await time.NextTimerAsync(Token));
        time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(TimeSpan.FromMilliseconds(200), await time.NextTimerAsync(Token));

        service.Start();
        time.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Equal(new CardSlotEvent(Tray, ReaderRole.CardTray, true), await events.NextAsync());

        // A working context resets the back-off.
        await service.WaitingAsync();
        service.Stop();
        Assert.False((await events.NextAsync()).CardPresent);
        Assert.Equal(TimeSpan.FromMilliseconds(100), await time.NextTimerAsync(Token));
    }

    [Fact]
    public async Task Dispose_cancels_the_pending_wait_and_ends_every_watcher()
    {
        var service = new FakePcscService();
        service.AddReader(Tray);
        var terminal = Create(service);
        await using var events = new EventRecorder(terminal, Token);
        await service.WaitingAsync();

        await terminal.DisposeAsync();

        Assert.True(await events.CompletedAsync(TimeSpan.FromSeconds(5)));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => terminal.ConnectAsync(Tray, exclusive: false, Token));
        await terminal.DisposeAsync(); // twice is fine
    }

    [Fact]
    public async Task Connect_maps_no_card_busy_unknown_reader_and_no_service()
    {
        var service = new FakePcscService();
        service.AddReader(Tray);
        await using var terminal = Create(service);

        Assert.IsType<ConnectResult.NoCard>(await terminal.ConnectAsync(Tray, exclusive: true, Token));
        Assert.Equal("SCARD_E_UNKNOWN_READER", Assert.IsType<ConnectResult.Failed>(await terminal.ConnectAsync("Nope 00 00", exclusive: false, Token)).Detail);

        service.Insert(Tray);
        var first = Assert.IsType<ConnectResult.Connected>(await terminal.ConnectAsync(Tray, exclusive: true, Token));
        Assert.Equal(Tray, first.Connection.ReaderName);
        Assert.Equal(new byte[] { 0x3B, 0x80, 0x80, 0x01, 0x01 }, first.Connection.Atr.ToArray());
        Assert.IsType<ConnectResult.Busy>(await terminal.ConnectAsync(Tray, exclusive: true, Token));
        Assert.IsType<ConnectResult.Busy>(await terminal.ConnectAsync(Tray, exclusive: false, Token));
        await first.Connection.DisposeAsync();
        await using var again = Assert.IsType<ConnectResult.Connected>(await terminal.ConnectAsync(Tray, exclusive: false, Token)).Connection;

        service.Stop();
        Assert.Equal("SCARD_E_NO_SERVICE", Assert.IsType<ConnectResult.Failed>(await terminal.ConnectAsync(Tray, exclusive: false, Token)).Detail);
    }

    [Fact]
    public async Task Shared_connections_coexist_and_each_ends_with_its_own_disposition()
    {
        var service = new FakePcscService();
        service.AddReader(Tray, cardPresent: true);
        var cards = new List<FakeCard>();
        service.CardFactory = _ =>
        {
            var card = new FakeCard();
            cards.Add(card);
            return card;
        };
        await using var terminal = Create(service);

        var first = Assert.IsType<ConnectResult.Connected>(await terminal.ConnectAsync(Tray, exclusive: false, Token)).Connection;
        var second = Assert.IsType<ConnectResult.Connected>(await terminal.ConnectAsync(Tray, exclusive: false, Token)).Connection;
        Assert.IsType<ConnectResult.Busy>(await terminal.ConnectAsync(Tray, exclusive: true, Token));

        await first.DisconnectAsync(CardDisposition.Leave, Token);
        await second.DisposeAsync();
        Assert.Equal([PcscDisposition.Leave, PcscDisposition.Unpower], cards.Select(card => card.Disposition!.Value));
        await using var exclusive = Assert.IsType<ConnectResult.Connected>(await terminal.ConnectAsync(Tray, exclusive: true, Token)).Connection;
    }

    [Fact]
    public async Task List_readers_gives_names_and_the_roles_they_would_get()
    {
        var service = new FakePcscService();
        service.AddReader(Tray);
        service.AddReader(Phone);
        service.AddReader("Third 00 00");
        await using var terminal = Create(service);

        var readers = (await terminal.ListReadersAsync(Token)).GetValueOrThrow();
        Assert.Equal(
            [new PcscReaderInfo(Tray, ReaderRole.CardTray, false), new PcscReaderInfo(Phone, ReaderRole.Phone, false), new PcscReaderInfo("Third 00 00", null, false)],
            readers);

        service.Stop();
        Assert.Equal(PcscError.NoService, (await terminal.ListReadersAsync(Token)).ErrorCode);
    }
}
