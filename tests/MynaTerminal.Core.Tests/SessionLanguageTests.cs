using MynaTerminal.Core.Results;
using MynaTerminal.Core.Session;
using E = MynaTerminal.Core.Session.SessionEvent;

namespace MynaTerminal.Core.Tests;

/// <summary>The patient's language: chosen on the idle screen or during the session, always back to the default after.</summary>
public sealed class SessionLanguageTests
{
    [Fact]
    public void Language_chosen_on_the_idle_screen_carries_into_the_session()
    {
        var h = new SessionHarness();
        h.Send(ActionIds.ToEvent(ActionIds.Language("vi"))!);
        Assert.Equal("vi", h.Snapshot.Language);
        h.InsertCard(SessionHarness.PlasticCard());
        Assert.Equal(SessionPhase.MethodChoice, h.Phase);
        Assert.Equal("vi", h.Snapshot.Language);
    }

    [Fact]
    public void Language_returns_to_the_default_when_the_session_ends()
    {
        var h = new SessionHarness(o => o.DefaultLanguage = "en");
        Assert.Equal("en", h.Snapshot.Language);
        h.Send(new E.LanguageSelected("zh-Hans"));
        h.InsertCard(SessionHarness.PlasticCard());
        h.Send(new E.LanguageSelected("ko"));
        h.Send(new E.MethodChosen(MethodOption.Face));
        h.Send(new E.FaceCompleted(h.Id, new FaceOutcome.Matched(FaceScoreBand.High, true)));
        h.Send(new E.ConsentAll());
        h.Send(new E.EligibilityAnswered(new EligibilityAnswer(h.Id, EligibilityStatus.Valid, "髙橋", [])));
        Assert.Equal(SessionPhase.Done, h.Phase);
        Assert.Equal("ko", h.Snapshot.Language);

        h.Send(new E.CardRemoved());
        Assert.Equal(SessionPhase.Idle, h.Phase);
        Assert.Equal("en", h.Snapshot.Language);
    }

    [Fact]
    public void Language_chosen_on_the_idle_screen_expires_without_a_card()
    {
        var h = new SessionHarness();
        h.Send(new E.LanguageSelected("ko"));
        Assert.Equal(h.Clock.GetUtcNow() + h.Options.Timeouts.IdleLanguage, h.Session.NextWakeUp);
        h.Advance(h.Options.Timeouts.IdleLanguage - TimeSpan.FromSeconds(1));
        Assert.Equal("ko", h.Snapshot.Language);
        h.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("ja", h.Snapshot.Language);
        Assert.Null(h.Session.NextWakeUp);
    }

    [Fact]
    public void Idle_screen_in_the_default_language_waits_for_nothing()
    {
        var h = new SessionHarness();
        Assert.Null(h.Session.NextWakeUp);
        h.Send(new E.LanguageSelected("ja"));
        Assert.Null(h.Session.NextWakeUp);
    }

    [Fact]
    public void Choosing_a_language_after_a_pulled_card_clears_the_notice_and_keeps_the_choice()
    {
        var h = new SessionHarness();
        h.InsertCard(SessionHarness.PlasticCard());
        h.Send(new E.CardRemoved());
        Assert.Equal(IdleNotice.CardRemovedEarly, h.Snapshot.IdleNotice);
        h.Send(new E.LanguageSelected("en"));
        Assert.Equal(IdleNotice.None, h.Snapshot.IdleNotice);
        h.Advance(h.Options.Timeouts.IdleNotice);
        Assert.Equal("en", h.Snapshot.Language);
    }
}
