using MynaTerminal.Core.Cards;
using MynaTerminal.Core.Results;
using MynaTerminal.Core.Session;
using E = MynaTerminal.Core.Session.SessionEvent;
using Fx = MynaTerminal.Core.Session.SessionEffect;

namespace MynaTerminal.Core.Tests;

public sealed class HappyPathTests
{
    [Fact]
    public void Pin_path_reads_card_verifies_once_and_commits_after_consent()
    {
        var h = new SessionHarness();
        Assert.Equal(SessionPhase.Idle, h.Phase);

        h.Send(new E.CardInserted(ReaderRole.CardTray));
        Assert.Equal(SessionPhase.Reading, h.Phase);
        var read = Assert.IsType<Fx.ReadCard>(Assert.Single(h.Last));
        Assert.Equal(h.Id, read.SessionId);

        h.Send(new E.CardReadCompleted(h.Id, new CardReadOutcome.Read(SessionHarness.PlasticCard())));
        Assert.Equal(SessionPhase.MethodChoice, h.Phase);
        Assert.Equal([MethodOption.Face, MethodOption.Pin, MethodOption.Staff], h.Snapshot.Methods);
        Assert.Equal(3, h.Snapshot.PinTriesLeft);

        h.Send(new E.MethodChosen(MethodOption.Pin));
        Assert.Equal(SessionPhase.Pin, h.Phase);
        h.Send(new E.PinDigit(1));
        h.Send(new E.PinDigit(2));
        Assert.Equal(2, h.Snapshot.PinDigitsEntered);
        Assert.Empty(h.Effects.OfType<Fx.VerifyPin>());
        h.EnterPin("34");

        var verify = h.Single<Fx.VerifyPin>();
        Span<byte> ascii = stackalloc byte[4];
        verify.Pin.CopyAsciiTo(ascii);
        Assert.Equal("1234"u8.ToArray(), ascii.ToArray());
        Assert.DoesNotContain("1234", verify.ToString());
        Assert.Equal(0, h.Snapshot.PinDigitsEntered);

        h.Send(new E.PinVerifyCompleted(h.Id, new PinOutcome.Verified(null)));
        Assert.Equal(SessionPhase.Consent, h.Phase);
        Assert.Empty(h.Effects.OfType<Fx.CommitVerification>());

        h.Clock.Advance(TimeSpan.FromSeconds(5));
        h.Send(new E.ConsentAll());
        Assert.Equal(SessionPhase.Eligibility, h.Phase);
        var result = h.Single<Fx.CommitVerification>().Result;
        Assert.Equal(h.Id, result.Id);
        Assert.Equal(IdentityMethod.Pin, result.Method);
        Assert.Equal(CardKind.Card, result.CardKind);
        Assert.Equal(ConsentMode.All, result.Consents.Mode);
        Assert.Equal(["treatment", "medication", "checkup"], result.Consents.Decisions.Select(d => d.CategoryId));
        Assert.All(result.Consents.Decisions, d => Assert.True(d.Agreed));
        Assert.All(result.Consents.Decisions, d => Assert.Equal(SessionHarness.Start.AddSeconds(5), d.At));
        Assert.Equal(CertificateExpiry.Valid, result.Expiry);
        Assert.True(result.MedicalInformationShared);
        Assert.Null(result.Face);

        h.Send(new E.EligibilityAnswered(new EligibilityAnswer(result.Id, EligibilityStatus.Valid, "山田 太郎", [])));
        Assert.Equal(SessionPhase.Done, h.Phase);
        Assert.Equal("山田 太郎", h.Snapshot.Eligibility!.GreetingName);
        Assert.IsType<Fx.ReleaseCard>(Assert.Single(h.Last));

        h.Send(new E.CardRemoved());
        Assert.Equal(SessionPhase.Idle, h.Phase);
        Assert.Equal(IdleNotice.None, h.Snapshot.IdleNotice);
        Assert.Null(h.Snapshot.SessionId);
        Assert.Single(h.Effects.OfType<Fx.CommitVerification>());
    }

