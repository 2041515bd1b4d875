using MynaTerminal.Core.Cards;
using MynaTerminal.Core.Results;
using E = MynaTerminal.Core.Session.SessionEvent;

namespace MynaTerminal.Core.Session;

/// <summary>
/// The patient session: a pure state machine. It reacts to <see cref="SessionEvent"/>s, returns the
/// <see cref="SessionEffect"/>s the terminal must carry out, and exposes a <see cref="SessionSnapshot"/> for
/// screens. It knows no hardware and reads time only from its <see cref="TimeProvider"/>; whoever drives it
/// sends <see cref="E.Tick"/> at <see cref="NextWakeUp"/>. Not thread-safe: one caller at a time.
/// </summary>
public sealed class PatientSession
{
    private static readonly SessionPhase[] WarnedPhases =
    [
        SessionPhase.CertificateNotice, SessionPhase.MethodChoice, SessionPhase.Pin,
        SessionPhase.Consent, SessionPhase.PrescriptionForm,
    ];

    private readonly SessionOptions _options;
    private readonly TimeProvider _clock;
    private readonly IReadOnlyList<ConsentCategory> _categories;
    private readonly List<SessionEffect> _effects = [];

    private SessionPhase _phase = SessionPhase.Idle;
    private TerminalMode _mode = TerminalMode.Automatic;
    /// <summary>The running session was sent to the visual check by <see cref="TerminalMode.Staff"/>: the mode ends with it.</summary>
    private bool _staffModeUsed;
    private string _language;
    private Guid _sessionId;
    private DateTimeOffset _startedAt;
    private CardSnapshot? _card;
    private CertificateInfo? _certificate;
    private CertificateExpiry? _expiry;
    private List<MethodOption> _methods = [];
    private MethodNotice _methodNotice;
    private readonly int[] _pinDigits = new int[Pin.Length];
    private int _pinCount;
    private int? _pinTriesLeft;
    private bool _pinWasWrong;
    private bool _pinLastTryPending;
    private bool _pinVerifying;
    private int _faceAttempt;
    private FaceHint _faceHint;
    private FaceEvidence? _faceEvidence;
    private IdentityMethod? _identifiedBy;
    private readonly List<ConsentDecision> _consents = [];
    private ConsentMode _consentMode = ConsentMode.NotAsked;
    private int? _consentIndex;
    private PrescriptionForm? _prescription;
    private EligibilityAnswer? _eligibility;
    private bool _eligibilityMissing;
    private FailureReason? _failure;
    private IdleNotice _idleNotice;
    private SessionPhase _helpReturnPhase;
    private DateTimeOffset? _deadline;
    private bool _warning;

    public PatientSession(SessionOptions options, TimeProvider clock)
    {
        _options = options;
        _clock = clock;
        _categories = options.Categories;
        _language = options.DefaultLanguage;
    }

    public SessionPhase Phase => _phase;

    /// <summary>How the terminal takes patients now.</summary>
    public TerminalMode Mode => _mode;

    /// <summary>When the driver must send the next <see cref="E.Tick"/>; null when nothing is pending.</summary>
    public DateTimeOffset? NextWakeUp =>
        _deadline is not { } deadline ? null
        : WarnsBeforeTimeout && !_warning ? deadline - _options.WarningLead
        : deadline;

    public SessionSnapshot Snapshot => new()
    {
        Phase = _phase,
        SessionId = OutsideSession ? null : _sessionId,
        Mode = _mode,
        Language = _language,
        CardKind = _card?.Kind,
        Expiry = _expiry,
        CertificateNotAfter = _certificate?.NotAfter,
        Methods = _methods.ToArray(),
        MethodNotice = _methodNotice,
        PinDigitsEntered = _pinCount,
        PinTriesLeft = _pinTriesLeft,
        PinWasWrong = _pinWasWrong,
        PinLastTryPending = _pinLastTryPending,
        FaceAttempt = _faceAttempt,
        FaceHint = _faceHint,
        ConsentCategories = _categories,
        ConsentCategoryIndex = _consentIndex,
        IdentifiedBy = _identifiedBy,
        Eligibility = _eligibility,
        EligibilityMissing = _eligibilityMissing,
        Failure = _failure,
        IdleNotice = _idleNotice,
        TimeoutWarning = _warning,
        Deadline = _deadline,
    };

