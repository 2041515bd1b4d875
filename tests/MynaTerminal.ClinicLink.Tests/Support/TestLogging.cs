using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace MynaTerminal.ClinicLink.Tests.Support;

/// <summary>Writes logs to the test output and keeps every error, so a test can insist there were none.</summary>
internal sealed class TestLoggerProvider(ITestOutputHelper? output) : ILoggerProvider
{
    private readonly Lock _lock = new();
    private readonly List<string> _lines = [];
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Done)> _waiters = [];

    public ConcurrentQueue<string> Errors { get; } = new();

    /// <summary>The first log line (already written or still to come) that matches.</summary>
    public Task<string> WaitForAsync(Func<string, bool> match, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (_lines.FirstOrDefault(match) is { } line)
            {
                return Task.FromResult(line);
            }

            _waiters.Add((match, done));
        }

        return done.Task.WaitAsync(timeout, cancellationToken);
    }

    public ILogger CreateLogger(string categoryName) => new TestLogger(this, categoryName);

    public void Dispose()
    {
    }

    private void Write(LogLevel level, string category, string message, Exception? exception)
    {
        var line = $"{DateTime.Now:HH:mm:ss.fff} {level,-11} {category.Split('.')[^1]}: {message}{(exception is null ? "" : " | " + exception.GetType().Name + ": " + exception.Message)}";
        if (level >= LogLevel.Error)
        {
            Errors.Enqueue(line);
        }

        List<TaskCompletionSource<string>> ready = [];
        lock (_lock)
        {
            _lines.Add(line);
            foreach (var waiter in _waiters.Where(w => w.Match(line)).ToList())
            {
                _waiters.Remove(waiter);
                ready.Add(waiter.Done);
            }
        }

        foreach (var done in ready)
        {
            done.TrySetResult(line);
        }

        try
        {
            output?.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
            // The test already ended; background loops may still log while the host stops.
        }
    }

    private sealed class TestLogger(TestLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                provider.Write(logLevel, category, formatter(state, exception), exception);
            }
        }
    }
}
