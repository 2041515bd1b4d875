using System.Runtime.CompilerServices;
using System.Threading.Channels;
using MynaTerminal.ClinicLink;
using MynaTerminal.Core.Cards;
using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Results;
using MynaTerminal.Core.Session;

namespace MynaTerminal.Terminal.Tests.Support;

/// <summary>
/// The clinic link, in memory: records what the terminal publishes and lets the test send commands and control
/// requests (mode, selftest) the way the MQTT link delivers them.
/// </summary>
internal sealed class FakeClinicLink : IClinicLink, IClinicControlSource
{
    /// <summary>Modes the session loop reported, in order.</summary>
    public Recorder<TerminalMode> Modes { get; } = new();

    /// <summary>Mode and self-test requests, as the MQTT link hands them over.</summary>
    public Channel<ClinicControlRequest> Controls { get; } = Channel.CreateUnbounded<ClinicControlRequest>();

    /// <summary>Sends a control request and waits for the session loop's answer.</summary>
    public async Task<ClinicControlReply> SendAsync(ClinicControl control, CancellationToken cancellationToken)
    {
        var request = new ClinicControlRequest(control);
        await Controls.Writer.WriteAsync(request, cancellationToken);
        return await request.Reply.WaitAsync(TimeSpan.FromSeconds(20), cancellationToken);
    }

    public async IAsyncEnumerable<ClinicControlRequest> ControlRequestsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var request in Controls.Reader.ReadAllAsync(cancellationToken))
        {
            yield return request;
        }
    }

    public void ReportMode(TerminalMode mode) => Modes.Add(mode);

    public Recorder<TerminalState> States { get; } = new();

    public Recorder<TerminalAlert> Alerts { get; } = new();

    public Recorder<VerificationResult> Verifications { get; } = new();

    /// <summary>Commands the clinic sends to the terminal.</summary>
    public Channel<ClinicCommand> Commands { get; } = Channel.CreateUnbounded<ClinicCommand>();

    /// <summary>Answer each verification at once with 有効 and this greeting (null: never answer).</summary>
    public string? AutoAnswerGreeting { get; set; }

    public Task PublishStateAsync(TerminalState state, CancellationToken cancellationToken)
    {
        States.Add(state);
        return Task.CompletedTask;
    }

    public Task EnqueueVerificationAsync(VerificationResult result, CancellationToken cancellationToken)
    {
        Verifications.Add(result);
        if (AutoAnswerGreeting is { } name)
        {
            Commands.Writer.TryWrite(new ClinicCommand.Eligibility(new EligibilityAnswer(result.Id, EligibilityStatus.Valid, name, [])));
        }

        return Task.CompletedTask;
    }

    public Task PublishAlertAsync(TerminalAlert alert, CancellationToken cancellationToken)
    {
        Alerts.Add(alert);
        return Task.CompletedTask;
    }

    public async IAsyncEnumerable<ClinicCommand> CommandsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var command in Commands.Reader.ReadAllAsync(cancellationToken))
        {
            yield return command;
        }
    }
}

/// <summary>
/// Decorates the simulated reader as the terminal sees it: records every PIN handed to VERIFY (and what it read
/// then), and can make reads throw or hang.
/// </summary>
internal sealed class RecordingCardReader(ICardReader inner) : ICardReader
{
    private readonly Lock _gate = new();
    private readonly List<(Pin Pin, string ReadDuringVerify)> _pins = [];
    private readonly TaskCompletionSource _hangingReadCancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The next ReadAsync throws this (once).</summary>
    public Exception? ThrowOnNextRead { get; set; }

    /// <summary>ReadAsync waits until cancelled.</summary>
    public bool HangReads { get; set; }

    /// <summary>Completes when a hanging read saw its cancellation.</summary>
    public Task HangingReadCancelled => _hangingReadCancelled.Task;

    public IReadOnlyList<(Pin Pin, string ReadDuringVerify)> Pins
    {
        get { lock (_gate) { return _pins.ToArray(); } }
    }

    public IAsyncEnumerable<CardPresence> WatchAsync(CancellationToken cancellationToken) => inner.WatchAsync(cancellationToken);

    public async Task<CardReadOutcome> ReadAsync(CancellationToken cancellationToken)
    {
        if (ThrowOnNextRead is { } ex)
        {
            ThrowOnNextRead = null;
            throw ex;
        }

        if (HangReads)
        {
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                _hangingReadCancelled.TrySetResult();
                throw;
            }
        }

        return await inner.ReadAsync(cancellationToken);
    }

    public Task<FacePhotoOutcome> ReadFacePhotoAsync(MatchingNumberB number, CancellationToken cancellationToken) =>
        inner.ReadFacePhotoAsync(number, cancellationToken);

    public Task<PinOutcome> VerifyPinAsync(Pin pin, CancellationToken cancellationToken)
    {
        Span<byte> ascii = stackalloc byte[Pin.Length];
        pin.CopyAsciiTo(ascii); // readable while the VERIFY is sent
        lock (_gate)
        {
            _pins.Add((pin, System.Text.Encoding.ASCII.GetString(ascii)));
        }

        ascii.Clear();
        return inner.VerifyPinAsync(pin, cancellationToken);
    }

    public Task<PhoneOutcome> ConfirmOnPhoneAsync(CancellationToken cancellationToken) => inner.ConfirmOnPhoneAsync(cancellationToken);

    public Task ReleaseAsync(CancellationToken cancellationToken) => inner.ReleaseAsync(cancellationToken);
}
