using MynaTerminal.Core.Policies;
using MynaTerminal.Core.Cards;
using MynaTerminal.Core.Results;
using MynaTerminal.Core.Session;
using E = MynaTerminal.Core.Session.SessionEvent;
using Fx = MynaTerminal.Core.Session.SessionEffect;

namespace MynaTerminal.Core.Tests;

public sealed class CardReadingTests
{
    [Fact]
    public void Unknown_card_fails_with_002()
    {
        var h = CardRemovalTests.At(SessionPhase.Reading);
        h.Send(new E.CardReadCompleted(h.Id, new CardReadOutcome.NotMyNumberCard()));
        Assert.Equal(FailureReason.NotMyNumberCard, h.Snapshot.Failure);
        Assert.IsType<Fx.ReleaseCard>(Assert.Single(h.Last));
    }

    [Fact]
    public void Unreadable_card_fails_with_001()
    {
        var h = CardRemovalTests.At(SessionPhase.Reading);
        h.Send(new E.CardReadCompleted(h.Id, new CardReadOutcome.Unreadable("6A 82")));
        Assert.Equal(FailureReason.CardUnreadable, h.Snapshot.Failure);
    }

    [Fact]
    public void Read_result_of_another_session_is_ignored()
    {
        var h = CardRemovalTests.At(SessionPhase.Reading);
        Assert.Empty(h.Send(new E.CardReadCompleted(Guid.NewGuid(), new CardReadOutcome.NotMyNumberCard())));
        Assert.Equal(SessionPhase.Reading, h.Phase);
    }

    [Fact]
    public void Soon_expiring_certificate_shows_the_renewal_notice_then_continues()
    {
        var h = new SessionHarness();
        h.InsertCard(SessionHarness.PlasticCard(notAfter: SessionHarness.Start.AddDays(60)));
        Assert.Equal(SessionPhase.CertificateNotice, h.Phase);
        Assert.Equal(CertificateExpiry.ExpiringSoon, h.Snapshot.Expiry);
        h.Send(new E.Continue());
        Assert.Equal(SessionPhase.MethodChoice, h.Phase);
        h.Send(new E.MethodChosen(MethodOption.Face));
        h.Send(new E.FaceCompleted(h.Id, new FaceOutcome.Matched(FaceScoreBand.High, true)));
        Assert.Equal(SessionPhase.Consent, h.Phase);
        h.Send(new E.ConsentAll());
        var result = h.Single<Fx.CommitVerification>().Result;
        Assert.Equal(CertificateExpiry.ExpiringSoon, result.Expiry);
        Assert.True(result.MedicalInformationShared);
    }

    [Fact]
    public void Certificate_expired_in_grace_confirms_eligibility_only_without_consent()
    {
        var h = new SessionHarness();
        h.InsertCard(SessionHarness.PlasticCard(notAfter: SessionHarness.Start.AddDays(-30)));
        Assert.Equal(CertificateExpiry.ExpiredInGrace, h.Snapshot.Expiry);
        h.Send(new E.Continue());
        h.Send(new E.MethodChosen(MethodOption.Pin));
        h.EnterPin("1234");
        h.Send(new E.PinVerifyCompleted(h.Id, new PinOutcome.Verified(null)));

        Assert.Equal(SessionPhase.Eligibility, h.Phase);
        var result = h.Single<Fx.CommitVerification>().Result;
        Assert.Equal(ConsentSet.NotAsked, result.Consents);
        Assert.False(result.MedicalInformationShared);
    }

    [Fact]
    public void Certificate_expired_beyond_grace_fails_with_006()
    {
        var h = new SessionHarness();
        h.InsertCard(SessionHarness.PlasticCard(notAfter: SessionHarness.Start.AddDays(-200)));
        Assert.Equal(FailureReason.CertificateExpired, h.Snapshot.Failure);
    }

    [Fact]
    public void Phone_certificate_has_no_grace_period()
    {
        var h = new SessionHarness();
        h.InsertCard(SessionHarness.PlasticCard(notAfter: SessionHarness.Start.AddDays(-1)) with { Kind = CardKind.IPhone, HasFacePhoto = false });
        Assert.Equal(FailureReason.CertificateExpired, h.Snapshot.Failure);
    }

