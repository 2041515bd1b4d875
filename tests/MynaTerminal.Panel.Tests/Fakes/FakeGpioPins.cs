using MynaTerminal.Panel.Gpio;

namespace MynaTerminal.Panel.Tests.Fakes;

/// <summary>Input pins a test drives: <see cref="Set"/> changes the level and fires the edge callbacks at once.</summary>
internal sealed class FakeGpioPins : IGpioPins
{
    private readonly object _lock = new();
    private readonly Dictionary<int, bool> _levels = [];
    private readonly Dictionary<int, List<Action<int>>> _watchers = [];

    public Dictionary<int, PinPull> Inputs { get; } = [];

    public List<int> Closed { get; } = [];

    /// <summary>The level a pin has before it is opened (a pulled-up idle button reads high).</summary>
    public void Preset(int pin, bool high)
    {
        lock (_lock)
        {
            _levels[pin] = high;
        }
    }

    /// <summary>Changes the level of an input and reports the edge (no edge when the level is the same).</summary>
    public void Set(int pin, bool high)
    {
        Action<int>[] watchers;
        lock (_lock)
        {
            if (_levels.GetValueOrDefault(pin, true) == high)
            {
                return;
            }

            _levels[pin] = high;
            watchers = _watchers.GetValueOrDefault(pin)?.ToArray() ?? [];
        }

        foreach (var watcher in watchers)
        {
            watcher(pin);
        }
    }

    public int WatcherCount(int pin)
    {
        lock (_lock)
        {
            return _watchers.GetValueOrDefault(pin)?.Count ?? 0;
        }
    }

    public void OpenOutput(int pin, bool high) => throw new NotSupportedException();

    public void OpenInput(int pin, PinPull pull)
    {
        lock (_lock)
        {
            Inputs.Add(pin, pull);
            _levels.TryAdd(pin, pull != PinPull.Down);
        }
    }

    public void Write(int pin, bool high) => throw new NotSupportedException();

    public bool Read(int pin)
    {
        lock (_lock)
        {
            Assert.True(Inputs.ContainsKey(pin), $"GPIO {pin} read before it was opened");
            return _levels[pin];
        }
    }

    public IDisposable WatchEdges(int pin, Action<int> changed)
    {
        lock (_lock)
        {
            if (!_watchers.TryGetValue(pin, out var list))
            {
                _watchers[pin] = list = [];
            }

            list.Add(changed);
        }

        return new Unwatch(() =>
        {
            lock (_lock)
            {
                _watchers[pin].Remove(changed);
            }
        });
    }

    public void Close(int pin)
    {
        lock (_lock)
        {
            Closed.Add(pin);
            Inputs.Remove(pin);
        }
    }

    public void Dispose()
    {
    }

    private sealed class Unwatch(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}
