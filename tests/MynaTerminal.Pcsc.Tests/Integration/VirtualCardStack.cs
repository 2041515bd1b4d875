using System.Threading.Channels;
using MynaTerminal.Card;
using MynaTerminal.Card.Emulator;
using MynaTerminal.Core.Cards;
using MynaTerminal.Core.Devices;

namespace MynaTerminal.Pcsc.Tests.Integration;

/// <summary>
/// A <see cref="VirtualCard"/> served to the real pcscd by <see cref="VpcdClient.RunAsync"/>: inserted while the client
/// runs, removed when it is cancelled (or when the card's <see cref="VirtualCardFaults.PullAfterCommands"/> pulls it).
/// </summary>
internal sealed class ServedCard : IAsyncDisposable
{
    private readonly CancellationTokenSource _remove;
    private readonly Task _client;
    private bool _disposed;

    private ServedCard(VirtualCard card, CancellationToken cancellationToken)
    {
        Card = card;
        Role = card.Persona.Role;
        ReaderName = Role == ReaderRole.Phone ? PcscdFixture.PhoneReader : PcscdFixture.TrayReader;
        Port = Role == ReaderRole.Phone ? PcscdFixture.PhonePort : PcscdFixture.TrayPort;
        _remove = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _client = RunAsync(card, Port, _remove.Token);
    }

    public VirtualCard Card { get; }

    public ReaderRole Role { get; }

    public string ReaderName { get; }

    public int Port { get; }

    /// <summary>The vpcd client's task: completes when the card leaves (removed, pulled, or vpcd closed).</summary>
    public Task Client => _client;

    /// <summary>
    /// <see cref="VpcdClient.RunAsync"/>, retrying the connect for up to 10 s: vpcd listens again only after pcscd's
    /// driver has noticed the previous card leave.
    /// </summary>
    private static async Task RunAsync(VirtualCard card, int port, CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await VpcdClient.RunAsync(card, "127.0.0.1", port, cancellationToken);
                return;
            }
            catch (System.Net.Sockets.SocketException) when (!cancellationToken.IsCancellationRequested && clock.Elapsed < TimeSpan.FromSeconds(10))
            {
                try
                {
                    await Task.Delay(50, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    public static ServedCard Serve(VirtualCard card, CancellationToken cancellationToken) => new(card, cancellationToken);

    /// <summary>Takes the card out (cancels the client) and waits for the client to end; client errors are thrown.</summary>
    public async Task RemoveAsync()
    {
        if (_disposed)
        {
            return;
        }

        await _remove.CancelAsync();
        await _client.WaitAsync(TimeSpan.FromSeconds(10));
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            await RemoveAsync();
        }
        finally
        {
            _disposed = true;
            _remove.Dispose();
        }
    }
}

/// <summary>
/// The terminal's real card stack: <see cref="PcscCardTerminal"/> on pcscd → <see cref="MyNumberCardReader"/> with the
/// emulator's 券面 trust anchor, and its presence watch running in the background (as the session runner has it).
/// </summary>
internal sealed class VirtualCardStack : IAsyncDisposable
{
    private readonly Channel<CardPresence> _presence = Channel.CreateUnbounded<CardPresence>();
    private readonly CancellationTokenSource _stop;
    private readonly Task _watch;

    public VirtualCardStack(CancellationToken cancellationToken)
    {
        Terminal = CreateTerminal();
        Reader = new MyNumberCardReader(
            Terminal,
            new CardOptions { ConnectAttempts = 3, ConnectRetryDelay = TimeSpan.FromMilliseconds(50) },
            TimeProvider.System,
            EmulatorPki.CardFaceTrustAnchors);
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _watch = Task.Run(async () =>
        {
            try
            {
                await foreach (var presence in Reader.WatchAsync(_stop.Token))
                {
                    _presence.Writer.TryWrite(presence);
                }

                _presence.Writer.TryComplete();
            }
            catch (Exception exception)
            {
                _presence.Writer.TryComplete(exception is OperationCanceledException ? null : exception);
            }
        });
    }

    public PcscCardTerminal Terminal { get; }

    public MyNumberCardReader Reader { get; }

    public static PcscCardTerminal CreateTerminal() => new(Microsoft.Extensions.Options.Options.Create(
        new PcscOptions { ReconnectDelay = TimeSpan.FromMilliseconds(100), MaxReconnectDelay = TimeSpan.FromSeconds(1) }));

    /// <summary>The next presence event the reader reports (fails after 10 s).</summary>
    public async Task<CardPresence> NextPresenceAsync()
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        limit.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            return await _presence.Reader.ReadAsync(limit.Token);
        }
        catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
        {
            throw new TimeoutException("The reader reported no card event within 10 s.");
        }
    }

    /// <summary>Serves <paramref name="card"/> through vpcd and checks that the reader reports it present.</summary>
    public async Task<ServedCard> InsertAsync(VirtualCard card)
    {
        var served = ServedCard.Serve(card, _stop.Token);
        try
        {
            Assert.Equal(new CardPresence(served.Role, true), await NextPresenceAsync());
            Assert.Equal(served.ReaderName, Reader.ActiveReaderName);
            return served;
        }
        catch
        {
            await served.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the vpcd client (the card leaves) and checks that the reader reports it gone.</summary>
    public async Task RemoveAsync(ServedCard served)
    {
        await served.DisposeAsync();
        Assert.Equal(new CardPresence(served.Role, false), await NextPresenceAsync());
    }

    /// <summary>For a card the fault pulled by itself: the vpcd client ended and the reader reports the card gone.</summary>
    public async Task ExpectPulledAsync(ServedCard served)
    {
        await served.Client.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(new CardPresence(served.Role, false), await NextPresenceAsync());
        await served.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Reader.DisposeAsync();
        await _stop.CancelAsync();
        try
        {
            await _watch;
        }
        catch (OperationCanceledException)
        {
        }

        await Terminal.DisposeAsync();
        _stop.Dispose();
    }
}

/// <summary>What the terminal must never send, checked on the card's own audit log.</summary>
internal static class ForbiddenApdus
{
    /// <summary>Every audit entry that touched 照合番号A, text-AP EF 0001/0003 or 券面AP EF 0005.</summary>
    public static IReadOnlyList<ApduAuditEntry> In(VirtualCard card) => card.AuditLog.Where(IsForbidden).ToArray();

    public static void AssertNone(VirtualCard card)
    {
        var forbidden = In(card);
        Assert.True(forbidden.Count == 0, $"{card.Persona.Id}: forbidden APDUs reached the card: {string.Join("; ", forbidden)}");
    }

    private static bool IsForbidden(ApduAuditEntry entry) =>
        entry.Touches(CardApplication.CardFace, CardConstants.CardFace.MatchingNumberA)
        || entry.Touches(CardApplication.TextAssist, CardConstants.TextAssist.MatchingNumberA)
        || entry.Touches(CardApplication.TextAssist, CardConstants.TextAssist.MyNumber)
        || entry.Touches(CardApplication.TextAssist, CardConstants.TextAssist.Integrity)
        || entry.Touches(CardApplication.CardFace, CardConstants.CardFace.RenderedMyNumber);
}
