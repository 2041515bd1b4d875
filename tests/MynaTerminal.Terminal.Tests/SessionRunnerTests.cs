using Microsoft.Extensions.Time.Testing;
using MynaTerminal.Core.Cards;
using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Results;
using MynaTerminal.Core.Session;
using MynaTerminal.Simulation;
using MynaTerminal.Terminal.Tests.Support;

namespace MynaTerminal.Terminal.Tests;

/// <summary>
/// The session loop in-process with the real registrations (AddPatientSession, AddDevices, AddScreens), simulated
/// devices, and an in-memory clinic link.
/// </summary>
public sealed class SessionRunnerTests
{
    private static readonly TimeSpan Generous = TerminalHarness.Generous;

    /// <summary>Short face attempts (3 frames) so the face paths take a fraction of a second.</summary>
    private static readonly Dictionary<string, string?> QuickFace = new() { ["Face:MaxFrames"] = "3" };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Whether <paramref name="sub"/> appears in <paramref name="sequence"/> in order (gaps allowed).</summary>
    private static bool IsOrderedSubsequence<T>(IEnumerable<T> sub, IReadOnlyList<T> sequence)
    {
        var i = 0;
        foreach (var item in sub)
        {
            while (i < sequence.Count && !EqualityComparer<T>.Default.Equals(sequence[i], item))
            {
                i++;
            }

            if (i++ >= sequence.Count)
            {
                return false;
            }
        }

        return true;
    }

    [Fact]
    public async Task A_PIN_session_queues_one_verification_and_the_clinic_answer_finishes_it()
    {
        await using var terminal = await TerminalHarness.StartAsync();

        await terminal.PlayAsync("""
            insert normal
            wait MethodChoice 20
            choose pin
            wait Pin 20
            pin 1234
            wait Consent 20
            consent all
            wait Eligibility 20
            """);

        var verification = Assert.Single(terminal.Link.Verifications.Items);
        var eligibility = await terminal.WaitForPhaseAsync(SessionPhase.Eligibility);
        Assert.Equal(eligibility.SessionId, verification.Id);
        Assert.Equal(IdentityMethod.Pin, verification.Method);
        Assert.Equal(CardKind.Card, verification.CardKind);
        Assert.Equal(ConsentMode.All, verification.Consents.Mode);
        Assert.Equal(SessionOptions.DefaultConsentCategories, verification.Consents.Decisions.Select(d => d.CategoryId));
        Assert.All(verification.Consents.Decisions, d => Assert.True(d.Agreed));
        Assert.Null(verification.Face);
        Assert.Equal("normal", terminal.Reader.HolderOf(verification.Certificate.SerialNumberHex)?.Id);
        Assert.Equal(1, terminal.Reader.PinVerifyCount);

        // The clinic answers: the session is done and greets the patient.
        await terminal.Link.Commands.Writer.WriteAsync(
            new ClinicCommand.Eligibility(new EligibilityAnswer(verification.Id, EligibilityStatus.Valid, "山田 太郎", [])), Ct);
        var done = await terminal.WaitForPhaseAsync(SessionPhase.Done);
        Assert.Equal("山田 太郎", done.Eligibility?.GreetingName);
        Assert.False(done.EligibilityMissing);

        terminal.Reader.Remove();
        var idle = await terminal.WaitForPhaseAsync(SessionPhase.Idle);
        Assert.Equal(IdleNotice.None, idle.IdleNotice);

        Assert.Equal(
            [
                SessionPhase.Idle, SessionPhase.Reading, SessionPhase.MethodChoice, SessionPhase.Pin,
                SessionPhase.Consent, SessionPhase.Eligibility, SessionPhase.Done, SessionPhase.Idle,
            ],
            terminal.Phases);
        Assert.Single(terminal.Link.Verifications.Items); // still exactly one

        // The clinic's retained state follows the same phases (it keeps only the newest when several queue up).
        await terminal.Link.States.WaitForAsync(s => s.Phase == SessionPhase.Eligibility, Generous, Ct);
        var states = terminal.Link.States.Items;
        Assert.Equal(SessionPhase.Idle, states[0].Phase);
        Assert.True(IsOrderedSubsequence(states.Select(s => s.Phase), terminal.Phases), string.Join(" → ", states.Select(s => s.Phase)));
        Assert.All(states, s => Assert.Equal("ja", s.Language));
    }

