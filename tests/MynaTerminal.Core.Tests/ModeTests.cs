using MynaTerminal.Core.Cards;
using MynaTerminal.Core.Results;
using MynaTerminal.Core.Session;
using E = MynaTerminal.Core.Session.SessionEvent;
using Fx = MynaTerminal.Core.Session.SessionEffect;

namespace MynaTerminal.Core.Tests;

/// <summary>The terminal's modes (MQTT request/mode): automatic, 目視確認 for one patient, out of service.</summary>
public sealed class ModeTests
{
    private static void FinishWithVisualCheck(SessionHarness h)
    {
        h.Send(new E.StaffVisualApproved());
        Assert.Equal(SessionPhase.Consent, h.Phase);
        h.Send(new E.ConsentAll());
        Assert.Equal(SessionPhase.Eligibility, h.Phase);
        var result = h.Effects.OfType<Fx.CommitVerification>().Last().Result;
        h.Send(new E.EligibilityAnswered(new EligibilityAnswer(result.Id, EligibilityStatus.Valid, null, [])));
        Assert.Equal(SessionPhase.Done, h.Phase);
    }

    [Fact]
    public void Out_of_service_from_idle_shows_its_screen_refuses_cards_and_never_times_out()
    {
        var h = new SessionHarness();
        Assert.Equal(TerminalMode.Automatic, h.Snapshot.Mode);

        Assert.Empty(h.Send(new E.ModeRequested(TerminalMode.OutOfService)));
        Assert.Equal(SessionPhase.OutOfService, h.Phase);
        Assert.Equal(TerminalMode.OutOfService, h.Snapshot.Mode);
        Assert.Null(h.Snapshot.SessionId);
        Assert.Null(h.Session.NextWakeUp);

        // A card is not read: no session, no effect, and pulling it out again changes nothing either.
        Assert.Empty(h.Send(new E.CardInserted(ReaderRole.CardTray)));
        Assert.Equal(SessionPhase.OutOfService, h.Phase);
        Assert.Null(h.Snapshot.SessionId);
        Assert.Empty(h.Send(new E.CardRemoved()));
        Assert.Empty(h.Send(new E.Cancel()));
        Assert.Empty(h.Send(new E.StaffVisualApproved()));

        h.Advance(TimeSpan.FromHours(3));
        Assert.Equal(SessionPhase.OutOfService, h.Phase);
        Assert.Empty(h.Effects);

        // The help button still reaches staff, without a session id.
        var alert = Assert.IsType<Fx.RaiseAlert>(Assert.Single(h.Send(new E.HelpRequested()))).Alert;
        Assert.Equal(AlertKind.HelpRequested, alert.Kind);
        Assert.Null(alert.SessionId);
        Assert.Equal(SessionPhase.OutOfService, h.Phase);
    }

    [Fact]
    public void Back_to_automatic_goes_idle_and_the_next_card_is_read()
    {
        var h = new SessionHarness();
        h.Send(new E.ModeRequested(TerminalMode.OutOfService));

        Assert.Empty(h.Send(new E.ModeRequested(TerminalMode.Automatic)));
        Assert.Equal(SessionPhase.Idle, h.Phase);
        Assert.Equal(TerminalMode.Automatic, h.Snapshot.Mode);
        Assert.Equal(IdleNotice.None, h.Snapshot.IdleNotice);

        h.InsertCard(SessionHarness.PlasticCard());
        Assert.Equal(SessionPhase.MethodChoice, h.Phase);
        Assert.Single(h.Effects.OfType<Fx.ReadCard>());
    }

    [Fact]
    public void Out_of_service_during_a_session_lets_the_patient_finish_and_takes_effect_when_the_card_is_out()
    {
        var h = new SessionHarness();
        h.InsertCard(SessionHarness.PlasticCard());
        Assert.Equal(SessionPhase.MethodChoice, h.Phase);
        var id = h.Id;

        Assert.Empty(h.Send(new E.ModeRequested(TerminalMode.OutOfService)));
        Assert.Equal(SessionPhase.MethodChoice, h.Phase);
        Assert.Equal(TerminalMode.OutOfService, h.Snapshot.Mode);
        Assert.Equal(id, h.Snapshot.SessionId);

        h.Send(new E.MethodChosen(MethodOption.Pin));
        h.EnterPin("1234");
        h.Send(new E.PinVerifyCompleted(id, new PinOutcome.Verified(null)));
        h.Send(new E.ConsentAll());
        var result = h.Single<Fx.CommitVerification>().Result;
        h.Send(new E.EligibilityAnswered(new EligibilityAnswer(result.Id, EligibilityStatus.Valid, "山田 太郎", [])));
        Assert.Equal(SessionPhase.Done, h.Phase);

        h.Send(new E.CardRemoved());
        Assert.Equal(SessionPhase.OutOfService, h.Phase);
        Assert.Null(h.Snapshot.SessionId);
        Assert.Empty(h.Send(new E.CardInserted(ReaderRole.CardTray)));
        Assert.Single(h.Effects.OfType<Fx.CommitVerification>());
    }

    [Fact]
    public void A_card_pulled_early_while_out_of_service_is_pending_ends_out_of_service_without_the_idle_notice()
    {
        var h = new SessionHarness();
        h.InsertCard(SessionHarness.PlasticCard());
        h.Send(new E.ModeRequested(TerminalMode.OutOfService));

        h.Send(new E.CardRemoved());
        Assert.Equal(SessionPhase.OutOfService, h.Phase);
        Assert.Equal(IdleNotice.None, h.Snapshot.IdleNotice);
        Assert.Null(h.Session.NextWakeUp);
        Assert.Empty(h.Effects.OfType<Fx.CommitVerification>());
    }