    [Fact]
    public void Expiry_policy_boundaries()
    {
        var p = CertificateExpiryPolicy.Default;
        var notAfter = SessionHarness.Start;
        Assert.Equal(CertificateExpiry.Valid, p.Classify(notAfter, notAfter - TimeSpan.FromDays(93), CardKind.Card));
        Assert.Equal(CertificateExpiry.ExpiringSoon, p.Classify(notAfter, notAfter - TimeSpan.FromDays(92), CardKind.Card));
        Assert.Equal(CertificateExpiry.ExpiringSoon, p.Classify(notAfter, notAfter, CardKind.Card));
        Assert.Equal(CertificateExpiry.ExpiredInGrace, p.Classify(notAfter, notAfter + TimeSpan.FromDays(92), CardKind.Card));
        Assert.Equal(CertificateExpiry.Expired, p.Classify(notAfter, notAfter + TimeSpan.FromDays(93), CardKind.Card));
        Assert.Equal(CertificateExpiry.Expired, p.Classify(notAfter, notAfter + TimeSpan.FromSeconds(1), CardKind.Android));
    }
}

public sealed class FaceFallbackTests
{
    [Fact]
    public void Face_failing_twice_offers_the_pin()
    {
        var h = CardRemovalTests.At(SessionPhase.Face);
        h.Send(new E.FaceCompleted(h.Id, new FaceOutcome.NotMatched(FaceHint.None)));
        h.Send(new E.FaceCompleted(h.Id, new FaceOutcome.NotMatched(FaceHint.RemoveMask)));
        Assert.Equal(SessionPhase.MethodChoice, h.Phase);
        Assert.Equal(MethodNotice.FaceFailed, h.Snapshot.MethodNotice);
        Assert.Equal([MethodOption.Pin, MethodOption.Staff], h.Snapshot.Methods);
        Assert.Empty(h.Send(new E.MethodChosen(MethodOption.Face)));
    }

    [Fact]
    public void Face_card_without_pin_falls_back_to_staff_visual_check()
    {
        var h = new SessionHarness();
        h.InsertCard(SessionHarness.PlasticCard(pin: new PinStatus.NotIssued()));
        Assert.Equal([MethodOption.Face, MethodOption.Staff], h.Snapshot.Methods);
        h.Send(new E.MethodChosen(MethodOption.Face));
        h.Send(new E.FaceCompleted(h.Id, new FaceOutcome.CardFaceRejected("63 C9")));
        Assert.Equal(SessionPhase.StaffVisual, h.Phase);
        Assert.Contains(h.Last, fx => fx is Fx.RaiseAlert { Alert.Kind: AlertKind.VisualCheckNeeded });

        h.Send(new E.StaffVisualApproved());
        h.Send(new E.ConsentAll());
        Assert.Equal(IdentityMethod.Visual, h.Single<Fx.CommitVerification>().Result.Method);
    }

    [Fact]
    public void Card_refusing_the_matching_number_is_not_retried()
    {
        var h = CardRemovalTests.At(SessionPhase.Face);
        h.Send(new E.FaceCompleted(h.Id, new FaceOutcome.CardFaceRejected("63 C8")));
        Assert.Single(h.Effects.OfType<Fx.AuthenticateFace>());
        Assert.Equal(SessionPhase.MethodChoice, h.Phase);
    }

    [Fact]
    public void Unreadable_card_face_is_retried_once()
    {
        var h = CardRemovalTests.At(SessionPhase.Face);
        h.Send(new E.FaceCompleted(h.Id, new FaceOutcome.CardFaceUnreadable()));
        Assert.Equal(2, h.Effects.OfType<Fx.AuthenticateFace>().Count());
        h.Send(new E.FaceCompleted(h.Id, new FaceOutcome.CardFaceUnreadable()));
        Assert.Equal(MethodNotice.CardFaceUnreadable, h.Snapshot.MethodNotice);
    }

    [Fact]
    public void Suspected_spoof_goes_to_staff_with_an_alert()
    {
        var h = CardRemovalTests.At(SessionPhase.Face);
        h.Send(new E.FaceCompleted(h.Id, new FaceOutcome.SpoofSuspected()));
        Assert.Equal(SessionPhase.StaffVisual, h.Phase);
        Assert.Contains(h.Last, fx => fx is Fx.RaiseAlert { Alert.Kind: AlertKind.SpoofSuspected });
    }

    [Fact]
    public void Face_device_fault_alerts_and_offers_the_pin()
    {
        var h = CardRemovalTests.At(SessionPhase.Face);
        h.Send(new E.FaceCompleted(h.Id, new FaceOutcome.Failed("camera gone")));
        Assert.Contains(h.Last, fx => fx is Fx.RaiseAlert { Alert.Kind: AlertKind.DeviceFault });
        Assert.Equal(SessionPhase.MethodChoice, h.Phase);
    }
}