    [Fact]
    public async Task A_card_pulled_during_PIN_entry_queues_nothing_and_tells_the_next_patient()
    {
        await using var terminal = await TerminalHarness.StartAsync();
        await terminal.PlayAsync("""
            insert normal
            wait MethodChoice 20
            choose pin
            wait Pin 20
            press digit:1
            press digit:2
            """);
        await terminal.WaitForAsync(s => s.Phase == SessionPhase.Pin && s.PinDigitsEntered == 2, "two PIN digits");

        terminal.Reader.Remove();
        var idle = await terminal.WaitForPhaseAsync(SessionPhase.Idle);

        Assert.Equal(IdleNotice.CardRemovedEarly, idle.IdleNotice);
        Assert.Null(idle.SessionId);
        Assert.Equal(0, idle.PinDigitsEntered);
        Assert.Empty(terminal.Link.Verifications.Items);
        Assert.Equal(0, terminal.Reader.PinVerifyCount);
        Assert.Empty(terminal.Card.Pins);
    }

    [Fact]
    public async Task A_face_only_card_with_a_stranger_goes_to_staff_with_an_alert()
    {
        await using var terminal = await TerminalHarness.StartAsync(settings: QuickFace);
        await terminal.PlayAsync("""
            insert face-only
            wait MethodChoice 20
            face stranger
            choose face
            wait StaffVisual 20
            """);

        var staff = await terminal.WaitForPhaseAsync(SessionPhase.StaffVisual);
        var alert = await terminal.Link.Alerts.WaitForAsync(a => a.Kind == AlertKind.VisualCheckNeeded, Generous, Ct);
        Assert.Equal(staff.SessionId, alert.SessionId);
        Assert.DoesNotContain(terminal.Link.Alerts.Items, a => a.Kind == AlertKind.SpoofSuspected);
        Assert.Equal([MethodOption.Staff], staff.Methods);
        Assert.Equal(MethodNotice.FaceFailed, staff.MethodNotice);
        Assert.Equal(2, staff.FaceAttempt); // the default two attempts, both with the stranger
        Assert.Empty(terminal.Link.Verifications.Items);
        Assert.Equal(0, terminal.Reader.PinVerifyCount);

        // Staff compare the patient with the card photo and approve: a visual verification follows.
        terminal.Link.AutoAnswerGreeting = "中村 𠮷男";
        await terminal.Link.Commands.Writer.WriteAsync(new ClinicCommand.StaffVisualApproval(), Ct);
        await terminal.WaitForPhaseAsync(SessionPhase.Consent);
        terminal.Input.Press(ActionIds.ConsentAll);
        await terminal.WaitForPhaseAsync(SessionPhase.Done);
        Assert.Equal(IdentityMethod.Visual, Assert.Single(terminal.Link.Verifications.Items).Method);
    }

    [Fact]
    public async Task A_photo_in_front_of_the_camera_is_a_suspected_spoof()
    {
        await using var terminal = await TerminalHarness.StartAsync(settings: new Dictionary<string, string?> { ["Face:SpoofFramesToReject"] = "2" });
        await terminal.PlayAsync("""
            insert normal
            wait MethodChoice 20
            face photo
            choose face
            wait StaffVisual 20
            """);

        var staff = await terminal.WaitForPhaseAsync(SessionPhase.StaffVisual);
        await terminal.Link.Alerts.WaitForAsync(a => a.Kind == AlertKind.SpoofSuspected && a.SessionId == staff.SessionId, Generous, Ct);
        Assert.Equal(MethodNotice.SpoofSuspected, staff.MethodNotice);
        Assert.DoesNotContain(MethodOption.Face, staff.Methods);
        Assert.Empty(terminal.Link.Verifications.Items);
    }

    [Fact]
    public async Task The_PIN_handed_to_the_reader_is_disposed_after_each_VERIFY()
    {
        await using var terminal = await TerminalHarness.StartAsync();
        await terminal.PlayAsync("""
            insert normal
            wait MethodChoice 20
            choose pin
            wait Pin 20
            pin 0000
            """);
        var wrong = await terminal.WaitForAsync(s => s.PinWasWrong, "a wrong PIN");
        Assert.Equal(2, wrong.PinTriesLeft);

        await terminal.PlayAsync("""
            pin 1234
            wait Consent 20
            """);

        var pins = terminal.Card.Pins;
        Assert.Equal(["0000", "1234"], pins.Select(p => p.ReadDuringVerify));
        Assert.NotSame(pins[0].Pin, pins[1].Pin);
        var buffer = new byte[Pin.Length];
        Assert.All(pins, p => Assert.Throws<ObjectDisposedException>(() => p.Pin.CopyAsciiTo(buffer)));
        Assert.Equal(new byte[Pin.Length], buffer);
    }

