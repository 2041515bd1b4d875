using System.Threading.Channels;
using MynaTerminal.Card.Transport;

namespace MynaTerminal.Pcsc.Tests.Fakes;

/// <summary>Reads <see cref="ICardTerminal.WatchAsync"/> in the background; tests await the events they expect.</summary>
internal sealed class EventRecorder : IAsyncDisposable
{
    private readonly Channel<CardSlotEvent> _events = Channel.CreateUnbounded<CardSlotEvent>();
    private readonly CancellationTokenSource _stop;
    private readonly Task _pump;
    private readonly List<CardSlotEvent> _seen = [];

    public EventRecorder(ICardTerminal terminal, CancellationToken cancellationToken)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _pump = Task.Run(async () =>
        {
            try
            {
                await foreach (var slotEvent in terminal.WatchAsync(_stop.Token))
                {
                    _events.Writer.TryWrite(slotEvent);
                }

                _events.Writer.TryComplete();
            }
            catch (Exception exception)
            {
                _events.Writer.TryComplete(exception is OperationCanceledException ? null : exception);
            }
        });
    }

    /// <summary>Every event taken so far, in order.</summary>
    public IReadOnlyList<CardSlotEvent> Seen => _seen;

    /// <summary>Skips events until one matches; fails after <paramref name="timeout"/> (default 10 s).</summary>
    public async Task<CardSlotEvent> WaitForAsync(Func<CardSlotEvent, bool> match, TimeSpan? timeout = null)
    {
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        try
        {
            while (true)
            {
                var slotEvent = await _events.Reader.ReadAsync(limit.Token);
                _seen.Add(slotEvent);
                if (match(slotEvent))
                {
                    return slotEvent;
                }
            }
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested)
        {
            throw new TimeoutException($"No matching card event; seen: {string.Join(", ", _seen)}");
        }
    }

    /// <summary>The next event, whatever it is.</summary>
    public Task<CardSlotEvent> NextAsync(TimeSpan? timeout = null) => WaitForAsync(_ => true, timeout);

    /// <summary>True when the enumeration ended (the terminal was disposed).</summary>
    public async Task<bool> CompletedAsync(TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            return !await _events.Reader.WaitToReadAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _pump;
        _stop.Dispose();
    }
}
