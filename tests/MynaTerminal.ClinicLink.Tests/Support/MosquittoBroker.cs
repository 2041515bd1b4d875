using System.Diagnostics;
using System.Text;

namespace MynaTerminal.ClinicLink.Tests.Support;

/// <summary>
/// A real mosquitto on a loopback port, with its own temporary config (anonymous, no persistence,
/// <c>set_tcp_nodelay true</c>). Killed on dispose. Tests skip when mosquitto is not installed.
/// </summary>
internal sealed class MosquittoBroker : IAsyncDisposable
{
    public const string ExecutablePath = "/usr/sbin/mosquitto";

    private readonly DirectoryInfo _directory;
    private readonly StringBuilder _output = new();
    private Process? _process;

    private MosquittoBroker(int port)
    {
        Port = port;
        _directory = Directory.CreateTempSubdirectory("mynaterm-mosquitto-");
        ConfigPath = Path.Combine(_directory.FullName, "mosquitto.conf");
        File.WriteAllText(ConfigPath, $"""
            listener {port} 127.0.0.1
            allow_anonymous true
            set_tcp_nodelay true
            persistence false
            log_dest stderr
            log_type error
            log_type warning
            log_type notice
            log_type information

            """);
    }

    public int Port { get; }

    public string ConfigPath { get; }

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

    public static void SkipIfMissing()
    {
        if (!File.Exists(ExecutablePath))
        {
            Assert.Skip($"mosquitto is not installed ({ExecutablePath} is missing); install the Debian package 'mosquitto' to run the tests against a real broker.");
        }
    }

    /// <summary>A broker for <paramref name="port"/>, not yet started.</summary>
    public static MosquittoBroker Create(int port) => new(port);

    /// <summary>Starts mosquitto and waits until it says it is running.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_process is not null)
        {
            throw new InvalidOperationException("Already running.");
        }

        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process
        {
            StartInfo = new ProcessStartInfo(ExecutablePath, ["-c", ConfigPath])
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

        await running.Task.WaitAsync(TimeSpan.FromSeconds(20), cancellationToken);
    }

    /// <summary>Kills the broker (as a crash or power cut would) and waits for it to exit.</summary>
    public async Task KillAsync()
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
                process.Kill();
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            process.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        finally
        {
            try
            {
                _directory.Delete(recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
