using MynaTerminal.Core.Cards;
using MynaTerminal.Core.Results;
using MynaTerminal.Core.Session;
using E = MynaTerminal.Core.Session.SessionEvent;
using Fx = MynaTerminal.Core.Session.SessionEffect;

namespace MynaTerminal.Core.Tests;

public sealed class CardRemovalTests
{
    /// <summary>Brings a fresh session to the named phase.</summary>
    internal static SessionHarness At(SessionPhase phase)
    {
        var h = new SessionHarness(o => o.AskPrescriptionForm = phase == SessionPhase.PrescriptionForm);
        if (phase == SessionPhase.Idle)
        {
            return h;
        }

        if (phase == SessionPhase.OutOfService)
        {
            h.Send(new E.ModeRequested(TerminalMode.OutOfService));
            return h;
        }

        if (phase == SessionPhase.Reading)
        {
            h.Send(new E.CardInserted(ReaderRole.CardTray));
            return h;
        }

        if (phase == SessionPhase.CertificateNotice)
        {
            h.InsertCard(SessionHarness.PlasticCard(notAfter: SessionHarness.Start.AddDays(30)));
            return h;
        }

        if (phase == SessionPhase.PhoneConfirm)
        {
            h.InsertCard(SessionHarness.PlasticCard() with { Kind = CardKind.IPhone });
            return h;
        }

        h.InsertCard(SessionHarness.PlasticCard());
        switch (phase)
        {
            case SessionPhase.MethodChoice: return h;
            case SessionPhase.Face: h.Send(new E.MethodChosen(MethodOption.Face)); return h;
            case SessionPhase.Pin: h.Send(new E.MethodChosen(MethodOption.Pin)); return h;
            case SessionPhase.StaffVisual: h.Send(new E.MethodChosen(MethodOption.Staff)); return h;
            case SessionPhase.StaffHelp: h.Send(new E.HelpRequested()); return h;
            case SessionPhase.Failed: h.Send(new E.Cancel()); return h;
        }

        h.Send(new E.MethodChosen(MethodOption.Face));
        h.Send(new E.FaceCompleted(h.Id, new FaceOutcome.Matched(FaceScoreBand.High, true)));
        if (phase == SessionPhase.Consent)
        {
            return h;
        }

        h.Send(new E.ConsentAll());
        if (phase == SessionPhase.PrescriptionForm)
        {
            return h;
        }

        if (phase == SessionPhase.Done)
        {
            h.Send(new E.EligibilityAnswered(new EligibilityAnswer(h.Id, EligibilityStatus.Valid, null, [])));
        }

        return h;
    }

    public static TheoryData<SessionPhase> PhasesBeforeCommit =>
    [
        SessionPhase.Reading, SessionPhase.CertificateNotice, SessionPhase.MethodChoice, SessionPhase.Face,
        SessionPhase.Pin, SessionPhase.PhoneConfirm, SessionPhase.StaffVisual, SessionPhase.StaffHelp,
        SessionPhase.Consent, SessionPhase.PrescriptionForm,
    ];

    [Fact]
    public void Every_phase_is_reachable_by_the_test_helper()
    {
        foreach (var phase in Enum.GetValues<SessionPhase>())
        {
            Assert.Equal(phase, At(phase).Phase);
        }
    }

