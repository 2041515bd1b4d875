using MynaTerminal.Core.Session;

namespace MynaTerminal.ClinicLink;

/// <summary>Self-test <c>clinicLink</c>: the link is connected to its broker, subscribed and announced.</summary>
public sealed class ClinicLinkSelfTest(MqttClinicLink link) : ISelfTestCheck
{
    public string Name => "clinicLink";

    public Task<SelfTestResult> RunAsync(CancellationToken cancellationToken)
    {
        var (host, port) = link.BrokerEndpoint;
        return Task.FromResult(link.IsOnline
            ? new SelfTestResult(Name, true, $"connected to {host}:{port}")
            : new SelfTestResult(Name, false, $"not connected to {host}:{port}"));
    }
}

/// <summary>Self-test <c>outbox</c>: the verification outbox can commit a write now.</summary>
public sealed class OutboxSelfTest(IVerificationOutbox outbox) : ISelfTestCheck
{
    public string Name => "outbox";

    public async Task<SelfTestResult> RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            return new SelfTestResult(Name, true, await outbox.ProbeWriteAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            return new SelfTestResult(Name, false, $"cannot write: {ex.Message}");
        }
    }
}