public sealed class PinTests
{
    [Fact]
    public void Wrong_pin_shows_tries_left_and_warns_before_the_last()
    {
        var h = CardRemovalTests.At(SessionPhase.Pin);
        h.EnterPin("1111");
        h.Send(new E.PinVerifyCompleted(h.Id, new PinOutcome.Wrong(2)));
        Assert.True(h.Snapshot.PinWasWrong);
        Assert.Equal(2, h.Snapshot.PinTriesLeft);
        h.EnterPin("2222");
        h.Send(new E.PinVerifyCompleted(h.Id, new PinOutcome.Wrong(1)));
        Assert.Equal(2, h.Effects.OfType<Fx.VerifyPin>().Count());

        h.EnterPin("3333");
        Assert.True(h.Snapshot.PinLastTryPending);
        Assert.Equal(2, h.Effects.OfType<Fx.VerifyPin>().Count());
        h.Send(new E.PinDigit(9)); // keys are locked while the warning is up
        Assert.Equal(4, h.Snapshot.PinDigitsEntered);

        h.Send(new E.Back());
        Assert.Equal(SessionPhase.Pin, h.Phase);
        Assert.False(h.Snapshot.PinLastTryPending);
        Assert.Equal(0, h.Snapshot.PinDigitsEntered);
        Assert.Equal(2, h.Effects.OfType<Fx.VerifyPin>().Count());

        h.EnterPin("4444");
        h.Send(new E.PinLastTryConfirmed());
        Assert.Equal(3, h.Effects.OfType<Fx.VerifyPin>().Count());
    }

    [Fact]
    public void Pin_is_sent_only_after_four_digits_and_submit()
    {
        var h = CardRemovalTests.At(SessionPhase.Pin);
        h.Send(new E.PinSubmit());
        h.Send(new E.PinDigit(1));
        h.Send(new E.PinDigit(2));
        h.Send(new E.PinDigit(3));
        h.Send(new E.PinSubmit());
        h.Send(new E.PinBackspace());
        h.Send(new E.PinDigit(4));
        h.Send(new E.PinDigit(5));
        h.Send(new E.PinDigit(6)); // ignored: already four
        Assert.Equal(4, h.Snapshot.PinDigitsEntered);
        Assert.Empty(h.Effects.OfType<Fx.VerifyPin>());
        h.Send(new E.PinSubmit());
        Span<byte> ascii = stackalloc byte[4];
        h.Single<Fx.VerifyPin>().Pin.CopyAsciiTo(ascii);
        Assert.Equal("1245"u8.ToArray(), ascii.ToArray());
        h.Send(new E.PinSubmit()); // a second press while verifying sends nothing
        Assert.Single(h.Effects.OfType<Fx.VerifyPin>());
    }

    [Fact]
    public void Pin_blocked_during_the_session_offers_face_if_not_tried()
    {
        var h = CardRemovalTests.At(SessionPhase.Pin);
        h.EnterPin("1111");
        h.Send(new E.PinVerifyCompleted(h.Id, new PinOutcome.Blocked()));
        Assert.Equal(SessionPhase.MethodChoice, h.Phase);
        Assert.Equal(MethodNotice.PinBlocked, h.Snapshot.MethodNotice);
        Assert.Equal([MethodOption.Face, MethodOption.Staff], h.Snapshot.Methods);
        Assert.Contains(h.Last, fx => fx is Fx.RaiseAlert { Alert.Kind: AlertKind.PinBlocked });
    }

    [Fact]
    public void Pin_blocked_after_face_failed_goes_to_staff()
    {
        var h = CardRemovalTests.At(SessionPhase.Face);
        h.Send(new E.FaceCompleted(h.Id, new FaceOutcome.NotMatched(FaceHint.None)));
        h.Send(new E.FaceCompleted(h.Id, new FaceOutcome.NotMatched(FaceHint.None)));
        h.Send(new E.MethodChosen(MethodOption.Pin));
        h.EnterPin("1111");
        h.Send(new E.PinVerifyCompleted(h.Id, new PinOutcome.Wrong(0)));
        Assert.Equal(SessionPhase.StaffVisual, h.Phase);
    }