    private bool WarnsBeforeTimeout => Array.IndexOf(WarnedPhases, _phase) >= 0;

    private bool InSession => _phase is not (SessionPhase.Idle or SessionPhase.Done or SessionPhase.Failed or SessionPhase.OutOfService);

    /// <summary>No session at all: waiting for a card, or out of service.</summary>
    private bool OutsideSession => _phase is SessionPhase.Idle or SessionPhase.OutOfService;

    private DateTimeOffset Now => _clock.GetUtcNow();

    /// <summary>Applies one event and returns the effects to carry out, in order.</summary>
    public IReadOnlyList<SessionEffect> Handle(SessionEvent e)
    {
        _effects.Clear();
        switch (e)
        {
            case E.Tick: OnTick(); break;
            case E.CardInserted: OnCardInserted(); break;
            case E.CardRemoved: OnCardRemoved(); break;
            case E.LanguageSelected l: OnLanguage(l.Language); break;
            case E.HelpRequested: OnHelp(); break;
            case E.Cancel: OnCancel(); break;
            case E.StaffResume: OnStaffResume(); break;
            case E.StaffVisualApproved: OnStaffVisualApproved(); break;
            case E.CardReadCompleted r when IsCurrent(r.SessionId, SessionPhase.Reading): OnCardRead(r.Outcome); break;
            case E.Continue when _phase == SessionPhase.CertificateNotice: AfterCertificateNotice(); break;
            case E.MethodChosen m when _phase == SessionPhase.MethodChoice: OnMethodChosen(m.Method); break;
            case E.FaceProgress p when IsCurrent(p.SessionId, SessionPhase.Face): _faceHint = p.Hint; break;
            case E.FaceCompleted f when IsCurrent(f.SessionId, SessionPhase.Face): OnFaceCompleted(f.Outcome); break;
            case E.PinDigit d when _phase == SessionPhase.Pin: OnPinDigit(d.Digit); break;
            case E.PinBackspace when _phase == SessionPhase.Pin && !_pinVerifying: OnPinBackspace(); break;
            case E.PinSubmit when _phase == SessionPhase.Pin: OnPinSubmit(); break;
            case E.PinLastTryConfirmed when _phase == SessionPhase.Pin && _pinLastTryPending: SendPin(); break;
            case E.PinVerifyCompleted v when IsCurrent(v.SessionId, SessionPhase.Pin) && _pinVerifying: OnPinVerified(v.Outcome); break;
            case E.PhoneCompleted p when IsCurrent(p.SessionId, SessionPhase.PhoneConfirm): OnPhoneCompleted(p.Outcome); break;
            case E.Back: OnBack(); break;
            case E.ConsentAll when _phase == SessionPhase.Consent && _consentIndex is null: OnConsentAll(); break;
            case E.ConsentIndividual when _phase == SessionPhase.Consent && _consentIndex is null: OnConsentIndividual(); break;
            case E.ConsentAnswer a when _phase == SessionPhase.Consent && _consentIndex is not null: OnConsentAnswer(a.Agreed); break;
            case E.PrescriptionChosen p when _phase == SessionPhase.PrescriptionForm: _prescription = p.Form; Commit(); break;
            case E.EligibilityAnswered a when _phase == SessionPhase.Eligibility && a.Answer.VerificationId == _sessionId: OnEligibility(a.Answer); break;
            case E.ModeRequested m: OnModeRequested(m.Mode); break;
            default: break; // Stale results and input that does not fit the screen are ignored.
        }

        return _effects.ToArray();
    }

    private bool IsCurrent(Guid sessionId, SessionPhase phase) => _phase == phase && sessionId == _sessionId;

    // ---- time ---------------------------------------------------------------------------------------

    private void OnTick()
    {
        if (_deadline is not { } deadline)
        {
            return;
        }

        var now = Now;
        if (now >= deadline)
        {
            OnTimeout();
        }
        else if (WarnsBeforeTimeout && now >= deadline - _options.WarningLead)
        {
            _warning = true;
        }
    }