    [Theory]
    [MemberData(nameof(PhasesBeforeCommit))]
    public void Card_pulled_before_commit_publishes_nothing_and_returns_to_idle_with_a_notice(SessionPhase phase)
    {
        var h = At(phase);
        var id = h.Id;
        h.Send(new E.CardRemoved());

        Assert.Equal(SessionPhase.Idle, h.Phase);
        Assert.Equal(IdleNotice.CardRemovedEarly, h.Snapshot.IdleNotice);
        Assert.Contains(h.Last, fx => fx is Fx.CancelCardWork c && c.SessionId == id);
        Assert.Contains(h.Last, fx => fx is Fx.ReleaseCard r && r.SessionId == id);
        Assert.Empty(h.Effects.OfType<Fx.CommitVerification>());

        // Late results of the pulled card's session change nothing.
        h.Send(new E.FaceCompleted(id, new FaceOutcome.Matched(FaceScoreBand.High, true)));
        h.Send(new E.PinVerifyCompleted(id, new PinOutcome.Verified(null)));
        h.Send(new E.CardReadCompleted(id, new CardReadOutcome.Read(SessionHarness.PlasticCard())));
        Assert.Equal(SessionPhase.Idle, h.Phase);
        Assert.Empty(h.Effects.OfType<Fx.CommitVerification>());

        // The notice goes away by itself.
        h.Advance(h.Options.Timeouts.IdleNotice);
        Assert.Equal(IdleNotice.None, h.Snapshot.IdleNotice);
        Assert.Null(h.Session.NextWakeUp);
    }

    [Theory]
    [InlineData(SessionPhase.Eligibility)]
    [InlineData(SessionPhase.Done)]
    public void Card_pulled_after_commit_keeps_the_delivered_verification(SessionPhase phase)
    {
        var h = At(phase);
        h.Send(new E.CardRemoved());
        Assert.Equal(SessionPhase.Idle, h.Phase);
        Assert.Equal(IdleNotice.None, h.Snapshot.IdleNotice);
        Assert.Single(h.Effects.OfType<Fx.CommitVerification>());
    }

    [Fact]
    public void Card_reported_removed_by_the_reader_while_reading_ends_the_session()
    {
        var h = At(SessionPhase.Reading);
        h.Send(new E.CardReadCompleted(h.Id, new CardReadOutcome.Removed()));
        Assert.Equal(SessionPhase.Idle, h.Phase);
        Assert.Equal(IdleNotice.CardRemovedEarly, h.Snapshot.IdleNotice);
    }

    [Fact]
    public void Failed_session_returns_to_idle_when_the_card_is_taken()
    {
        var h = At(SessionPhase.Failed);
        h.Send(new E.CardRemoved());
        Assert.Equal(SessionPhase.Idle, h.Phase);
        Assert.Equal(IdleNotice.None, h.Snapshot.IdleNotice);
    }

    [Fact]
    public void A_second_insert_during_a_session_is_ignored()
    {
        var h = At(SessionPhase.MethodChoice);
        var id = h.Id;
        Assert.Empty(h.Send(new E.CardInserted(ReaderRole.Phone)));
        Assert.Equal(id, h.Id);
    }
}

public sealed class TimeoutTests
{
    public static TheoryData<SessionPhase> InteractivePhases =>
    [
        SessionPhase.MethodChoice, SessionPhase.Pin, SessionPhase.Consent, SessionPhase.PrescriptionForm,
        SessionPhase.Face, SessionPhase.PhoneConfirm, SessionPhase.StaffVisual, SessionPhase.StaffHelp,
    ];

    [Theory]
    [MemberData(nameof(InteractivePhases))]
    public void Interactive_phases_time_out_to_failed_without_spending_anything(SessionPhase phase)
    {
        var h = CardRemovalTests.At(phase);
        var timeout = h.Options.Timeouts.For(phase)!.Value;
        h.Advance(timeout - TimeSpan.FromMilliseconds(1));
        Assert.Equal(phase, h.Phase);
        h.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(SessionPhase.Failed, h.Phase);
        Assert.Equal(FailureReason.TimedOut, h.Snapshot.Failure);
        Assert.Contains(h.Last, fx => fx is Fx.ReleaseCard);
        Assert.Empty(h.Effects.OfType<Fx.VerifyPin>());
        Assert.Empty(h.Effects.OfType<Fx.CommitVerification>());
        Assert.True(h.Snapshot.PinTriesLeft is null or 3); // a time-out never costs a try
    }

