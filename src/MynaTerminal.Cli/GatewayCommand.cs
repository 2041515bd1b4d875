using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using MynaTerminal.ClinicLink;
using MynaTerminal.ClinicLink.Gateway;

namespace MynaTerminal.Cli;

/// <summary>
/// <c>mynaterm gateway</c>: the reference clinic gateway (<see cref="ClinicGateway"/>). It receives every terminal's
/// verifications, checks their signatures against the keys in the terminals' <c>info</c>, counts each id once
/// (also across restarts), logs one JSON line per verification, and answers eligibility from a roster file.
/// </summary>
public static class GatewayCommand
{
    /// <summary>Environment variables for secrets, so they need not be on the command line (visible in <c>ps</c>).</summary>
    public const string PasswordVariable = "MYNATERM_GATEWAY_PASSWORD";

    public const string RequestTokenVariable = "MYNATERM_GATEWAY_REQUEST_TOKEN";

    public sealed record GatewaySettings(
        string Broker,
        FileInfo? Roster,
        FileInfo? Log,
        FileInfo Store,
        string ClientId,
        string? Username,
        string? Password,
        bool Tls,
        FileInfo? CaFile,
        FileInfo? CertFile,
        FileInfo? KeyFile,
        IReadOnlyList<string> Pins,
        string? RequestToken,
        bool Verbose);