    [Fact]
    public void Card_with_blocked_pin_does_not_offer_pin()
    {
        var h = new SessionHarness();
        h.InsertCard(SessionHarness.PlasticCard(pin: new PinStatus.Blocked()));
        Assert.Equal([MethodOption.Face, MethodOption.Staff], h.Snapshot.Methods);
        Assert.Equal(MethodNotice.PinBlocked, h.Snapshot.MethodNotice);
        Assert.Empty(h.Send(new E.MethodChosen(MethodOption.Pin)));
        Assert.Equal(SessionPhase.MethodChoice, h.Phase);
    }

    [Fact]
    public void Back_from_pin_entry_returns_to_the_method_choice()
    {
        var h = CardRemovalTests.At(SessionPhase.Pin);
        h.Send(new E.PinDigit(1));
        h.Send(new E.Back());
        Assert.Equal(SessionPhase.MethodChoice, h.Phase);
        Assert.Equal(0, h.Snapshot.PinDigitsEntered);
    }

    [Fact]
    public void Pin_device_fault_fails_the_session()
    {
        var h = CardRemovalTests.At(SessionPhase.Pin);
        h.EnterPin("1234");
        h.Send(new E.PinVerifyCompleted(h.Id, new PinOutcome.Failed("6F 00")));
        Assert.Equal(FailureReason.DeviceFault, h.Snapshot.Failure);
    }

    [Fact]
    public void Pin_renders_redacted()
    {
        using var pin = Pin.FromDigits([1, 2, 3, 4]);
        Assert.DoesNotContain("1", pin.ToString());
        pin.Dispose();
        Assert.Throws<ObjectDisposedException>(() => pin.CopyAsciiTo(new byte[4]));
    }
}

public sealed class PhoneTests
{
    [Fact]
    public void Android_goes_straight_to_pin_and_learns_the_certificate_from_it()
    {
        var h = new SessionHarness();
        h.InsertCard(new CardSnapshot(CardKind.Android, null, new PinStatus.Ready(3), false));
        Assert.Equal(SessionPhase.Pin, h.Phase);
        h.Send(new E.Back()); // no method choice on a phone
        Assert.Equal(SessionPhase.Pin, h.Phase);
        h.EnterPin("1234");
        h.Send(new E.PinVerifyCompleted(h.Id, new PinOutcome.Verified(SessionHarness.Certificate(SessionHarness.Start.AddYears(1)))));
        Assert.Equal(SessionPhase.Consent, h.Phase);
        h.Send(new E.ConsentAll());
        var result = h.Single<Fx.CommitVerification>().Result;
        Assert.Equal(CardKind.Android, result.CardKind);
        Assert.Equal("0A1B2C", result.Certificate.SerialNumberHex);
    }

    [Fact]
    public void Android_with_soon_expiring_certificate_sees_the_notice_after_the_pin()
    {
        var h = new SessionHarness();
        h.InsertCard(new CardSnapshot(CardKind.Android, null, new PinStatus.Ready(3), false));
        h.EnterPin("1234");
        h.Send(new E.PinVerifyCompleted(h.Id, new PinOutcome.Verified(SessionHarness.Certificate(SessionHarness.Start.AddDays(10)))));
        Assert.Equal(SessionPhase.CertificateNotice, h.Phase);
        h.Send(new E.Continue());
        Assert.Equal(SessionPhase.Consent, h.Phase);
    }

    [Fact]
    public void Android_with_blocked_pin_has_no_method_left()
    {
        var h = new SessionHarness();
        h.InsertCard(new CardSnapshot(CardKind.Android, null, new PinStatus.Blocked(), false));
        Assert.Equal(FailureReason.NoMethodLeft, h.Snapshot.Failure);
    }

    [Fact]
    public void IPhone_confirms_on_the_phone()
    {
        var h = CardRemovalTests.At(SessionPhase.PhoneConfirm);
        Assert.Contains(h.Effects, fx => fx is Fx.ConfirmOnPhone);
        h.Send(new E.PhoneCompleted(h.Id, new PhoneOutcome.Confirmed(SessionHarness.Certificate(SessionHarness.Start.AddYears(2)))));
        h.Send(new E.ConsentAll());
        var result = h.Single<Fx.CommitVerification>().Result;
        Assert.Equal(IdentityMethod.PhoneBiometric, result.Method);
        Assert.Equal(CardKind.IPhone, result.CardKind);
    }