    [Fact]
    public async Task A_reader_fault_during_the_read_fails_the_session_and_the_loop_goes_on()
    {
        // A fake clock that never moves: the failure cannot come from the Reading time-out, only from the fault.
        await using var terminal = await TerminalHarness.StartAsync(NewClock());
        terminal.Card.ThrowOnNextRead = new IOException("SCardTransmit failed");

        terminal.Reader.Insert(Persona.Get("normal"));
        var failed = await terminal.WaitForPhaseAsync(SessionPhase.Failed);
        Assert.Equal(FailureReason.CardUnreadable, failed.Failure);

        terminal.Reader.Remove();
        await terminal.WaitForPhaseAsync(SessionPhase.Idle);

        // The loop survived: the next card is read normally.
        terminal.Reader.Insert(Persona.Get("normal"));
        var choice = await terminal.WaitForPhaseAsync(SessionPhase.MethodChoice);
        Assert.Equal([MethodOption.Face, MethodOption.Pin, MethodOption.Staff], choice.Methods);
        Assert.Empty(terminal.Link.Verifications.Items);
    }

    /// <summary>Verifications each built-in patient ends with.</summary>
    private static readonly (string Name, int Verifications)[] BuiltInVerifications =
    [
        ("pin", 1), ("face", 1), ("pulled", 0), ("expiring", 1), ("grace", 1),
        ("expired", 0), ("face-only", 1), ("android", 1), ("iphone", 1), ("unknown", 0),
    ];

    [Fact]
    public async Task Every_built_in_patient_plays_through_one_after_another()
    {
        Assert.Equal(PatientScript.BuiltIn.Keys.Order(), BuiltInVerifications.Select(b => b.Name).Order());
        await using var terminal = await TerminalHarness.StartAsync(settings: QuickFace);
        terminal.Link.AutoAnswerGreeting = "患者 様";

        // One terminal, patient after patient, as `mynaterm simulate --patients ...` plays them.
        foreach (var (name, expected) in BuiltInVerifications)
        {
            var before = terminal.Link.Verifications.Items.Count;
            try
            {
                await terminal.PlayAsync(PatientScript.BuiltIn[name]);
            }
            catch (TimeoutException ex)
            {
                Assert.Fail($"built-in patient '{name}': {ex.Message}");
            }

            Assert.True(expected == terminal.Link.Verifications.Items.Count - before, $"built-in patient '{name}' queued {terminal.Link.Verifications.Items.Count - before} verification(s), expected {expected}");
        }

        Assert.Equal(SessionPhase.Idle, terminal.Phases[^1]);
        var verifications = terminal.Link.Verifications.Items;
        Assert.Equal(verifications.Count, verifications.Select(v => v.Id).Distinct().Count());
        Assert.All(verifications, v => Assert.NotNull(terminal.Reader.HolderOf(v.Certificate.SerialNumberHex)));
        Assert.Equal(
            [IdentityMethod.Pin, IdentityMethod.Face, IdentityMethod.Face, IdentityMethod.Pin, IdentityMethod.Visual, IdentityMethod.Pin, IdentityMethod.PhoneBiometric],
            verifications.Select(v => v.Method));
        Assert.False(verifications[3].MedicalInformationShared); // grace: eligibility only
        Assert.Equal(ConsentMode.NotAsked, verifications[3].Consents.Mode);
        Assert.Equal([true, true, false], verifications[1].Consents.Decisions.Select(d => d.Agreed)); // face: individual yes yes no
    }

    // ---- time-outs on a fake clock (no face path: the simulated camera waits on the clock) -------------

    private static FakeTimeProvider NewClock() => new(DateTimeOffset.UtcNow);

