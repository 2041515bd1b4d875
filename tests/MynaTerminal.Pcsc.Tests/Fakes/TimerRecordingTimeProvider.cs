using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace MynaTerminal.Pcsc.Tests.Fakes;

/// <summary>A <see cref="FakeTimeProvider"/> that reports each timer as it is created, so a test can advance time
/// exactly when the code under test has started waiting (no race between "Advance" and "start waiting").</summary>
internal sealed class TimerRecordingTimeProvider : FakeTimeProvider
{
    private readonly Channel<TimeSpan> _timers = Channel.CreateUnbounded<TimeSpan>();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        _timers.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>The due time of the next timer created.</summary>
    public async Task<TimeSpan> NextTimerAsync(CancellationToken cancellationToken) =>
        await _timers.Reader.ReadAsync(cancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
}
