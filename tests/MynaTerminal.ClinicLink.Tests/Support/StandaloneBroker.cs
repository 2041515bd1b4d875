using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MynaTerminal.ClinicLink.Tests.Support;

/// <summary>An <see cref="EmbeddedBroker"/> with its own lifetime, for tests that restart the broker or put a proxy in front.</summary>
internal static class StandaloneBroker
{
    public static async Task<EmbeddedBroker> StartAsync(string terminalId, int port, CancellationToken cancellationToken)
    {
        var loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(new TestLoggerProvider(TestContext.Current.TestOutputHelper)));
        var broker = new EmbeddedBroker(
            Options.Create(new ClinicLinkOptions { TerminalId = terminalId, EmbeddedPort = port }),
            loggerFactory.CreateLogger<EmbeddedBroker>());
        await broker.StartAsync(cancellationToken);
        return broker;
    }
}

/// <summary>Waits for the link's <see cref="MqttClinicLink.Published"/> event on one topic; start it before the action.</summary>
internal sealed class PublishedWaiter : IDisposable
{
    private readonly MqttClinicLink _link;
    private readonly string _topic;
    private readonly TaskCompletionSource<string> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PublishedWaiter(MqttClinicLink link, string topic)
    {
        _link = link;
        _topic = topic;
        _link.Published += OnPublished;
    }

    public Task<string> Task => _completion.Task.WaitAsync(TestClient.DefaultTimeout, TestContext.Current.CancellationToken);

    public void Dispose() => _link.Published -= OnPublished;

    private void OnPublished(string topic, string payload)
    {
        if (topic == _topic)
        {
            _completion.TrySetResult(payload);
        }
    }
}
