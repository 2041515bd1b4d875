using MynaTerminal.Core.Session;

namespace MynaTerminal.ClinicLink;

/// <summary>
/// A request that needs an answer from the session loop, not only a yes: <c>mode</c> and <c>selftest</c>.
/// (Commands that only feed the session, such as <c>cancel</c>, are <see cref="Core.Devices.ClinicCommand"/>s.)
/// </summary>
public abstract record ClinicControl
{
    private ClinicControl()
    {
    }

    /// <summary>Switch the terminal's mode.</summary>
    public sealed record SetMode(TerminalMode Mode) : ClinicControl;

    /// <summary>Run the self-test (card reader, display, clinic link, outbox, …) and report each check.</summary>
    public sealed record SelfTest : ClinicControl;
}

/// <summary>The session loop's answer to a <see cref="ClinicControl"/>.</summary>
/// <param name="Mode">The terminal's mode after the request.</param>
/// <param name="Phase">The session phase after the request.</param>
/// <param name="Checks">The self-test's results; null for other requests.</param>
public sealed record ClinicControlReply(TerminalMode Mode, SessionPhase Phase, IReadOnlyList<SelfTestResult>? Checks = null);

/// <summary>A <see cref="ClinicControl"/> on its way to the session loop, with the place for its answer.</summary>
public sealed class ClinicControlRequest
{
    private readonly TaskCompletionSource<ClinicControlReply> _reply = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ClinicControlRequest(ClinicControl control)
    {
        ArgumentNullException.ThrowIfNull(control);
        Control = control;
    }

    public ClinicControl Control { get; }

    /// <summary>Completes with the answer, or faults when the session loop could not carry the request out.</summary>
    public Task<ClinicControlReply> Reply => _reply.Task;

    /// <summary>Answers the request (the first answer counts).</summary>
    public void Complete(ClinicControlReply reply) => _reply.TrySetResult(reply);

    /// <summary>Reports that the request could not be carried out; <paramref name="reason"/> goes into the error response.</summary>
    public void Fail(string reason) => _reply.TrySetException(new InvalidOperationException(reason));
}

/// <summary>
/// Implemented by a clinic link that receives <see cref="ClinicControl"/> requests (the MQTT link does). The
/// session loop reads them, carries them out through the session's own event queue, answers each, and tells the
/// link the mode so the retained <c>state</c> can show it.
/// </summary>
public interface IClinicControlSource
{
    /// <summary>Requests as they arrive, until the link stops. One reader at a time.</summary>
    IAsyncEnumerable<ClinicControlRequest> ControlRequestsAsync(CancellationToken cancellationToken);

    /// <summary>The terminal's mode changed (also when it returned to automatic by itself).</summary>
    void ReportMode(TerminalMode mode);
}
