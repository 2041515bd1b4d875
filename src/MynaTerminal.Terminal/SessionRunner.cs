using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MynaTerminal.ClinicLink;
using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Results;
using MynaTerminal.Core.Session;
using MynaTerminal.Display;
using MynaTerminal.Face;
using E = MynaTerminal.Core.Session.SessionEvent;
using Fx = MynaTerminal.Core.Session.SessionEffect;

namespace MynaTerminal.Terminal;

/// <summary>
/// The session loop: one reader of one event queue feeds the pure <see cref="PatientSession"/>, carries out
/// the effects it returns (device work runs in the background and posts its result back as an event, tagged
/// with the session id), keeps the time-out timer, and shows each new snapshot on the display and as the
/// clinic's retained <c>state</c>. When the clinic link also delivers <see cref="ClinicControl"/> requests
/// (<see cref="IClinicControlSource"/>), a mode change goes through the same event queue and is answered once
/// the session applied it, and a self-test runs <see cref="RunSelfTestAsync"/>.
/// </summary>
public sealed class SessionRunner(
    PatientSession session,
    ICardReader card,
    IInputDevice input,
    IClinicLink clinic,
    IDisplay display,
    FaceAuthenticator face,
    TimeProvider clock,
    ILogger<SessionRunner> log,
    IEnumerable<ISelfTestCheck>? selfTestChecks = null,
    FacePreviewFeed? previewFeed = null) : BackgroundService, ISessionMonitor
{
    private volatile FacePreview? _preview; // set by the face pipeline's task, read by the loop

    /// <summary>Longest wait for one self-test check (a display redraw, an outbox write).</summary>
    public static readonly TimeSpan SelfTestCheckTimeout = TimeSpan.FromSeconds(5);

    private readonly Channel<SessionEvent> _events = Channel.CreateUnbounded<SessionEvent>(new() { SingleReader = true });
    private readonly Channel<(Screen Screen, TaskCompletionSource<Exception?>? Drawn)> _screens =
        Channel.CreateUnbounded<(Screen, TaskCompletionSource<Exception?>?)>(new() { SingleReader = true });
    private readonly Dictionary<SessionEvent, ClinicControlRequest> _replies = new(ReferenceEqualityComparer.Instance);
    private readonly ISelfTestCheck[] _selfTestChecks = selfTestChecks?.ToArray() ?? [];
    private volatile string? _cardReaderProblem;
    private volatile bool _cardPresent;
    private readonly Channel<TerminalState> _states = Channel.CreateBounded<TerminalState>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    private readonly Dictionary<Guid, CancellationTokenSource> _cardWork = [];
    private readonly Lock _snapshotGate = new();
    private ITimer? _timer;
    private SessionSnapshot? _current;
    private CancellationToken _stopping;

    /// <summary>Raised on the loop after every change of the snapshot (simulators and tests watch it).</summary>
    public event Action<SessionSnapshot>? SnapshotChanged;

    /// <summary>Raised when a verification has been handed to the clinic link's outbox.</summary>
    public event Action<VerificationResult>? VerificationCommitted;

    public SessionSnapshot Current
    {
        get { lock (_snapshotGate) { return _current ?? session.Snapshot; } }
    }

    /// <summary>Queues an event (thread-safe).</summary>
    public void Post(SessionEvent e) => _events.Writer.TryWrite(e);

    /// <summary>The screen for a snapshot; on the face screen with the latest camera thumbnail while there is one.</summary>
    private Screen Compose(SessionSnapshot snapshot)
    {
        var screen = ScreenComposer.Compose(snapshot);
        return snapshot.Phase == SessionPhase.Face && _preview is { } preview ? screen with { Preview = preview } : screen;
    }

    /// <summary>A new camera thumbnail (or none): redraw the face screen with it.</summary>
    private void OnPreview(FacePreview? preview)
    {
        _preview = preview;
        var current = Current;
        if (current.Phase == SessionPhase.Face)
        {
            _screens.Writer.TryWrite((Compose(current), null));
        }
    }

    public override void Dispose()
    {
        if (previewFeed is not null)
        {
            previewFeed.Changed -= OnPreview;
        }

        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        if (previewFeed is not null)
        {
            previewFeed.Changed += OnPreview;
        }

        var pumps = new List<Task>
        {
            PumpAsync(card.WatchAsync(stoppingToken), OnCardPresence, "card reader", problem => _cardReaderProblem = problem),
            PumpAsync(input.ActionsAsync(stoppingToken), a => ActionIds.ToEvent(a.Id), "input"),
            PumpAsync(clinic.CommandsAsync(stoppingToken), ToEvent, "clinic link"),
            ShowScreensAsync(stoppingToken),
            PublishStatesAsync(stoppingToken),
        };
        if (clinic is IClinicControlSource controls)
        {
            pumps.Add(ServeControlRequestsAsync(controls, stoppingToken));
        }

        Publish(force: true);
        try
        {
            await foreach (var e in _events.Reader.ReadAllAsync(stoppingToken))
            {
                await ApplyAsync(e);
                if (e is E.ModeRequested)
                {
                    AnswerControl(e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            _timer?.Dispose();
            foreach (var cts in _cardWork.Values)
            {
                cts.Cancel();
            }

            _screens.Writer.TryComplete();
            _states.Writer.TryComplete();
            lock (_replies)
            {
                foreach (var pending in _replies.Values)
                {
                    pending.Fail("terminal is stopping");
                }

                _replies.Clear();
            }

            await Task.WhenAll(pumps.Select(p => p.ContinueWith(_ => { }, TaskScheduler.Default)));
        }
    }

    /// <summary>
    /// Runs the terminal's self-test: the card reader watch, a redraw of the current screen, then every registered
    /// <see cref="ISelfTestCheck"/> (the clinic link registers <c>clinicLink</c> and <c>outbox</c>). Each check is
    /// bounded by <see cref="SelfTestCheckTimeout"/>; none changes the session.
    /// </summary>
    public async Task<IReadOnlyList<SelfTestResult>> RunSelfTestAsync(CancellationToken cancellationToken)
    {
        var results = new List<SelfTestResult>
        {
            _cardReaderProblem is { } problem
                ? new SelfTestResult("cardReader", false, problem)
                : new SelfTestResult("cardReader", true, _cardPresent ? "watching the reader; a card is in it" : "watching the reader; no card in it"),
            await CheckDisplayAsync(cancellationToken),
        };
        foreach (var check in _selfTestChecks)
        {
            results.Add(await RunCheckAsync(check, cancellationToken));
        }

        return results;
    }

    private static async Task<SelfTestResult> RunCheckAsync(ISelfTestCheck check, CancellationToken cancellationToken)
    {
        try
        {
            return await check.RunAsync(cancellationToken).WaitAsync(SelfTestCheckTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            return new SelfTestResult(check.Name, false, $"no result within {SelfTestCheckTimeout.TotalSeconds:0} s");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new SelfTestResult(check.Name, false, ex.Message);
        }
    }

    /// <summary>Draws the current screen again through the display loop and reports how that went.</summary>
    private async Task<SelfTestResult> CheckDisplayAsync(CancellationToken cancellationToken)
    {
        var drawn = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var screen = ScreenComposer.Compose(Current);
        if (!_screens.Writer.TryWrite((screen, drawn)))
        {
            return new SelfTestResult("display", false, "the display loop has stopped");
        }

        try
        {
            var error = await drawn.Task.WaitAsync(SelfTestCheckTimeout, cancellationToken);
            return error is null
                ? new SelfTestResult("display", true, $"redrew '{screen.Id}'")
                : new SelfTestResult("display", false, error.Message);
        }
        catch (TimeoutException)
        {
            return new SelfTestResult("display", false, $"the screen was not drawn within {SelfTestCheckTimeout.TotalSeconds:0} s");
        }
    }

    /// <summary>
    /// Reads the clinic's mode and self-test requests. A mode change is posted as a session event and answered
    /// by the loop once applied (<see cref="AnswerControl"/>), so it is ordered with every other event.
    /// </summary>
    private async Task ServeControlRequestsAsync(IClinicControlSource controls, CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var request in controls.ControlRequestsAsync(stoppingToken))
            {
                switch (request.Control)
                {
                    case ClinicControl.SetMode m:
                        var e = new E.ModeRequested(m.Mode);
                        lock (_replies)
                        {
                            _replies[e] = request;
                        }

                        Post(e);
                        break;
                    case ClinicControl.SelfTest:
                        _ = AnswerSelfTestAsync(request, stoppingToken);
                        break;
                    default:
                        request.Fail("unknown request");
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            log.LogError(ex, "The clinic link's control requests stopped");
        }
    }

    private async Task AnswerSelfTestAsync(ClinicControlRequest request, CancellationToken stoppingToken)
    {
        try
        {
            var checks = await RunSelfTestAsync(stoppingToken);
            var snapshot = Current;
            log.LogInformation("Self-test: {Results}", string.Join(", ", checks.Select(c => $"{c.Name} {(c.Ok ? "ok" : "FAILED")}")));
            request.Complete(new ClinicControlReply(snapshot.Mode, snapshot.Phase, checks));
        }
        catch (Exception ex)
        {
            request.Fail(ex.Message);
        }
    }

    /// <summary>On the loop, after <paramref name="e"/> was applied: answers the mode request it came from.</summary>
    private void AnswerControl(SessionEvent e)
    {
        ClinicControlRequest? request;
        lock (_replies)
        {
            _replies.Remove(e, out request);
        }

        if (request is not null)
        {
            log.LogInformation("Mode {Mode} requested; now {Phase}", session.Mode, session.Phase);
            request.Complete(new ClinicControlReply(session.Mode, session.Phase));
        }
    }

    private SessionEvent OnCardPresence(CardPresence presence)
    {
        _cardPresent = presence.Present;
        return presence.Present ? new E.CardInserted(presence.Role) : new E.CardRemoved();
    }

    private static SessionEvent ToEvent(ClinicCommand command) => command switch
    {
        ClinicCommand.Eligibility e => new E.EligibilityAnswered(e.Answer),
        ClinicCommand.Cancel => new E.Cancel(),
        ClinicCommand.StaffVisualApproval => new E.StaffVisualApproved(),
        ClinicCommand.StaffResume => new E.StaffResume(),
        _ => throw new ArgumentOutOfRangeException(nameof(command)),
    };

    private async Task ApplyAsync(SessionEvent e)
    {
        var before = session.Snapshot;
        var effects = session.Handle(e);
        if (session.Phase != before.Phase)
        {
            log.LogInformation("Session {SessionId}: {From} -> {To}", session.Snapshot.SessionId ?? before.SessionId, before.Phase, session.Phase);
        }

        foreach (var effect in effects)
        {
            if (effect is Fx.CommitVerification commit)
            {
                await CommitAsync(commit.Result);
            }
            else
            {
                Execute(effect);
            }
        }

        Schedule(session.NextWakeUp);
        Publish(force: false);
    }

    private void Publish(bool force)
    {
        var snapshot = session.Snapshot;
        SessionSnapshot? previous;
        lock (_snapshotGate)
        {
            previous = _current;
            _current = snapshot;
        }

        if (!force && previous is not null && SameScreen(previous, snapshot))
        {
            return;
        }

        _screens.Writer.TryWrite((Compose(snapshot), null));
        var modeChanged = previous is null || previous.Mode != snapshot.Mode;
        if (modeChanged && clinic is IClinicControlSource controls)
        {
            // Before the state below, so the retained state carries the new mode.
            controls.ReportMode(snapshot.Mode);
        }

        if (force || modeChanged || previous!.Phase != snapshot.Phase || previous.Language != snapshot.Language)
        {
            _states.Writer.TryWrite(new TerminalState(snapshot.Phase, snapshot.Language, clock.GetLocalNow()));
        }

        SnapshotChanged?.Invoke(snapshot);
    }

    /// <summary>Snapshots differ only in their deadline after input extends a phase: no new screen for that.</summary>
    private static bool SameScreen(SessionSnapshot a, SessionSnapshot b) =>
        a with { Deadline = null, Methods = [], ConsentCategories = [] } == b with { Deadline = null, Methods = [], ConsentCategories = [] }
        && a.Methods.SequenceEqual(b.Methods);

    private void Schedule(DateTimeOffset? wakeUp)
    {
        _timer?.Dispose();
        _timer = null;
        if (wakeUp is { } at)
        {
            var due = at - clock.GetUtcNow();
            _timer = clock.CreateTimer(_ => Post(new E.Tick()), null, due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
        }
    }

    private void Execute(SessionEffect effect)
    {
        switch (effect)
        {
            case Fx.ReadCard r:
                RunCardWork(r.SessionId, async ct => new E.CardReadCompleted(r.SessionId, await card.ReadAsync(ct)),
                    ex => new E.CardReadCompleted(r.SessionId, new Core.Cards.CardReadOutcome.Unreadable(ex.Message)));
                break;
            case Fx.AuthenticateFace f:
                RunCardWork(f.SessionId,
                    async ct => new E.FaceCompleted(f.SessionId, await face.AuthenticateAsync(hint => Post(new E.FaceProgress(f.SessionId, hint)), ct)),
                    ex => new E.FaceCompleted(f.SessionId, new FaceOutcome.Failed(ex.Message)));
                break;
            case Fx.VerifyPin v:
                RunCardWork(v.SessionId,
                    async ct =>
                    {
                        using var pin = v.Pin;
                        return new E.PinVerifyCompleted(v.SessionId, await card.VerifyPinAsync(pin, ct));
                    },
                    ex =>
                    {
                        v.Pin.Dispose();
                        return new E.PinVerifyCompleted(v.SessionId, new PinOutcome.Failed(ex.Message));
                    });
                break;
            case Fx.ConfirmOnPhone p:
                RunCardWork(p.SessionId, async ct => new E.PhoneCompleted(p.SessionId, await card.ConfirmOnPhoneAsync(ct)),
                    ex => new E.PhoneCompleted(p.SessionId, new PhoneOutcome.Failed(ex.Message)));
                break;
            case Fx.CancelCardWork c:
                CancelCardWork(c.SessionId);
                break;
            case Fx.RaiseAlert a:
                log.LogWarning("Alert {Kind} (session {SessionId})", a.Alert.Kind, a.Alert.SessionId);
                _ = RunLoggedAsync(() => clinic.PublishAlertAsync(a.Alert, _stopping), "alert");
                break;
            case Fx.ReleaseCard release:
                CancelCardWork(release.SessionId);
                _ = RunLoggedAsync(() => card.ReleaseAsync(CancellationToken.None), "card release");
                break;
        }
    }

    /// <summary>
    /// Hands the verification to the outbox before the session moves on. The outbox makes it durable;
    /// a failure here is a fault staff must see, never a silent loss.
    /// </summary>
    private async Task CommitAsync(VerificationResult result)
    {
        try
        {
            await clinic.EnqueueVerificationAsync(result, _stopping);
            log.LogInformation("Verification {Id} queued for delivery ({Method})", result.Id, result.Method);
            VerificationCommitted?.Invoke(result);
        }
        catch (Exception ex)
        {
            log.LogCritical(ex, "Verification {Id} could not be queued", result.Id);
            Execute(new Fx.RaiseAlert(new TerminalAlert(AlertKind.DeviceFault, result.Id, clock.GetUtcNow(), "outbox unavailable")));
        }
    }

    private void RunCardWork(Guid sessionId, Func<CancellationToken, Task<SessionEvent>> work, Func<Exception, SessionEvent> onError)
    {
        if (!_cardWork.TryGetValue(sessionId, out var cts))
        {
            cts = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
            _cardWork[sessionId] = cts;
        }

        var token = cts.Token;
        _ = Task.Run(async () =>
        {
            SessionEvent result;
            try
            {
                result = await work(token);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return; // The session no longer wants it.
            }
            catch (Exception ex)
            {
                log.LogError(ex, "Card work failed for session {SessionId}", sessionId);
                result = onError(ex);
            }

            Post(result);
        }, CancellationToken.None);
    }

    private void CancelCardWork(Guid sessionId)
    {
        if (_cardWork.Remove(sessionId, out var cts))
        {
            cts.Cancel();
            cts.Dispose();
        }
    }

    private async Task PumpAsync<T>(IAsyncEnumerable<T> source, Func<T, SessionEvent?> map, string name, Action<string>? ended = null)
    {
        try
        {
            await foreach (var item in source)
            {
                if (map(item) is { } e)
                {
                    Post(e);
                }
            }

            if (!_stopping.IsCancellationRequested)
            {
                ended?.Invoke($"the {name} stopped reporting");
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            log.LogError(ex, "The {Source} stopped", name);
            ended?.Invoke($"the {name} stopped: {ex.Message}");
        }
    }

    /// <summary>
    /// Draws screens in the background. A slow panel never holds the session up: when screens queue up,
    /// only the newest is drawn (the patient could not have seen the others anyway).
    /// </summary>
    private async Task ShowScreensAsync(CancellationToken stoppingToken)
    {
        while (await _screens.Reader.WaitToReadAsync(CancellationToken.None))
        {
            Screen? latest = null;
            List<TaskCompletionSource<Exception?>>? waiting = null;
            while (_screens.Reader.TryRead(out var item))
            {
                latest = item.Screen;
                if (item.Drawn is { } drawn)
                {
                    (waiting ??= []).Add(drawn);
                }
            }

            Exception? error = null;
            try
            {
                await display.ShowAsync(latest!, CancellationToken.None);
            }
            catch (Exception ex)
            {
                error = ex;
                log.LogError(ex, "The display failed to show {Screen}", latest!.Id);
            }

            foreach (var drawn in waiting ?? [])
            {
                drawn.TrySetResult(error);
            }
        }
    }

    private async Task PublishStatesAsync(CancellationToken stoppingToken)
    {
        await foreach (var state in _states.Reader.ReadAllAsync(CancellationToken.None))
        {
            // Not cancelled on stop: the last state (usually idle) still goes out before the link closes.
            await RunLoggedAsync(() => clinic.PublishStateAsync(state, CancellationToken.None), "state");
        }
    }

    private async Task RunLoggedAsync(Func<Task> action, string what)
    {
        try
        {
            await action();
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            log.LogError(ex, "Publishing {What} failed", what);
        }
    }
}