    private void OnTimeout()
    {
        switch (_phase)
        {
            case SessionPhase.Idle:
                // Nobody placed a card: the notice goes, and the next patient starts in the default language.
                _idleNotice = IdleNotice.None;
                _language = _options.DefaultLanguage;
                _deadline = null;
                break;
            case SessionPhase.Reading:
                Emit(new SessionEffect.CancelCardWork(_sessionId));
                Fail(FailureReason.CardUnreadable);
                break;
            case SessionPhase.CertificateNotice:
                // The notice is information only: it moves on by itself.
                AfterCertificateNotice();
                break;
            case SessionPhase.Pin when _pinVerifying:
                // Never abandon a VERIFY in flight: its answer moves the card's counter.
                Arm();
                break;
            case SessionPhase.Eligibility:
                _eligibilityMissing = true;
                EnterDone();
                break;
            case SessionPhase.Done or SessionPhase.Failed:
                Alert(AlertKind.CardLeftBehind);
                _deadline = null;
                break;
            default:
                Emit(new SessionEffect.CancelCardWork(_sessionId));
                Fail(FailureReason.TimedOut);
                break;
        }
    }

    /// <summary>Starts the current phase's time-out.</summary>
    private void Arm()
    {
        _warning = false;
        var timeout = _phase == SessionPhase.Idle ? IdleTimeout() : _options.Timeouts.For(_phase);
        _deadline = timeout is { } t ? Now + t : null;
    }

    /// <summary>Idle waits for nothing, unless it shows a notice or a language other than the default was chosen.</summary>
    private TimeSpan? IdleTimeout()
    {
        TimeSpan? notice = _idleNotice == IdleNotice.None ? null : _options.Timeouts.IdleNotice;
        TimeSpan? language = IsDefaultLanguage ? null : _options.Timeouts.IdleLanguage;
        return notice is { } n && language is { } l ? (n < l ? n : l) : notice ?? language;
    }

    private bool IsDefaultLanguage => string.Equals(_language, _options.DefaultLanguage, StringComparison.OrdinalIgnoreCase);

    /// <summary>Patient input restarts a warned phase's time-out.</summary>
    private void Touch()
    {
        if (WarnsBeforeTimeout)
        {
            Arm();
        }
    }

    private void Enter(SessionPhase phase)
    {
        _phase = phase;
        Arm();
    }

    // ---- card presence -----------------------------------------------------------------------------

    private void OnCardInserted()
    {
        if (_phase != SessionPhase.Idle)
        {
            return;
        }

        // The language chosen on the idle screen is the session's; the rest starts afresh.
        var chosen = _language;
        ResetSession();
        _language = chosen;
        _sessionId = Guid.NewGuid();
        _startedAt = Now;
        Enter(SessionPhase.Reading);
        Emit(new SessionEffect.ReadCard(_sessionId));
    }

    private void OnCardRemoved()
    {
        switch (_phase)
        {
            case SessionPhase.Idle or SessionPhase.OutOfService:
                return;
            case SessionPhase.Done or SessionPhase.Failed or SessionPhase.Eligibility:
                // Eligibility: the verification is already delivered; the answer is for reception now.
                Emit(new SessionEffect.ReleaseCard(_sessionId));
                EnterIdle(IdleNotice.None);
                return;
            default:
                // Pulled mid-session: stop all card work; nothing was or will be published.
                Emit(new SessionEffect.CancelCardWork(_sessionId));
                Emit(new SessionEffect.ReleaseCard(_sessionId));
                EnterIdle(IdleNotice.CardRemovedEarly);
                return;
        }
    }

    /// <summary>The session is over: wait for the next card, or go out of service if that was asked for meanwhile.</summary>
    private void EnterIdle(IdleNotice notice)
    {
        ResetSession();
        if (_staffModeUsed)
        {
            // 目視確認モード lasts one patient: the next one gets face and PIN again.
            _staffModeUsed = false;
            if (_mode == TerminalMode.Staff)
            {
                _mode = TerminalMode.Automatic;
            }
        }

        if (_mode == TerminalMode.OutOfService)
        {
            Enter(SessionPhase.OutOfService);
            return;
        }

        _idleNotice = notice;
        Enter(SessionPhase.Idle);
    }

    // ---- mode --------------------------------------------------------------------------------------

