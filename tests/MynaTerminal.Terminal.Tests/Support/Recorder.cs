namespace MynaTerminal.Terminal.Tests.Support;

/// <summary>A thread-safe list that tests can await: "wait until an item like this has been recorded".</summary>
internal sealed class Recorder<T>
{
    private readonly Lock _gate = new();
    private readonly List<T> _items = [];
    private readonly List<(Func<T, bool> Match, TaskCompletionSource<T> Done)> _waiters = [];

    public IReadOnlyList<T> Items
    {
        get { lock (_gate) { return _items.ToArray(); } }
    }

    public void Add(T item)
    {
        List<TaskCompletionSource<T>> done = [];
        lock (_gate)
        {
            _items.Add(item);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(item))
                {
                    done.Add(_waiters[i].Done);
                    _waiters.RemoveAt(i);
                }
            }
        }

        foreach (var tcs in done)
        {
            tcs.TrySetResult(item);
        }
    }

    /// <summary>The first recorded item that matches, waiting (in real time) until one is recorded.</summary>
    public async Task<T> WaitForAsync(Func<T, bool> match, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var tcs = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            foreach (var item in _items)
            {
                if (match(item))
                {
                    return item;
                }
            }

            _waiters.Add((match, tcs));
        }

        try
        {
            return await tcs.Task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            lock (_gate)
            {
                _waiters.RemoveAll(w => w.Done == tcs);
                throw new TimeoutException($"Nothing matching was recorded within {timeout.TotalSeconds} s; recorded: {string.Join(", ", _items)}");
            }
        }
    }
}