    [Fact]
    public void IPhone_declined_ends_the_session()
    {
        var h = CardRemovalTests.At(SessionPhase.PhoneConfirm);
        h.Send(new E.PhoneCompleted(h.Id, new PhoneOutcome.Declined()));
        Assert.Equal(FailureReason.Cancelled, h.Snapshot.Failure);
    }
}

public sealed class StaffTests
{
    [Fact]
    public void Help_pauses_the_phase_alerts_staff_and_resumes_it()
    {
        var h = CardRemovalTests.At(SessionPhase.Face);
        h.Send(new E.HelpRequested());
        Assert.Equal(SessionPhase.StaffHelp, h.Phase);
        Assert.Contains(h.Last, fx => fx is Fx.RaiseAlert { Alert.Kind: AlertKind.HelpRequested });
        Assert.Contains(h.Last, fx => fx is Fx.CancelCardWork);
        h.Send(new E.StaffResume());
        Assert.Equal(SessionPhase.Face, h.Phase);
        Assert.Equal(1, Assert.IsType<Fx.AuthenticateFace>(Assert.Single(h.Last)).Attempt);
    }

    [Fact]
    public void Help_from_pin_entry_drops_the_digits()
    {
        var h = CardRemovalTests.At(SessionPhase.Pin);
        h.Send(new E.PinDigit(1));
        h.Send(new E.HelpRequested());
        h.Send(new E.StaffResume());
        Assert.Equal(SessionPhase.Pin, h.Phase);
        Assert.Equal(0, h.Snapshot.PinDigitsEntered);
    }

    [Fact]
    public void Help_while_a_pin_verify_is_in_flight_only_calls_staff()
    {
        var h = CardRemovalTests.At(SessionPhase.Pin);
        h.EnterPin("1234");
        h.Send(new E.HelpRequested());
        Assert.Equal(SessionPhase.Pin, h.Phase);
        Assert.Contains(h.Last, fx => fx is Fx.RaiseAlert { Alert.Kind: AlertKind.HelpRequested });
    }

    [Fact]
    public void Staff_can_approve_visually_from_help()
    {
        var h = CardRemovalTests.At(SessionPhase.StaffHelp);
        h.Send(new E.StaffVisualApproved());
        Assert.Equal(SessionPhase.Consent, h.Phase);
        Assert.Equal(IdentityMethod.Visual, h.Snapshot.IdentifiedBy);
    }

    [Fact]
    public void Staff_approval_is_ignored_when_nobody_waits_for_it()
    {
        var h = CardRemovalTests.At(SessionPhase.MethodChoice);
        Assert.Empty(h.Send(new E.StaffVisualApproved()));
        Assert.Equal(SessionPhase.MethodChoice, h.Phase);
    }

    [Fact]
    public void Help_on_the_idle_screen_reaches_staff()
    {
        var h = new SessionHarness();
        var alert = Assert.IsType<Fx.RaiseAlert>(Assert.Single(h.Send(new E.HelpRequested())));
        Assert.Null(alert.Alert.SessionId);
    }

    [Fact]
    public void Cancel_fails_the_session_and_releases_the_card()
    {
        var h = CardRemovalTests.At(SessionPhase.Consent);
        h.Send(new E.Cancel());
        Assert.Equal(FailureReason.Cancelled, h.Snapshot.Failure);
        Assert.Contains(h.Last, fx => fx is Fx.ReleaseCard);
        Assert.Empty(h.Effects.OfType<Fx.CommitVerification>());
    }

    [Fact]
    public void Staff_visual_can_go_back_to_automatic_methods()
    {
        var h = CardRemovalTests.At(SessionPhase.StaffVisual);
        h.Send(new E.StaffResume());
        Assert.Equal(SessionPhase.MethodChoice, h.Phase);
    }
}

public sealed class OptionsTests
{
    [Fact]
    public void Defaults_are_valid()
    {
        Assert.Empty(Validate(new SessionOptions()));
    }

    [Fact]
    public void Bad_options_are_rejected_with_their_names()
    {
        var options = new SessionOptions { ConsentCategories = ["a", "a"] };
        options.Timeouts.Pin = TimeSpan.FromSeconds(5);
        var errors = Validate(options).Select(r => r.ErrorMessage).ToList();
        Assert.Contains(errors, e => e!.Contains("Timeouts:Pin"));
        Assert.Contains(errors, e => e!.Contains("ConsentCategories"));
    }

    private static List<System.ComponentModel.DataAnnotations.ValidationResult> Validate(SessionOptions options)
    {
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), results, true);
        return results;
    }
}