    private void OnModeRequested(TerminalMode mode)
    {
        _mode = mode;
        switch (mode)
        {
            case TerminalMode.OutOfService when _phase == SessionPhase.Idle:
                ResetSession();
                Enter(SessionPhase.OutOfService);
                break;
            case TerminalMode.OutOfService:
                // A patient in a session finishes first; EnterIdle goes out of service afterwards.
                break;
            case TerminalMode.Automatic or TerminalMode.Staff when _phase == SessionPhase.OutOfService:
                EnterIdle(IdleNotice.None);
                break;
            case TerminalMode.Staff when _phase == SessionPhase.MethodChoice && _card?.Kind == CardKind.Card:
                // Staff switched to the visual check for the patient who is waiting on the method choice.
                _staffModeUsed = true;
                EnterStaffVisual();
                break;
        }
    }

    private void ResetSession()
    {
        _card = null;
        _certificate = null;
        _expiry = null;
        _methods = [];
        _methodNotice = MethodNotice.None;
        ClearPinDigits();
        _pinTriesLeft = null;
        _pinWasWrong = false;
        _pinLastTryPending = false;
        _pinVerifying = false;
        _faceAttempt = 0;
        _faceHint = FaceHint.None;
        _faceEvidence = null;
        _identifiedBy = null;
        _consents.Clear();
        _consentMode = ConsentMode.NotAsked;
        _consentIndex = null;
        _prescription = null;
        _eligibility = null;
        _eligibilityMissing = false;
        _failure = null;
        _idleNotice = IdleNotice.None;
        _language = _options.DefaultLanguage;
    }

    // ---- global input ------------------------------------------------------------------------------

    private void OnLanguage(string language)
    {
        _language = language;
        if (_phase == SessionPhase.Idle)
        {
            // On the idle screen the choice waits for the card, but not for ever (the previous session's notice goes).
            _idleNotice = IdleNotice.None;
            Arm();
            return;
        }

        Touch();
    }

    private void OnHelp()
    {
        if (!InSession || _phase is SessionPhase.StaffHelp or SessionPhase.StaffVisual || _pinVerifying)
        {
            // Outside a session (or already waiting for staff) the call still reaches staff.
            Alert(AlertKind.HelpRequested);
            return;
        }

        Alert(AlertKind.HelpRequested);
        if (_phase is SessionPhase.Reading or SessionPhase.Face or SessionPhase.PhoneConfirm)
        {
            Emit(new SessionEffect.CancelCardWork(_sessionId));
        }

        ClearPinDigits();
        _pinLastTryPending = false;
        _helpReturnPhase = _phase;
        Enter(SessionPhase.StaffHelp);
    }

    private void OnStaffResume()
    {
        if (_phase == SessionPhase.StaffHelp)
        {
            Resume(_helpReturnPhase);
        }
        else if (_phase == SessionPhase.StaffVisual && _methods.Any(m => m != MethodOption.Staff))
        {
            Enter(SessionPhase.MethodChoice);
        }
    }

    /// <summary>Re-enters a phase after staff help, restarting the work it was doing.</summary>
    private void Resume(SessionPhase phase)
    {
        Enter(phase);
        switch (phase)
        {
            case SessionPhase.Reading: Emit(new SessionEffect.ReadCard(_sessionId)); break;
            case SessionPhase.Face: Emit(new SessionEffect.AuthenticateFace(_sessionId, _faceAttempt)); break;
            case SessionPhase.PhoneConfirm: Emit(new SessionEffect.ConfirmOnPhone(_sessionId)); break;
        }
    }

    private void OnStaffVisualApproved()
    {
        var waitingForStaff = _phase == SessionPhase.StaffVisual
            || (_phase == SessionPhase.StaffHelp && _identifiedBy is null && _helpReturnPhase != SessionPhase.Reading);
        if (waitingForStaff && _certificate is not null)
        {
            Identified(IdentityMethod.Visual);
        }
    }

    private void OnCancel()
    {
        if (_phase == SessionPhase.Eligibility)
        {
            _eligibilityMissing = true;
            EnterDone();
        }
        else if (InSession)
        {
            Emit(new SessionEffect.CancelCardWork(_sessionId));
            Fail(FailureReason.Cancelled);
        }
    }

