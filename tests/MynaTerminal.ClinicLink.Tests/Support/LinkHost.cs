using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MynaTerminal.ClinicLink.Tests.Support;

/// <summary>A host with <see cref="ServiceCollectionExtensions.AddClinicLink"/>, as the terminal builds it.</summary>
internal sealed class LinkHost : IAsyncDisposable
{
    private readonly IHost _host;
    private bool _stopped;

    private LinkHost(IHost host, TestLoggerProvider logs)
    {
        _host = host;
        Logs = logs;
        Link = host.Services.GetRequiredService<MqttClinicLink>();
        Broker = host.Services.GetService<EmbeddedBroker>();
    }

    public MqttClinicLink Link { get; }

    public EmbeddedBroker? Broker { get; }

    public TestLoggerProvider Logs { get; }

    public IServiceProvider Services => _host.Services;

    /// <summary>Fast settings for tests: short delays, so reconnects happen quickly.</summary>
    public static Dictionary<string, string?> FastSettings(string terminalId) => new()
    {
        ["TerminalId"] = terminalId,
        ["ReconnectDelay"] = "00:00:00.100",
        ["MaxReconnectDelay"] = "00:00:00.500",
        ["UndeliveredRetryDelay"] = "00:00:00.200",
        ["OperationTimeout"] = "00:00:05",
        ["KeepAlive"] = "00:00:10",
        // Memory only unless a test names a file (the default is the durable /var/lib/mynaterm/outbox.db).
        ["OutboxPath"] = "",
    };

    /// <param name="beforeStart">Runs on the link before the host starts (to attach observers without missing events).</param>
    public static async Task<LinkHost> StartAsync(
        IDictionary<string, string?> settings,
        CancellationToken cancellationToken,
        Action<MqttClinicLink>? beforeStart = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(
            settings.Select(p => KeyValuePair.Create($"{ClinicLinkOptions.SectionName}:{p.Key}", p.Value)));
        var logs = new TestLoggerProvider(TestContext.Current.TestOutputHelper);
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Debug).AddProvider(logs));
        builder.Services.AddClinicLink(builder.Configuration);
        var host = builder.Build();
        try
        {
            beforeStart?.Invoke(host.Services.GetRequiredService<MqttClinicLink>());
            await host.StartAsync(cancellationToken);
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return new LinkHost(host, logs);
    }

    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _host.StopAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            _host.Dispose();
        }
    }
}