    [Fact]
    public void Staff_mode_sends_the_next_plastic_card_to_the_visual_check_and_returns_to_automatic_after_that_patient()
    {
        var h = new SessionHarness();
        Assert.Empty(h.Send(new E.ModeRequested(TerminalMode.Staff)));
        Assert.Equal(SessionPhase.Idle, h.Phase);
        Assert.Equal(TerminalMode.Staff, h.Snapshot.Mode);

        h.InsertCard(SessionHarness.PlasticCard());
        Assert.Equal(SessionPhase.StaffVisual, h.Phase);
        Assert.Equal(AlertKind.VisualCheckNeeded, h.Single<Fx.RaiseAlert>().Alert.Kind);
        Assert.Equal(h.Id, h.Single<Fx.RaiseAlert>().Alert.SessionId);
        Assert.Empty(h.Effects.OfType<Fx.AuthenticateFace>());

        FinishWithVisualCheck(h);
        Assert.Equal(IdentityMethod.Visual, h.Single<Fx.CommitVerification>().Result.Method);
        Assert.Equal(TerminalMode.Staff, h.Snapshot.Mode); // until the patient has gone

        h.Send(new E.CardRemoved());
        Assert.Equal(SessionPhase.Idle, h.Phase);
        Assert.Equal(TerminalMode.Automatic, h.Snapshot.Mode);

        // The next patient chooses again.
        h.InsertCard(SessionHarness.PlasticCard());
        Assert.Equal(SessionPhase.MethodChoice, h.Phase);
        Assert.Equal([MethodOption.Face, MethodOption.Pin, MethodOption.Staff], h.Snapshot.Methods);
    }

    [Fact]
    public void Staff_mode_asked_for_while_a_patient_waits_on_the_method_choice_applies_to_that_patient()
    {
        var h = new SessionHarness();
        h.InsertCard(SessionHarness.PlasticCard());
        Assert.Equal(SessionPhase.MethodChoice, h.Phase);

        h.Send(new E.ModeRequested(TerminalMode.Staff));
        Assert.Equal(SessionPhase.StaffVisual, h.Phase);
        Assert.Equal(AlertKind.VisualCheckNeeded, h.Single<Fx.RaiseAlert>().Alert.Kind);

        // The patient pulls the card: the mode was spent on this patient all the same.
        h.Send(new E.CardRemoved());
        Assert.Equal(SessionPhase.Idle, h.Phase);
        Assert.Equal(TerminalMode.Automatic, h.Snapshot.Mode);
    }

    [Fact]
    public void Staff_mode_asked_for_during_a_PIN_entry_waits_for_the_next_patient()
    {
        var h = new SessionHarness();
        h.InsertCard(SessionHarness.PlasticCard());
        h.Send(new E.MethodChosen(MethodOption.Pin));
        h.Send(new E.ModeRequested(TerminalMode.Staff));
        Assert.Equal(SessionPhase.Pin, h.Phase);

        h.Send(new E.CardRemoved());
        Assert.Equal(TerminalMode.Staff, h.Snapshot.Mode);
        h.InsertCard(SessionHarness.PlasticCard());
        Assert.Equal(SessionPhase.StaffVisual, h.Phase);
    }

    [Fact]
    public void Staff_mode_leaves_phones_alone_and_waits_for_a_plastic_card()
    {
        var h = new SessionHarness();
        h.Send(new E.ModeRequested(TerminalMode.Staff));

        h.InsertCard(SessionHarness.PlasticCard() with { Kind = CardKind.IPhone, HasFacePhoto = false });
        Assert.Equal(SessionPhase.PhoneConfirm, h.Phase);
        h.Send(new E.CardRemoved());
        Assert.Equal(TerminalMode.Staff, h.Snapshot.Mode);

        h.InsertCard(SessionHarness.PlasticCard());
        Assert.Equal(SessionPhase.StaffVisual, h.Phase);
    }

    [Fact]
    public void Staff_mode_asked_for_while_out_of_service_opens_the_terminal_for_a_visual_check()
    {
        var h = new SessionHarness();
        h.Send(new E.ModeRequested(TerminalMode.OutOfService));
        h.Send(new E.ModeRequested(TerminalMode.Staff));
        Assert.Equal(SessionPhase.Idle, h.Phase);
        Assert.Equal(TerminalMode.Staff, h.Snapshot.Mode);

        h.InsertCard(SessionHarness.PlasticCard());
        Assert.Equal(SessionPhase.StaffVisual, h.Phase);
    }

    [Fact]
    public void Automatic_cancels_a_staff_mode_that_was_not_used_yet()
    {
        var h = new SessionHarness();
        h.Send(new E.ModeRequested(TerminalMode.Staff));
        h.Send(new E.ModeRequested(TerminalMode.Automatic));
        Assert.Equal(TerminalMode.Automatic, h.Snapshot.Mode);

        h.InsertCard(SessionHarness.PlasticCard());
        Assert.Equal(SessionPhase.MethodChoice, h.Phase);
    }

    [Fact]
    public void The_same_mode_twice_changes_nothing()
    {
        var h = new SessionHarness();
        h.Send(new E.ModeRequested(TerminalMode.OutOfService));
        var before = h.Snapshot;
        Assert.Empty(h.Send(new E.ModeRequested(TerminalMode.OutOfService)));
        Assert.Equal(before, h.Snapshot);

        h.Send(new E.ModeRequested(TerminalMode.Automatic));
        before = h.Snapshot;
        Assert.Empty(h.Send(new E.ModeRequested(TerminalMode.Automatic)));
        Assert.Equal(before with { Methods = [], ConsentCategories = [] }, h.Snapshot with { Methods = [], ConsentCategories = [] });
    }
}