    private void OnBack()
    {
        switch (_phase)
        {
            case SessionPhase.Pin when _pinLastTryPending:
                _pinLastTryPending = false;
                ClearPinDigits();
                Touch();
                break;
            case SessionPhase.Pin when !_pinVerifying && _card?.Kind == CardKind.Card:
            case SessionPhase.StaffVisual when _methods.Any(m => m != MethodOption.Staff):
                ClearPinDigits();
                _pinLastTryPending = false;
                Enter(SessionPhase.MethodChoice);
                break;
            case SessionPhase.Consent when _consentIndex is not null:
                _consentIndex = null;
                _consents.Clear();
                Touch();
                break;
        }
    }

    // ---- reading -----------------------------------------------------------------------------------

    private void OnCardRead(CardReadOutcome outcome)
    {
        switch (outcome)
        {
            case CardReadOutcome.Read read:
                _card = read.Card;
                _pinTriesLeft = read.Card.Pin is PinStatus.Ready r ? r.TriesLeft : null;
                if (read.Card.Certificate is { } certificate)
                {
                    AfterCertificateKnown(certificate, StartIdentification);
                }
                else if (read.Card.Kind == CardKind.Android)
                {
                    StartIdentification(); // Android: the certificate is readable only after the PIN.
                }
                else
                {
                    Fail(FailureReason.CardUnreadable);
                }

                break;
            case CardReadOutcome.NotMyNumberCard:
                Fail(FailureReason.NotMyNumberCard);
                break;
            case CardReadOutcome.Unreadable:
                Fail(FailureReason.CardUnreadable);
                break;
            case CardReadOutcome.Removed:
                OnCardRemoved();
                break;
        }
    }

    /// <summary>Classifies the certificate; stops on expiry, shows the renewal notice, or goes on.</summary>
    private void AfterCertificateKnown(CertificateInfo certificate, Action next)
    {
        _certificate = certificate;
        _expiry = _options.ExpiryPolicy.Classify(certificate.NotAfter, Now, _card!.Kind);
        switch (_expiry)
        {
            case CertificateExpiry.Expired:
                Fail(FailureReason.CertificateExpired);
                break;
            case CertificateExpiry.ExpiringSoon or CertificateExpiry.ExpiredInGrace:
                Enter(SessionPhase.CertificateNotice);
                break;
            default:
                next();
                break;
        }
    }

    private void AfterCertificateNotice()
    {
        if (_identifiedBy is not null)
        {
            AfterIdentified();
        }
        else
        {
            StartIdentification();
        }
    }

    private void StartIdentification()
    {
        var card = _card!;
        switch (card.Kind)
        {
            case CardKind.IPhone:
                Enter(SessionPhase.PhoneConfirm);
                Emit(new SessionEffect.ConfirmOnPhone(_sessionId));
                return;
            case CardKind.Android:
                if (card.Pin.IsUsable)
                {
                    _methods = [MethodOption.Pin];
                    Enter(SessionPhase.Pin);
                }
                else
                {
                    Fail(FailureReason.NoMethodLeft);
                }

                return;
            default:
                _methods = [];
                if (card.HasFacePhoto)
                {
                    _methods.Add(MethodOption.Face);
                }

                if (card.Pin.IsUsable)
                {
                    _methods.Add(MethodOption.Pin);
                }

                _methods.Add(MethodOption.Staff);
                _methodNotice = card.Pin is PinStatus.Blocked ? MethodNotice.PinBlocked : MethodNotice.None;
                if (_mode == TerminalMode.Staff)
                {
                    // 目視確認モード: staff compare the patient with the card photo; no method choice.
                    _staffModeUsed = true;
                    EnterStaffVisual();
                    return;
                }

                Enter(SessionPhase.MethodChoice);
                return;
        }
    }

    // ---- identity ----------------------------------------------------------------------------------

    private void OnMethodChosen(MethodOption method)
    {
        if (!_methods.Contains(method))
        {
            return;
        }

        switch (method)
        {
            case MethodOption.Face:
                _faceAttempt = 1;
                _faceHint = FaceHint.None;
                Enter(SessionPhase.Face);
                Emit(new SessionEffect.AuthenticateFace(_sessionId, _faceAttempt));
                break;
            case MethodOption.Pin:
                ClearPinDigits();
                Enter(SessionPhase.Pin);
                break;
            case MethodOption.Staff:
                EnterStaffVisual();
                break;
        }
    }

    private void EnterStaffVisual()
    {
        Alert(AlertKind.VisualCheckNeeded);
        Enter(SessionPhase.StaffVisual);
    }