    [Theory]
    [InlineData(SessionPhase.MethodChoice)]
    [InlineData(SessionPhase.Pin)]
    [InlineData(SessionPhase.Consent)]
    [InlineData(SessionPhase.PrescriptionForm)]
    [InlineData(SessionPhase.CertificateNotice)]
    public void Patient_phases_warn_before_the_time_out(SessionPhase phase)
    {
        var h = CardRemovalTests.At(phase);
        var timeout = h.Options.Timeouts.For(phase)!.Value;
        h.Advance(timeout - h.Options.WarningLead - TimeSpan.FromMilliseconds(1));
        Assert.False(h.Snapshot.TimeoutWarning);
        h.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(h.Snapshot.TimeoutWarning);
        Assert.Equal(phase, h.Phase);
    }

    [Fact]
    public void Input_during_the_warning_extends_the_phase()
    {
        var h = CardRemovalTests.At(SessionPhase.Pin);
        h.Advance(h.Options.Timeouts.Pin - TimeSpan.FromSeconds(2));
        Assert.True(h.Snapshot.TimeoutWarning);
        h.Send(new E.PinDigit(5));
        Assert.False(h.Snapshot.TimeoutWarning);
        h.Advance(h.Options.Timeouts.Pin - TimeSpan.FromSeconds(1));
        Assert.Equal(SessionPhase.Pin, h.Phase);
        Assert.Equal(1, h.Snapshot.PinDigitsEntered);
    }

    [Fact]
    public void Time_out_clears_entered_pin_digits()
    {
        var h = CardRemovalTests.At(SessionPhase.Pin);
        h.Send(new E.PinDigit(1));
        h.Advance(h.Options.Timeouts.Pin);
        Assert.Equal(0, h.Snapshot.PinDigitsEntered);
    }

    [Fact]
    public void A_pin_verify_in_flight_is_never_abandoned_by_a_time_out()
    {
        var h = CardRemovalTests.At(SessionPhase.Pin);
        h.EnterPin("1234");
        h.Advance(h.Options.Timeouts.Pin * 3);
        Assert.Equal(SessionPhase.Pin, h.Phase);
        h.Send(new E.PinVerifyCompleted(h.Id, new PinOutcome.Wrong(2)));
        Assert.Equal(2, h.Snapshot.PinTriesLeft);
    }

    [Fact]
    public void Reading_that_never_finishes_is_reported_as_unreadable()
    {
        var h = CardRemovalTests.At(SessionPhase.Reading);
        h.Advance(h.Options.Timeouts.Reading);
        Assert.Equal(FailureReason.CardUnreadable, h.Snapshot.Failure);
        Assert.Contains(h.Effects, fx => fx is Fx.CancelCardWork);
    }

    [Fact]
    public void Certificate_notice_moves_on_by_itself()
    {
        var h = CardRemovalTests.At(SessionPhase.CertificateNotice);
        h.Advance(h.Options.Timeouts.CertificateNotice);
        Assert.Equal(SessionPhase.MethodChoice, h.Phase);
    }

    [Fact]
    public void Missing_eligibility_answer_still_finishes_and_sends_the_patient_to_reception()
    {
        var h = CardRemovalTests.At(SessionPhase.Eligibility);
        h.Advance(h.Options.Timeouts.Eligibility);
        Assert.Equal(SessionPhase.Done, h.Phase);
        Assert.True(h.Snapshot.EligibilityMissing);
        Assert.Single(h.Effects.OfType<Fx.CommitVerification>());
        Assert.Contains(h.Last, fx => fx is Fx.ReleaseCard);
    }

    [Fact]
    public void A_card_left_behind_raises_one_alert()
    {
        var h = CardRemovalTests.At(SessionPhase.Done);
        h.Advance(h.Options.Timeouts.CardLeftBehind * 3);
        var alert = Assert.Single(h.Effects.OfType<Fx.RaiseAlert>());
        Assert.Equal(AlertKind.CardLeftBehind, alert.Alert.Kind);
        Assert.Equal(SessionPhase.Done, h.Phase);
    }

    [Fact]
    public void Idle_without_notice_needs_no_wake_up()
    {
        var h = new SessionHarness();
        Assert.Null(h.Session.NextWakeUp);
        Assert.Empty(h.Send(new E.Tick()));
    }
}
