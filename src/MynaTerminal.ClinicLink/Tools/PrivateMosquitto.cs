using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace MynaTerminal.ClinicLink.Tools;

/// <summary>
/// A private mosquitto on loopback with its own configuration in a temporary folder: for <c>mynaterm mqtt bench</c>
/// and for tests against the real broker. Started as root, mosquitto drops to the user <c>mosquitto</c> before it
/// reads key, password and ACL files and writes its persistence, so those must be readable by group
/// <c>mosquitto</c> (0640) and the folder must be enterable (<see cref="MakeReadableByBroker"/>).
/// </summary>
public sealed partial class PrivateMosquitto : IAsyncDisposable
{
    /// <summary>Where Debian installs the broker.</summary>
    public const string DefaultExecutable = "/usr/sbin/mosquitto";

    private const int SigTerm = 15;
    private const int SigCont = 18;
    private const int SigStop = 19;

    private readonly StringBuilder _output = new();
    private readonly bool _ownsDirectory;
    private Process? _process;

    private PrivateMosquitto(int port, string configBody, string directory, bool ownsDirectory)
    {
        Port = port;
        _ownsDirectory = ownsDirectory;
        Directory = directory;
        MakeReadableByBroker(Directory, isDirectory: true);
        ConfigPath = Path.Combine(Directory, "mosquitto.conf");
        File.WriteAllText(ConfigPath, configBody);
        MakeReadableByBroker(ConfigPath);
    }

    /// <summary>True when the broker is installed where Debian puts it.</summary>
    public static bool IsInstalled => File.Exists(DefaultExecutable);

    public int Port { get; }

    /// <summary>The folder with the configuration (and whatever the caller puts there: keys, ACL, persistence).</summary>
    public string Directory { get; }

    public string ConfigPath { get; }

    /// <summary>The broker's log so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The process id while running.</summary>
    public int? ProcessId => _process?.Id;

    /// <summary>
    /// A broker with one anonymous listener on 127.0.0.1:<paramref name="port"/>, <c>set_tcp_nodelay true</c>
    /// (four times the throughput of the default), persistence off unless <paramref name="persistence"/>.
    /// </summary>
    /// <param name="port">The loopback port to listen on.</param>
    /// <param name="persistence">Keep retained messages and persistent sessions in <paramref name="directory"/> across restarts.</param>
    /// <param name="directory">Folder for the configuration and persistence (kept across restarts); null = a new temporary folder.</param>
    public static PrivateMosquitto CreatePlain(int port, bool persistence = false, string? directory = null)
    {
        var dir = directory ?? NewDirectory();
        var config = new StringBuilder();
        config.AppendLine(CultureInfo.InvariantCulture, $"listener {port} 127.0.0.1");
        config.AppendLine("allow_anonymous true");
        config.AppendLine("set_tcp_nodelay true");
        config.AppendLine("max_queued_messages 100000");
        if (persistence)
        {
            config.AppendLine("persistence true");
            config.AppendLine(CultureInfo.InvariantCulture, $"persistence_location {dir}/");
        }
        else
        {
            config.AppendLine("persistence false");
        }

        config.AppendLine(Logging);
        return new PrivateMosquitto(port, config.ToString(), dir, ownsDirectory: directory is null);
    }

    /// <summary>A broker with the caller's configuration (listeners, TLS, ACL…) in <paramref name="directory"/>; the log lines are appended.</summary>
    public static PrivateMosquitto Create(int port, string configBody, string directory) =>
        new(port, configBody + Environment.NewLine + Logging, directory, ownsDirectory: false);

    /// <summary>A new temporary folder the broker can enter.</summary>
    public static string NewDirectory() => System.IO.Directory.CreateTempSubdirectory("mynaterm-mosquitto-").FullName;

    /// <summary>Log settings every private broker uses: to standard error, which is captured in <see cref="Output"/>.</summary>
    private static string Logging => "log_dest stderr\nlog_type error\nlog_type warning\nlog_type notice\nlog_type information\n";

    /// <summary>
    /// Lets the broker read <paramref name="path"/> after it dropped to user mosquitto: when running as root, group
    /// mosquitto and mode 0640 (0750 for a folder). Otherwise nothing is needed: the broker runs as the caller.
    /// </summary>
    public static void MakeReadableByBroker(string path, bool isDirectory = false)
    {
        if (OperatingSystem.IsWindows() || GetEffectiveUserId() != 0)
        {
            return;
        }

        using (var chgrp = Process.Start(new ProcessStartInfo("chgrp", ["mosquitto", path]) { RedirectStandardError = true, UseShellExecute = false })!)
        {
            chgrp.WaitForExit();
        }

        File.SetUnixFileMode(path, isDirectory
            ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
    }

    /// <summary>Starts the broker and waits until it says it is running.</summary>
    /// <exception cref="InvalidOperationException">It exited instead (the message has its log).</exception>
    public async Task StartAsync(CancellationToken cancellationToken, string executable = DefaultExecutable)
    {
        if (_process is not null)
        {
            throw new InvalidOperationException("Already running.");
        }

        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process
        {
            StartInfo = new ProcessStartInfo(executable, ["-c", ConfigPath])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            },
            EnableRaisingEvents = true,
        };
        DataReceivedEventHandler onLine = (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (_output)
            {
                _output.AppendLine(e.Data);
            }

            if (e.Data.Contains(" running", StringComparison.Ordinal))
            {
                running.TrySetResult();
            }
        };
        process.OutputDataReceived += onLine;
        process.ErrorDataReceived += onLine;
        process.Exited += (_, _) => running.TrySetException(new InvalidOperationException($"mosquitto exited:\n{Output}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        try
        {
            await running.Task.WaitAsync(TimeSpan.FromSeconds(20), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await KillAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stops the broker the orderly way (SIGTERM: it saves its persistence) and waits for it to exit.</summary>
    public Task StopAsync() => EndAsync(graceful: true);

    /// <summary>Kills the broker (SIGKILL, as a crash or power cut would) and waits for it to exit.</summary>
    public Task KillAsync() => EndAsync(graceful: false);

    /// <summary>Freezes the broker (SIGSTOP): connections stay open, nothing is read or answered.</summary>
    public void Pause() => Signal(SigStop);

    /// <summary>Lets a frozen broker go on (SIGCONT).</summary>
    public void Resume() => Signal(SigCont);

    public async ValueTask DisposeAsync()
    {
        await KillAsync().ConfigureAwait(false);
        if (_ownsDirectory)
        {
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    private void Signal(int signal)
    {
        if (_process is { HasExited: false } process && Kill(process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    private async Task EndAsync(bool graceful)
    {
        var process = Interlocked.Exchange(ref _process, null);
        if (process is null)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                if (graceful)
                {
                    Kill(process.Id, SigCont); // a paused broker cannot act on SIGTERM
                    Kill(process.Id, SigTerm);
                }
                else
                {
                    process.Kill();
                }
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        finally
        {
            process.Dispose();
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();
}