    private void OnFaceCompleted(FaceOutcome outcome)
    {
        switch (outcome)
        {
            case FaceOutcome.Matched m:
                _faceEvidence = new FaceEvidence(m.Band, m.LivenessPassed, _faceAttempt);
                Identified(IdentityMethod.Face);
                break;
            case FaceOutcome.NotMatched n when _faceAttempt < _options.MaxFaceAttempts:
                RetryFace(n.Hint);
                break;
            case FaceOutcome.CardFaceUnreadable when _faceAttempt < _options.MaxFaceAttempts:
                RetryFace(FaceHint.None);
                break;
            case FaceOutcome.NotMatched:
                FaceFallback(MethodNotice.FaceFailed);
                break;
            case FaceOutcome.CardFaceUnreadable:
                FaceFallback(MethodNotice.CardFaceUnreadable);
                break;
            case FaceOutcome.CardFaceRejected:
                FaceFallback(MethodNotice.FaceFailed);
                break;
            case FaceOutcome.SpoofSuspected:
                // A suspected photo or screen attack goes to staff, never straight to another method.
                Alert(AlertKind.SpoofSuspected);
                _methods.Remove(MethodOption.Face);
                _methodNotice = MethodNotice.SpoofSuspected;
                EnterStaffVisual();
                break;
            case FaceOutcome.Failed f:
                Alert(AlertKind.DeviceFault, f.Detail);
                FaceFallback(MethodNotice.FaceFailed);
                break;
        }
    }

    private void RetryFace(FaceHint hint)
    {
        _faceAttempt++;
        _faceHint = hint;
        Arm();
        Emit(new SessionEffect.AuthenticateFace(_sessionId, _faceAttempt));
    }

    /// <summary>Face did not work: offer what is left (the PIN if usable), else a visual check by staff.</summary>
    private void FaceFallback(MethodNotice notice)
    {
        _methods.Remove(MethodOption.Face);
        _methodNotice = notice;
        if (_methods.Contains(MethodOption.Pin))
        {
            Enter(SessionPhase.MethodChoice);
        }
        else
        {
            EnterStaffVisual();
        }
    }

    private void OnPinDigit(int digit)
    {
        if (_pinVerifying || _pinLastTryPending || _pinCount >= Pin.Length || digit is < 0 or > 9)
        {
            return;
        }

        _pinDigits[_pinCount++] = digit;
        _pinWasWrong = false;
        Touch();
    }

    private void OnPinBackspace()
    {
        if (_pinLastTryPending || _pinCount == 0)
        {
            return;
        }

        _pinDigits[--_pinCount] = 0;
        Touch();
    }

    private void OnPinSubmit()
    {
        if (_pinVerifying || _pinCount != Pin.Length)
        {
            return;
        }

        if (_pinTriesLeft == 1 && !_pinLastTryPending)
        {
            // Warn before the last try: a wrong PIN now locks it.
            _pinLastTryPending = true;
            Touch();
            return;
        }

        SendPin();
    }

    private void SendPin()
    {
        var pin = Pin.FromDigits(_pinDigits.AsSpan(0, _pinCount));
        ClearPinDigits();
        _pinLastTryPending = false;
        _pinVerifying = true;
        Arm();
        Emit(new SessionEffect.VerifyPin(_sessionId, pin));
    }

    private void ClearPinDigits()
    {
        Array.Clear(_pinDigits);
        _pinCount = 0;
    }

    private void OnPinVerified(PinOutcome outcome)
    {
        _pinVerifying = false;
        switch (outcome)
        {
            case PinOutcome.Verified v:
                _pinWasWrong = false;
                _identifiedBy = IdentityMethod.Pin;
                var certificate = v.Certificate ?? _certificate;
                if (certificate is null)
                {
                    Alert(AlertKind.DeviceFault, "no certificate after PIN");
                    Fail(FailureReason.DeviceFault);
                }
                else if (_certificate is null)
                {
                    AfterCertificateKnown(certificate, AfterIdentified);
                }
                else
                {
                    AfterIdentified();
                }

                break;
            case PinOutcome.Wrong w when w.TriesLeft > 0:
                _pinTriesLeft = w.TriesLeft;
                _pinWasWrong = true;
                Arm();
                break;
            case PinOutcome.Wrong or PinOutcome.Blocked:
                _pinTriesLeft = 0;
                Alert(AlertKind.PinBlocked);
                _methods.Remove(MethodOption.Pin);
                _methodNotice = MethodNotice.PinBlocked;
                if (_card!.Kind != CardKind.Card)
                {
                    Fail(FailureReason.NoMethodLeft);
                }
                else if (_methods.Contains(MethodOption.Face) && _faceAttempt == 0)
                {
                    Enter(SessionPhase.MethodChoice);
                }
                else
                {
                    EnterStaffVisual();
                }

                break;
            case PinOutcome.Failed f:
                Alert(AlertKind.DeviceFault, f.Detail);
                Fail(FailureReason.DeviceFault);
                break;
        }
    }

