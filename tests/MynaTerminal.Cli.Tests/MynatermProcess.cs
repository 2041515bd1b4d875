using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace MynaTerminal.Cli.Tests;

/// <summary>
/// The real <c>mynaterm</c> as a child process (<c>dotnet mynaterm.dll …</c> from the test output), with its output
/// captured line by line so a test can wait for what it prints. Killed (SIGKILL) on dispose if still running.
/// </summary>
internal sealed partial class MynatermProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Lock _lock = new();
    private readonly StringBuilder _output = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource Done)> _waiters = [];

    private MynatermProcess(Process process) => _process = process;

    public string Output
    {
        get
        {
            lock (_lock)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>Ids the terminal logged as committed to its outbox ("Verification … queued for delivery", --verbose).</summary>
    public IReadOnlyList<Guid> QueuedIds => [.. QueuedRegex().Matches(Output).Select(m => Guid.Parse(m.Groups[1].Value)).Distinct()];

    public static MynatermProcess Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "mynaterm.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing; the CLI project is referenced by the tests.");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new MynatermProcess(process);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Waits until the output (so far or to come) matches.</summary>
    public Task WaitForAsync(Func<string, bool> match, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (match(_output.ToString()))
            {
                return Task.CompletedTask;
            }

            _waiters.Add((match, done));
        }

        return WaitOrExplainAsync(done.Task, timeout, cancellationToken);
    }

    /// <summary>Waits for the process to exit and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        await WaitOrExplainAsync(_process.WaitForExitAsync(cancellationToken), timeout, cancellationToken);
        _process.WaitForExit(); // drains the redirected output
        return _process.ExitCode;
    }

    /// <summary>Sends a signal by name (INT = Ctrl+C, TERM = systemctl stop) with the system's kill(1).</summary>
    public async Task SignalAsync(string name)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-s", name, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>SIGKILL: no shutdown code runs, as with a crash or a power cut.</summary>
    public async Task KillHardAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillHardAsync();
        _process.Dispose();
    }

    private async Task WaitOrExplainAsync(Task task, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"mynaterm did not get there within {timeout.TotalSeconds:0} s. Its output:\n{Output}");
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        List<TaskCompletionSource> ready = [];
        lock (_lock)
        {
            _output.AppendLine(line);
            var text = _waiters.Count == 0 ? string.Empty : _output.ToString();
            foreach (var waiter in _waiters.Where(w => w.Match(text)).ToList())
            {
                _waiters.Remove(waiter);
                ready.Add(waiter.Done);
            }
        }

        foreach (var done in ready)
        {
            done.TrySetResult();
        }
    }

    [GeneratedRegex("Verification ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}) queued for delivery")]
    private static partial Regex QueuedRegex();
}
