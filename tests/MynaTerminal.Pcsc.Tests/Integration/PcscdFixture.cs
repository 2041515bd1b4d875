using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using MynaTerminal.Pcsc.Native;

namespace MynaTerminal.Pcsc.Tests.Integration;

/// <summary>The tests that need the real pcscd with vsmartcard's vpcd readers; they run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PcscdCollection : ICollectionFixture<PcscdFixture>
{
    public const string Name = "pcscd";
}

/// <summary>
/// Makes sure pcscd runs with Debian's vpcd configuration (<c>/etc/reader.conf.d/vpcd</c>: readers
/// <c>Virtual PCD 00 00</c> on TCP 35963 and <c>Virtual PCD 00 01</c> on 35964). pcscd is one per machine:
/// a running one is used as it is; otherwise this fixture starts <c>pcscd -f</c> (needs root, as on CI) and
/// stops exactly that process (by its PID, SIGTERM) when the collection is done. Without the pcscd binary,
/// the vpcd driver or libpcsclite.so.1 the tests skip with the reason.
/// </summary>
public sealed class PcscdFixture : IAsyncLifetime
{
    public const string TrayReader = "Virtual PCD 00 00";
    public const string PhoneReader = "Virtual PCD 00 01";
    public const int TrayPort = 35963;
    public const int PhonePort = 35964;

    private const string VpcdDriver = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so";
    private const int SigTerm = 15;

    private static readonly string[] PcscdLocations = ["/usr/sbin/pcscd", "/usr/local/sbin/pcscd", "/sbin/pcscd"];

    private readonly ConcurrentQueue<string> _log = new();
    private Process? _pcscd;
    private string? _pcscdPath;

    /// <summary>Why the pcscd tests cannot run here; null when they can.</summary>
    public string? SkipReason { get; private set; }

    /// <summary>True when this fixture started pcscd (and so may stop and restart it).</summary>
    public bool OwnsPcscd => _pcscd is not null;

    /// <summary>pcscd's output, when this fixture started it (for failure messages).</summary>
    public string PcscdLog => string.Join(Environment.NewLine, _log);

    public async ValueTask InitializeAsync()
    {
        SkipReason = Prerequisites();
        if (SkipReason is not null)
        {
            return;
        }

        if (RunningPcscd().Count == 0)
        {
            if (!IsRoot())
            {
                SkipReason = "pcscd is not running and only root can start it (it needs /run/pcscd).";
                return;
            }

            StartPcscd();
        }

        if (!await WaitForVirtualReadersAsync(TimeSpan.FromSeconds(20)))
        {
            SkipReason = $"pcscd does not list the vpcd readers '{TrayReader}' and '{PhoneReader}' (is /etc/reader.conf.d/vpcd there?). pcscd log:{Environment.NewLine}{PcscdLog}";
        }
    }

    public async ValueTask DisposeAsync() => await StopPcscdAsync();

    /// <summary>Skips the calling test when pcscd cannot be used here.</summary>
    public void SkipIfUnavailable()
    {
        if (SkipReason is not null)
        {
            Assert.Skip(SkipReason);
        }
    }

    /// <summary>Stops the pcscd this fixture started (SIGTERM by PID, SIGKILL after 10 s).</summary>
    public async Task StopPcscdAsync()
    {
        if (_pcscd is not { } process)
        {
            return;
        }

        _pcscd = null;
        if (!process.HasExited)
        {
            _ = Kill(process.Id, SigTerm);
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await process.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill();
                await process.WaitForExitAsync(CancellationToken.None);
            }
        }

