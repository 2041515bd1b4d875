using MynaTerminal.Panel.Gpio;
using MynaTerminal.Panel.Spi;

namespace MynaTerminal.Panel.Tests.Fakes;

/// <summary>
/// A recording SPI bus + GPIO pin set + time provider for the TFT: every pin write, SPI transfer (with the D/C level
/// it was sent under) and wait goes into one ordered log.
/// </summary>
internal sealed class RecordingTft : ISpiBus, IGpioPins
{
    private readonly Dictionary<int, bool> _levels = [];
    private readonly object _lock = new();

    public RecordingTft(int dataCommandPin = 25)
    {
        DataCommandPin = dataCommandPin;
        Time = new ImmediateTimeProvider(delay => Add(new Waited(delay)));
    }

    public int DataCommandPin { get; }

    public ImmediateTimeProvider Time { get; }

    public List<object> Log { get; } = [];

    public HashSet<int> OpenPins { get; } = [];

    public bool Disposed { get; private set; }

    public void Clear()
    {
        lock (_lock)
        {
            Log.Clear();
        }
    }

    /// <summary>Every SPI transfer.</summary>
    public IReadOnlyList<SpiWrite> Writes
    {
        get
        {
            lock (_lock)
            {
                return Log.OfType<SpiWrite>().ToArray();
            }
        }
    }

    /// <summary>The transfers decoded: each byte sent with D/C low starts a command; bytes with D/C high are its data.</summary>
    public IReadOnlyList<(byte Command, byte[] Data)> Commands()
    {
        var result = new List<(byte Command, List<byte> Data)>();
        foreach (var write in Writes)
        {
            if (!write.DataCommand)
            {
                foreach (var b in write.Bytes)
                {
                    result.Add((b, []));
                }
            }
            else
            {
                Assert.NotEmpty(result); // data before any command is a protocol error
                result[^1].Data.AddRange(write.Bytes);
            }
        }

        return result.Select(c => (c.Command, c.Data.ToArray())).ToArray();
    }

    public void Write(ReadOnlySpan<byte> data)
    {
        lock (_lock)
        {
            Log.Add(new SpiWrite(_levels.GetValueOrDefault(DataCommandPin), data.ToArray()));
        }
    }

    public void OpenOutput(int pin, bool high)
    {
        lock (_lock)
        {
            Assert.True(OpenPins.Add(pin), $"GPIO {pin} opened twice");
            _levels[pin] = high;
            Log.Add(new PinSet(pin, high));
        }
    }

    public void OpenInput(int pin, PinPull pull) => throw new NotSupportedException();

    void IGpioPins.Write(int pin, bool high) => Add(new PinSet(pin, high), () =>
    {
        Assert.Contains(pin, OpenPins);
        _levels[pin] = high;
    });

    public bool Read(int pin) => throw new NotSupportedException();

    public IDisposable WatchEdges(int pin, Action<int> changed) => throw new NotSupportedException();

    public void Close(int pin)
    {
        lock (_lock)
        {
            OpenPins.Remove(pin);
        }
    }

    public void Dispose() => Disposed = true;

    private void Add(object entry, Action? before = null)
    {
        lock (_lock)
        {
            before?.Invoke();
            Log.Add(entry);
        }
    }

    internal sealed record SpiWrite(bool DataCommand, byte[] Bytes);

    internal sealed record PinSet(int Pin, bool High);

    internal sealed record Waited(TimeSpan Delay);
}

/// <summary>A time provider whose timers fire at once (on the thread pool), reporting each due time.</summary>
internal sealed class ImmediateTimeProvider(Action<TimeSpan> onTimer) : TimeProvider
{
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            onTimer(dueTime);
            ThreadPool.QueueUserWorkItem(_ => callback(state));
        }

        return new NoTimer();
    }

    private sealed class NoTimer : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => true;

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
