using System.Runtime.CompilerServices;
using System.Threading.Channels;
using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Results;
using MynaTerminal.Core.Session;

namespace MynaTerminal.Web.Tests.Support;

/// <summary>The clinic in memory: records the verifications the terminal queues and answers each with 有効.</summary>
internal sealed class FakeClinicLink : IClinicLink
{
    private readonly Channel<ClinicCommand> _commands = Channel.CreateUnbounded<ClinicCommand>();
    private readonly Lock _gate = new();
    private readonly List<VerificationResult> _verifications = [];
    private readonly List<(Func<IReadOnlyList<VerificationResult>, bool> Match, TaskCompletionSource Done)> _waiters = [];

    public IReadOnlyList<VerificationResult> Verifications
    {
        get { lock (_gate) { return _verifications.ToArray(); } }
    }

    /// <summary>Completes once the verifications recorded so far match (real time, at most <paramref name="timeout"/>).</summary>
    public Task WaitForAsync(Func<IReadOnlyList<VerificationResult>, bool> match, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (match(_verifications))
            {
                return Task.CompletedTask;
            }

            _waiters.Add((match, done));
        }

        return done.Task.WaitAsync(timeout, cancellationToken);
    }

    public Task PublishStateAsync(TerminalState state, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task EnqueueVerificationAsync(VerificationResult result, CancellationToken cancellationToken)
    {
        List<TaskCompletionSource> done = [];
        lock (_gate)
        {
            _verifications.Add(result);
            var all = _verifications.ToArray();
            _waiters.RemoveAll(w =>
            {
                if (!w.Match(all))
                {
                    return false;
                }

                done.Add(w.Done);
                return true;
            });
        }

        done.ForEach(d => d.TrySetResult());
        _commands.Writer.TryWrite(new ClinicCommand.Eligibility(new EligibilityAnswer(result.Id, EligibilityStatus.Valid, "テスト 花子", [])));
        return Task.CompletedTask;
    }

    public Task PublishAlertAsync(TerminalAlert alert, CancellationToken cancellationToken) => Task.CompletedTask;

    public async IAsyncEnumerable<ClinicCommand> CommandsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var command in _commands.Reader.ReadAllAsync(cancellationToken))
        {
            yield return command;
        }
    }
}