        process.Dispose();
    }

    /// <summary>Starts pcscd again (after <see cref="StopPcscdAsync"/>) and waits for the vpcd readers.</summary>
    public async Task RestartPcscdAsync()
    {
        StartPcscd();
        Assert.True(await WaitForVirtualReadersAsync(TimeSpan.FromSeconds(20)), $"pcscd did not come back. Log:{Environment.NewLine}{PcscdLog}");
    }

    /// <summary>
    /// Waits, with a context of its own and SCardGetStatusChange (no polling sleeps), until
    /// <paramref name="readerName"/> has (or has no) card: tests start from a known state even though pcscd
    /// notices a vicc leaving only at its next ~400 ms presence poll.
    /// </summary>
    public Task WaitForCardAsync(string readerName, bool present, CancellationToken cancellationToken) => Task.Run(() =>
    {
        using var context = PcscContext.Establish().GetValueOrThrow();
        var state = new PcscReaderState(readerName);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var error = context.GetStatusChange(TimeSpan.FromMilliseconds(500), [state]);
            if (error == PcscError.Success)
            {
                state.Acknowledge();
                if (state.IsCardPresent == present && (state.EventState & PcscReaderStates.Mute) == 0)
                {
                    return;
                }
            }
            else if (error != PcscError.Timeout)
            {
                throw new PcscException(error);
            }
        }

        throw new TimeoutException($"{readerName} did not become {(present ? "occupied" : "empty")}.");
    }, cancellationToken);

    private static string? Prerequisites()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "pcscd + vpcd tests run on Linux only.";
        }

        if (!NativeLibrary.TryLoad(PcscLite.LibraryName, out var library))
        {
            return $"{PcscLite.LibraryName} is not installed (apt-get install libpcsclite1).";
        }

        NativeLibrary.Free(library);
        if (!File.Exists(VpcdDriver))
        {
            return $"The vpcd driver {VpcdDriver} is missing (apt-get install vsmartcard-vpcd).";
        }

        if (Array.Find(PcscdLocations, File.Exists) is null && RunningPcscd().Count == 0)
        {
            return "The pcscd binary is missing (apt-get install pcscd).";
        }

        return null;
    }

    private void StartPcscd()
    {
        _pcscdPath ??= Array.Find(PcscdLocations, File.Exists) ?? throw new InvalidOperationException("pcscd not found.");
        var start = new ProcessStartInfo(_pcscdPath)
        {
            ArgumentList = { "-f" },
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("pcscd did not start.");
        process.OutputDataReceived += (_, line) => Log(line.Data);
        process.ErrorDataReceived += (_, line) => Log(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _pcscd = process;
    }

    private void Log(string? line)
    {
        if (line is not null)
        {
            _log.Enqueue(line);
        }
    }

    private async Task<bool> WaitForVirtualReadersAsync(TimeSpan timeout)
    {
        // pcscd has no readiness signal: SCardEstablishContext says NO_SERVICE until its socket is up. Poll briefly.
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (_pcscd is { HasExited: true })
            {
                // "Another pcscd seems to be running": someone else started one meanwhile; use theirs.
                _pcscd.Dispose();
                _pcscd = null;
            }

            if (PcscContext.Establish().TryGetValue(out var context))
            {
                using (context)
                {
                    if (context.ListReaders().TryGetValue(out var readers) && readers.Contains(TrayReader) && readers.Contains(PhoneReader))
                    {
                        return true;
                    }
                }
            }

            await Task.Delay(50);
        }

        return false;
    }

    /// <summary>PIDs of live processes named pcscd (what <c>pgrep pcscd</c> would print, without zombies).</summary>
    private static List<int> RunningPcscd()
    {
        var pids = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out var pid))
            {
                try
                {
                    // A zombie (state Z, exited but not reaped) still has the name but serves nothing.
                    var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                    var afterName = stat.LastIndexOf(')');
                    if (stat.Contains("(pcscd)", StringComparison.Ordinal) && afterName > 0 && stat.Length > afterName + 2 && stat[afterName + 2] != 'Z')
                    {
                        pids.Add(pid);
                    }
                }
                catch (IOException)
                {
                }
                catch (UnauthorizedAccessException)
                {
                }
            }
        }

        return pids;
    }

    private static bool IsRoot() => GetEffectiveUserId() == 0;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEffectiveUserId();
}