    public static Command Create()
    {
        var broker = new Option<string>("--broker")
        {
            Description = "The clinic broker: HOST[:PORT] (default port 1883, or 8883 with --tls).",
            DefaultValueFactory = _ => "127.0.0.1",
        };
        var roster = new Option<FileInfo?>("--roster") { Description = "Answer eligibility from this roster (JSON: certificate serial -> name, 有効/資格無効/資格情報なし, notices). Without it the gateway only logs." };
        var log = new Option<FileInfo?>("--log") { Description = "Append one JSON line per accepted verification to this file (default: standard output)." };
        var store = new Option<FileInfo>("--store")
        {
            Description = "SQLite file of the ids already counted and the terminals' keys.",
            DefaultValueFactory = _ => new FileInfo("mynaterm-gateway.db"),
        };
        var clientId = new Option<string>("--client-id")
        {
            Description = "MQTT client id; keep it fixed: the broker keeps this session's verifications while the gateway is away.",
            DefaultValueFactory = _ => "mynaterm-gateway",
        };
        var username = new Option<string?>("--username") { Description = $"Broker user name (the password comes from ${PasswordVariable} or --password)." };
        var password = new Option<string?>("--password") { Description = $"Broker password (prefer ${PasswordVariable})." };
        var tls = new Option<bool>("--tls") { Description = "Connect with TLS." };
        var caFile = new Option<FileInfo?>("--cafile") { Description = "PEM of the CA that signs the broker's certificate (default: the system trust store)." };
        var certFile = new Option<FileInfo?>("--cert") { Description = "Mutual TLS: the gateway's client certificate (PEM)." };
        var keyFile = new Option<FileInfo?>("--key") { Description = "Mutual TLS: its private key (PEM)." };
        var pins = new Option<string[]>("--pin") { Description = "Certificate pin sha256/<base64 of SHA-256(SubjectPublicKeyInfo)>; repeatable.", DefaultValueFactory = _ => [] };
        var requestToken = new Option<string?>("--request-token") { Description = $"The terminals' ClinicLink:RequestToken (prefer ${RequestTokenVariable})." };
        var verbose = new Option<bool>("--verbose") { Description = "Log every verification, duplicate and key at Information level." };

        var command = new Command("gateway", "Reference clinic gateway: receive, verify and count verifications, log them, answer eligibility from a roster.")
        {
            broker, roster, log, store, clientId, username, password, tls, caFile, certFile, keyFile, pins, requestToken, verbose,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = new GatewaySettings(
                parse.GetValue(broker)!,
                parse.GetValue(roster),
                parse.GetValue(log),
                parse.GetValue(store)!,
                parse.GetValue(clientId)!,
                parse.GetValue(username),
                parse.GetValue(password) ?? Environment.GetEnvironmentVariable(PasswordVariable),
                parse.GetValue(tls),
                parse.GetValue(caFile),
                parse.GetValue(certFile),
                parse.GetValue(keyFile),
                parse.GetValue(pins) ?? [],
                parse.GetValue(requestToken) ?? Environment.GetEnvironmentVariable(RequestTokenVariable),
                parse.GetValue(verbose));
            return await RunAsync(settings, Console.Out, Console.Error, cancellationToken);
        });
        return command;
    }

    /// <summary>Parses <c>HOST[:PORT]</c> (an IPv6 address in brackets: <c>[::1]:1883</c>).</summary>
    public static bool TryParseBroker(string text, int defaultPort, out string host, out int port)
    {
        host = string.Empty;
        port = defaultPort;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        string? portText = null;
        if (text.StartsWith('['))
        {
            var end = text.IndexOf(']', StringComparison.Ordinal);
            if (end < 0)
            {
                return false;
            }

            host = text[1..end];
            var rest = text[(end + 1)..];
            if (rest.Length > 0)
            {
                if (!rest.StartsWith(':'))
                {
                    return false;
                }

                portText = rest[1..];
            }
        }
        else if (text.Count(c => c == ':') == 1)
        {
            host = text[..text.IndexOf(':', StringComparison.Ordinal)];
            portText = text[(text.IndexOf(':', StringComparison.Ordinal) + 1)..];
        }
        else
        {
            host = text;
        }

        if (portText is not null && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            return false;
        }

        return host.Length > 0 && Uri.CheckHostName(host) != UriHostNameType.Unknown;
    }

    /// <summary>Runs the gateway until <paramref name="cancellationToken"/> is cancelled (Ctrl+C); 2 for a usage error.</summary>
    /// <param name="settings">What the options said.</param>
    /// <param name="output">The banner, the summary and (without --log) the JSON lines.</param>
    /// <param name="diagnostics">Log messages (standard error).</param>
    /// <param name="cancellationToken">Stops the gateway.</param>
    public static async Task<int> RunAsync(GatewaySettings settings, TextWriter output, TextWriter diagnostics, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var console = TextWriter.Synchronized(output);
        if (!TryParseBroker(settings.Broker, settings.Tls ? 8883 : 1883, out var host, out var port))
        {
            console.WriteLine($"error: --broker '{settings.Broker}' is not HOST[:PORT]");
            return 2;
        }

        TlsSettings? tls = null;
        if (settings.Tls)
        {
            tls = new TlsSettings(settings.CaFile?.FullName, settings.CertFile?.FullName, settings.KeyFile?.FullName, settings.Pins);
            var problems = tls.Problems().Select(p => p.ErrorMessage).ToList();
            if (problems.Count > 0)
            {
                console.WriteLine($"error: {string.Join("; ", problems)}");
                return 2;
            }
        }
        else if (settings.CaFile is not null || settings.CertFile is not null || settings.KeyFile is not null || settings.Pins.Count > 0)
        {
            console.WriteLine("error: --cafile, --cert, --key and --pin need --tls");
            return 2;
        }

        using var loggerFactory = LoggerFactory.Create(builder => builder
            .SetMinimumLevel(settings.Verbose ? LogLevel.Information : LogLevel.Warning)
            .AddProvider(new WriterLoggerProvider(TextWriter.Synchronized(diagnostics))));
        StreamWriter? logFile = null;
        ClinicGateway gateway;
        try
        {
            if (settings.Log is { } logPath)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(logPath.FullName)!);
                logFile = new StreamWriter(new FileStream(logPath.FullName, FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = true };
            }

            gateway = new ClinicGateway(
                new ClinicGatewayOptions
                {
                    Host = host,
                    Port = port,
                    ClientId = settings.ClientId,
                    Username = settings.Username,
                    Password = settings.Password,
                    Tls = tls,
                    StorePath = settings.Store.FullName,
                    RosterPath = settings.Roster?.FullName,
                    RequestToken = settings.RequestToken,
                },
                (TextWriter?)logFile ?? console,
                loggerFactory.CreateLogger("mynaterm.gateway"));
        }
        catch (Exception ex) when (ex is IOException or FormatException or InvalidOperationException or UnauthorizedAccessException)
        {
            logFile?.Dispose();
            console.WriteLine($"error: {ex.Message}");
            return 2;
        }

        await using (gateway)
        {
            console.WriteLine($"MynaTerminal reference gateway: broker {host}:{port}{(settings.Tls ? " (TLS)" : string.Empty)} as {settings.ClientId}");
            console.WriteLine($"Store: {settings.Store.FullName}; roster: {settings.Roster?.FullName ?? "none (no eligibility answers)"}; log: {settings.Log?.FullName ?? "standard output"}");
            await gateway.StartAsync(cancellationToken);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
            }

            await gateway.StopAsync();
            console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"Gateway stopped: {gateway.AcceptedCount} accepted, {gateway.DuplicateCount} duplicates, {gateway.RejectedCount} refused."));
        }

        logFile?.Dispose();
        return 0;
    }

    /// <summary>One line per log message to a writer (standard error): the gateway needs no more.</summary>
    private sealed class WriterLoggerProvider(TextWriter writer) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new WriterLogger(writer);

        public void Dispose()
        {
        }

        private sealed class WriterLogger(TextWriter writer) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                writer.WriteLine($"{DateTimeOffset.Now:HH:mm:ss} {logLevel.ToString().ToLowerInvariant()}: {formatter(state, exception)}{(exception is null ? string.Empty : " (" + exception.Message + ")")}");
            }
        }
    }
}