    private void OnPhoneCompleted(PhoneOutcome outcome)
    {
        switch (outcome)
        {
            case PhoneOutcome.Confirmed c:
                _certificate ??= c.Certificate;
                Identified(IdentityMethod.PhoneBiometric);
                break;
            case PhoneOutcome.Declined:
                Fail(FailureReason.Cancelled);
                break;
            case PhoneOutcome.Failed f:
                Alert(AlertKind.DeviceFault, f.Detail);
                Fail(FailureReason.DeviceFault);
                break;
        }
    }

    private void Identified(IdentityMethod method)
    {
        _identifiedBy = method;
        AfterIdentified();
    }

    // ---- consent and delivery ----------------------------------------------------------------------

    private void AfterIdentified()
    {
        _methodNotice = MethodNotice.None;
        if (_expiry == CertificateExpiry.ExpiredInGrace)
        {
            // 期限切れ猶予期間: eligibility only, no medical information shared, so nothing to consent to.
            _consentMode = ConsentMode.NotAsked;
            AfterConsent();
        }
        else
        {
            _consentIndex = null;
            Enter(SessionPhase.Consent);
        }
    }

    private void OnConsentAll()
    {
        var at = Now;
        _consentMode = ConsentMode.All;
        _consents.Clear();
        _consents.AddRange(_categories.Select(c => new ConsentDecision(c.Id, true, at)));
        AfterConsent();
    }

    private void OnConsentIndividual()
    {
        _consentMode = ConsentMode.Individual;
        _consents.Clear();
        _consentIndex = 0;
        Touch();
    }

    private void OnConsentAnswer(bool agreed)
    {
        var index = _consentIndex!.Value;
        _consents.Add(new ConsentDecision(_categories[index].Id, agreed, Now));
        if (index + 1 < _categories.Count)
        {
            _consentIndex = index + 1;
            Touch();
        }
        else
        {
            _consentIndex = null;
            AfterConsent();
        }
    }

    private void AfterConsent()
    {
        if (_options.AskPrescriptionForm)
        {
            Enter(SessionPhase.PrescriptionForm);
        }
        else
        {
            Commit();
        }
    }

    /// <summary>The verification is complete: hand it over for durable delivery, then wait for eligibility.</summary>
    private void Commit()
    {
        var consents = _consentMode == ConsentMode.NotAsked
            ? ConsentSet.NotAsked
            : new ConsentSet(_consentMode, _consents.ToArray());
        var result = new VerificationResult(
            _sessionId, _startedAt, Now, _card!.Kind, _identifiedBy!.Value, _certificate!, _expiry!.Value,
            consents, _prescription, _faceEvidence);
        Emit(new SessionEffect.CommitVerification(result));
        Enter(SessionPhase.Eligibility);
    }

    private void OnEligibility(EligibilityAnswer answer)
    {
        _eligibility = answer;
        EnterDone();
    }

    private void EnterDone()
    {
        Enter(SessionPhase.Done);
        Emit(new SessionEffect.ReleaseCard(_sessionId));
    }

    private void Fail(FailureReason reason)
    {
        _failure = reason;
        _pinVerifying = false;
        _pinLastTryPending = false;
        ClearPinDigits();
        Enter(SessionPhase.Failed);
        Emit(new SessionEffect.ReleaseCard(_sessionId));
    }

    private void Alert(AlertKind kind, string? detail = null) =>
        Emit(new SessionEffect.RaiseAlert(new TerminalAlert(kind, OutsideSession ? null : _sessionId, Now, detail)));

    private void Emit(SessionEffect effect) => _effects.Add(effect);
}
