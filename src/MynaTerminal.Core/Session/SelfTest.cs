namespace MynaTerminal.Core.Session;

/// <summary>The outcome of one self-test check (MQTT <c>request/selftest</c>). Never personal data.</summary>
/// <param name="Name">A stable camelCase id: <c>cardReader</c>, <c>display</c>, <c>clinicLink</c>, <c>outbox</c>, …</param>
/// <param name="Ok">True when the check passed.</param>
/// <param name="Detail">What was checked or what went wrong, in a few words for staff.</param>
public sealed record SelfTestResult(string Name, bool Ok, string Detail);

/// <summary>
/// One check the terminal's self-test runs. Parts of the terminal register theirs (the clinic link registers
/// <c>clinicLink</c> and <c>outbox</c>); the session loop runs them all, besides its own card reader and display
/// checks, when staff or the clinic ask for a self-test. A check must not change the session, must finish
/// within a few seconds and should report a failure as a result rather than throw.
/// </summary>
public interface ISelfTestCheck
{
    /// <summary>The id the result carries.</summary>
    string Name { get; }

    Task<SelfTestResult> RunAsync(CancellationToken cancellationToken);
}