    [Fact]
    public void Face_path_records_band_liveness_and_attempts()
    {
        var h = new SessionHarness();
        h.InsertCard(SessionHarness.PlasticCard());
        h.Send(new E.MethodChosen(MethodOption.Face));
        Assert.Equal(SessionPhase.Face, h.Phase);
        Assert.Equal(1, Assert.IsType<Fx.AuthenticateFace>(Assert.Single(h.Last)).Attempt);

        h.Send(new E.FaceProgress(h.Id, FaceHint.TooFar));
        Assert.Equal(FaceHint.TooFar, h.Snapshot.FaceHint);
        h.Send(new E.FaceCompleted(h.Id, new FaceOutcome.NotMatched(FaceHint.HoldStill)));
        Assert.Equal(SessionPhase.Face, h.Phase);
        Assert.Equal(2, Assert.IsType<Fx.AuthenticateFace>(Assert.Single(h.Last)).Attempt);

        h.Send(new E.FaceCompleted(h.Id, new FaceOutcome.Matched(FaceScoreBand.High, true)));
        h.Send(new E.ConsentAll());
        var result = h.Single<Fx.CommitVerification>().Result;
        Assert.Equal(IdentityMethod.Face, result.Method);
        Assert.Equal(new FaceEvidence(FaceScoreBand.High, true, 2), result.Face);
        Assert.Empty(h.Effects.OfType<Fx.VerifyPin>());
    }

    [Fact]
    public void Individual_consent_asks_each_category_in_order()
    {
        var h = new SessionHarness();
        h.InsertCard(SessionHarness.PlasticCard());
        h.Send(new E.MethodChosen(MethodOption.Face));
        h.Send(new E.FaceCompleted(h.Id, new FaceOutcome.Matched(FaceScoreBand.Medium, true)));
        h.Send(new E.ConsentIndividual());
        Assert.Equal(0, h.Snapshot.ConsentCategoryIndex);
        h.Send(new E.ConsentAnswer(true));
        Assert.Equal(1, h.Snapshot.ConsentCategoryIndex);
        h.Send(new E.Back());
        Assert.Null(h.Snapshot.ConsentCategoryIndex);
        h.Send(new E.ConsentIndividual());
        h.Send(new E.ConsentAnswer(true));
        h.Send(new E.ConsentAnswer(false));
        Assert.Empty(h.Effects.OfType<Fx.CommitVerification>());
        h.Send(new E.ConsentAnswer(true));

        var consents = h.Single<Fx.CommitVerification>().Result.Consents;
        Assert.Equal(ConsentMode.Individual, consents.Mode);
        Assert.Equal([("treatment", true), ("medication", false), ("checkup", true)], consents.Decisions.Select(d => (d.CategoryId, d.Agreed)));
    }

    [Fact]
    public void Consent_categories_are_data()
    {
        var h = new SessionHarness(o => o.ConsentCategories = ["treatment", "allergy"]);
        h.InsertCard(SessionHarness.PlasticCard());
        h.Send(new E.MethodChosen(MethodOption.Face));
        h.Send(new E.FaceCompleted(h.Id, new FaceOutcome.Matched(FaceScoreBand.High, true)));
        h.Send(new E.ConsentAll());
        Assert.Equal(["treatment", "allergy"], h.Single<Fx.CommitVerification>().Result.Consents.Decisions.Select(d => d.CategoryId));
    }

    [Fact]
    public void Prescription_form_is_asked_when_enabled_and_recorded()
    {
        var h = new SessionHarness(o => o.AskPrescriptionForm = true);
        h.InsertCard(SessionHarness.PlasticCard());
        h.Send(new E.MethodChosen(MethodOption.Face));
        h.Send(new E.FaceCompleted(h.Id, new FaceOutcome.Matched(FaceScoreBand.High, true)));
        h.Send(new E.ConsentAll());
        Assert.Equal(SessionPhase.PrescriptionForm, h.Phase);
        Assert.Empty(h.Effects.OfType<Fx.CommitVerification>());
        h.Send(new E.PrescriptionChosen(PrescriptionForm.Electronic));
        Assert.Equal(PrescriptionForm.Electronic, h.Single<Fx.CommitVerification>().Result.PrescriptionForm);
    }

    [Fact]
    public void Language_choice_lasts_for_the_session_only()
    {
        var h = new SessionHarness();
        h.InsertCard(SessionHarness.PlasticCard());
        h.Send(new E.LanguageSelected("en"));
        Assert.Equal("en", h.Snapshot.Language);
        h.Send(new E.CardRemoved());
        Assert.Equal("ja", h.Snapshot.Language);
    }

    [Fact]
    public void Eligibility_answer_for_another_verification_is_ignored()
    {
        var h = new SessionHarness();
        h.InsertCard(SessionHarness.PlasticCard());
        h.Send(new E.MethodChosen(MethodOption.Face));
        h.Send(new E.FaceCompleted(h.Id, new FaceOutcome.Matched(FaceScoreBand.High, true)));
        h.Send(new E.ConsentAll());
        h.Send(new E.EligibilityAnswered(new EligibilityAnswer(Guid.NewGuid(), EligibilityStatus.Valid, "X", [])));
        Assert.Equal(SessionPhase.Eligibility, h.Phase);
    }
}