    [Fact]
    public async Task The_method_choice_warns_then_times_out_to_Failed_and_a_card_left_behind_is_reported()
    {
        var clock = NewClock();
        await using var terminal = await TerminalHarness.StartAsync(clock);

        terminal.Reader.Insert(Persona.Get("normal"));
        var choice = await terminal.WaitForPhaseAsync(SessionPhase.MethodChoice);
        Assert.False(choice.TimeoutWarning);

        clock.Advance(TimeSpan.FromSeconds(50)); // 60 s time-out, warned 10 s before
        var warned = await terminal.WaitForAsync(s => s.TimeoutWarning, "the time-out warning");
        Assert.Equal(SessionPhase.MethodChoice, warned.Phase);

        clock.Advance(TimeSpan.FromSeconds(10));
        var failed = await terminal.WaitForPhaseAsync(SessionPhase.Failed);
        Assert.Equal(FailureReason.TimedOut, failed.Failure);
        Assert.Empty(terminal.Link.Verifications.Items);

        // Nobody takes the card: staff hear about it after a minute.
        clock.Advance(TimeSpan.FromSeconds(60));
        var alert = await terminal.Link.Alerts.WaitForAsync(a => a.Kind == AlertKind.CardLeftBehind, Generous, Ct);
        Assert.Equal(failed.SessionId, alert.SessionId);
    }

    [Fact]
    public async Task Input_before_the_deadline_extends_the_method_choice()
    {
        var clock = NewClock();
        await using var terminal = await TerminalHarness.StartAsync(clock);

        terminal.Reader.Insert(Persona.Get("normal"));
        await terminal.WaitForPhaseAsync(SessionPhase.MethodChoice);
        clock.Advance(TimeSpan.FromSeconds(50));
        await terminal.WaitForAsync(s => s.TimeoutWarning, "the time-out warning");

        terminal.Input.Press(ActionIds.Language("en"));
        await terminal.WaitForAsync(s => s.Language == "en" && !s.TimeoutWarning, "English without the warning");
        clock.Advance(TimeSpan.FromSeconds(49));
        terminal.Input.Press(ActionIds.MethodPin); // still in time: the original deadline has passed, the new one not
        var pin = await terminal.WaitForPhaseAsync(SessionPhase.Pin);
        Assert.Null(pin.Failure);
    }

    [Fact]
    public async Task A_read_that_hangs_is_cancelled_and_fails_as_unreadable()
    {
        var clock = NewClock();
        await using var terminal = await TerminalHarness.StartAsync(clock);
        terminal.Card.HangReads = true;

        terminal.Reader.Insert(Persona.Get("normal"));
        await terminal.WaitForPhaseAsync(SessionPhase.Reading);
        clock.Advance(TimeSpan.FromSeconds(15));

        var failed = await terminal.WaitForPhaseAsync(SessionPhase.Failed);
        Assert.Equal(FailureReason.CardUnreadable, failed.Failure);
        await terminal.Card.HangingReadCancelled.WaitAsync(Generous, Ct);
    }

    [Fact]
    public async Task Without_a_clinic_answer_the_session_ends_done_and_sends_the_patient_to_reception()
    {
        var clock = NewClock();
        await using var terminal = await TerminalHarness.StartAsync(clock);

        terminal.Reader.Insert(Persona.Get("normal"));
        await terminal.WaitForPhaseAsync(SessionPhase.MethodChoice);
        terminal.Input.Press(ActionIds.MethodPin);
        await terminal.WaitForPhaseAsync(SessionPhase.Pin);
        foreach (var digit in "1234")
        {
            terminal.Input.Press(ActionIds.Digit(digit - '0'));
        }

        terminal.Input.Press(ActionIds.PinOk);
        await terminal.WaitForPhaseAsync(SessionPhase.Consent);
        terminal.Input.Press(ActionIds.ConsentAll);
        await terminal.WaitForPhaseAsync(SessionPhase.Eligibility);
        Assert.Single(terminal.Link.Verifications.Items);

        clock.Advance(TimeSpan.FromSeconds(20));
        var done = await terminal.WaitForPhaseAsync(SessionPhase.Done);
        Assert.True(done.EligibilityMissing);
        Assert.Null(done.Eligibility);
    }

    [Fact]
    public async Task The_idle_notice_after_a_pulled_card_clears_after_its_time()
    {
        var clock = NewClock();
        await using var terminal = await TerminalHarness.StartAsync(clock);

        terminal.Reader.Insert(Persona.Get("normal"));
        await terminal.WaitForPhaseAsync(SessionPhase.MethodChoice);
        terminal.Reader.Remove();
        var idle = await terminal.WaitForPhaseAsync(SessionPhase.Idle);
        Assert.Equal(IdleNotice.CardRemovedEarly, idle.IdleNotice);

        clock.Advance(TimeSpan.FromSeconds(20));
        await terminal.WaitForAsync(s => s.Phase == SessionPhase.Idle && s.IdleNotice == IdleNotice.None, "the plain idle screen");
    }
}
