using MynaTerminal.Core.Results;
using MynaTerminal.Core.Session;

namespace MynaTerminal.Core.Devices;

/// <summary>Terminal state as the clinic sees it (retained <c>state</c>): the phase, never personal data.</summary>
public sealed record TerminalState(SessionPhase Phase, string Language, DateTimeOffset At);

/// <summary>A command from the clinic side (MQTT request/&lt;name&gt;).</summary>
public abstract record ClinicCommand
{
    private ClinicCommand() { }

    public sealed record Eligibility(EligibilityAnswer Answer) : ClinicCommand;

    public sealed record Cancel : ClinicCommand;

    public sealed record StaffVisualApproval : ClinicCommand;

    public sealed record StaffResume : ClinicCommand;
}

/// <summary>The link to clinic systems (MQTT). Verifications go through a durable outbox.</summary>
public interface IClinicLink
{
    Task PublishStateAsync(TerminalState state, CancellationToken cancellationToken);

    /// <summary>Queues the verification for delivery; returns once it is safely queued.</summary>
    Task EnqueueVerificationAsync(VerificationResult result, CancellationToken cancellationToken);

    Task PublishAlertAsync(TerminalAlert alert, CancellationToken cancellationToken);

    IAsyncEnumerable<ClinicCommand> CommandsAsync(CancellationToken cancellationToken);
}
