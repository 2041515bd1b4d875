using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace MynaTerminal.Audio;

/// <summary>A program to run: no shell, arguments as a list, optional bytes for its standard input.</summary>
public sealed record ProcessSpec(string FileName, IReadOnlyList<string> Arguments)
{
    /// <summary>Written to the program's standard input, which is then closed (empty: closed at once).</summary>
    public ReadOnlyMemory<byte> StandardInput { get; init; }

    public override string ToString() => FileName + (Arguments.Count == 0 ? string.Empty : " " + string.Join(' ', Arguments));
}

/// <summary>How a program ended: its exit code, the tail of its standard error, and whether we killed it.</summary>
public sealed record ProcessExit(int ExitCode, string StandardError, bool Killed);

/// <summary>A started program.</summary>
public interface IRunningProcess : IDisposable
{
    /// <summary>Completes when the program has ended (never faults).</summary>
    Task<ProcessExit> Exited { get; }

    /// <summary>Ends the program now; <see cref="ProcessExit.Killed"/> is then true. No-op once it has ended.</summary>
    void Kill();
}

/// <summary>Starts programs (aplay, open_jtalk, espeak-ng); faked in the tests.</summary>
public interface IProcessRunner
{
    /// <summary>The full path of an executable named <paramref name="name"/> (searched on PATH unless it has a '/'), or null.</summary>
    string? FindExecutable(string name);

    /// <summary>Starts <paramref name="spec"/>.</summary>
    /// <exception cref="Win32Exception">The program cannot be started (e.g. it is not installed).</exception>
    IRunningProcess Start(ProcessSpec spec);
}

public static class ProcessRunnerExtensions
{
    /// <summary>Runs <paramref name="spec"/> to its end; cancelling kills it and throws <see cref="OperationCanceledException"/>.</summary>
    public static async Task<ProcessExit> RunAsync(this IProcessRunner runner, ProcessSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runner);
        cancellationToken.ThrowIfCancellationRequested();
        using var process = runner.Start(spec);
        await using (cancellationToken.Register(process.Kill).ConfigureAwait(false))
        {
            var exit = await process.Exited.ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            return exit;
        }
    }
}

/// <summary><see cref="IProcessRunner"/> with <see cref="Process"/>.</summary>
public sealed class SystemProcessRunner : IProcessRunner
{
    /// <summary>How much of a program's standard error is kept (its end: where the error is).</summary>
    private const int StandardErrorTail = 2000;

    /// <inheritdoc />
    public string? FindExecutable(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (name.Contains('/'))
        {
            return IsExecutable(name) ? Path.GetFullPath(name) : null;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin";
        foreach (var folder in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, name);
            if (IsExecutable(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <inheritdoc />
    public IRunningProcess Start(ProcessSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var info = new ProcessStartInfo(spec.FileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardErrorEncoding = Encoding.UTF8,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var argument in spec.Arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch
        {
            process.Dispose();
            throw;
        }

        return new RunningProcess(process, spec.StandardInput);
    }

    private static bool IsExecutable(string file)
    {
        try
        {
            return File.Exists(file) &&
                   (OperatingSystem.IsWindows() || (File.GetUnixFileMode(file) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private sealed class RunningProcess : IRunningProcess
    {
        private readonly Process _process;
        private int _killed;

        public RunningProcess(Process process, ReadOnlyMemory<byte> input)
        {
            _process = process;
            Exited = RunAsync(input);
        }

        public Task<ProcessExit> Exited { get; }

        public void Kill()
        {
            if (Interlocked.Exchange(ref _killed, 1) == 0)
            {
                try
                {
                    _process.Kill(entireProcessTree: true);
                }
                catch (Exception e) when (e is InvalidOperationException or Win32Exception or NotSupportedException)
                {
                    // It has ended already.
                }
            }
        }

        public void Dispose()
        {
            Kill();
            _process.Dispose();
        }

        private async Task<ProcessExit> RunAsync(ReadOnlyMemory<byte> input)
        {
            var stderr = _process.StandardError.ReadToEndAsync();
            var stdout = _process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
            var stdin = WriteInputAsync(input);
            try
            {
                await _process.WaitForExitAsync().ConfigureAwait(false);
            }
            catch (InvalidOperationException)
            {
                // Disposed while waiting.
            }

            var error = string.Empty;
            try
            {
                await Task.WhenAll(stdin, stdout).ConfigureAwait(false);
                error = await stderr.ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or ObjectDisposedException)
            {
                // The pipes of a killed program.
            }

            error = error.Trim();
            if (error.Length > StandardErrorTail)
            {
                error = error[^StandardErrorTail..];
            }

            int code;
            try
            {
                code = _process.ExitCode;
            }
            catch (InvalidOperationException)
            {
                code = -1;
            }

            return new ProcessExit(code, error, Volatile.Read(ref _killed) == 1);
        }

        private async Task WriteInputAsync(ReadOnlyMemory<byte> input)
        {
            try
            {
                var stream = _process.StandardInput.BaseStream;
                if (!input.IsEmpty)
                {
                    await stream.WriteAsync(input).ConfigureAwait(false);
                    await stream.FlushAsync().ConfigureAwait(false);
                }

                _process.StandardInput.Close();
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or ObjectDisposedException)
            {
                // The program ended (or was killed) before it read everything: normal for an interrupted prompt.
            }
        }
    }
}
