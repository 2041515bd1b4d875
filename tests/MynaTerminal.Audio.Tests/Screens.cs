using MynaTerminal.Core.Cards;
using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Results;
using MynaTerminal.Core.Session;
using MynaTerminal.Display;

namespace MynaTerminal.Audio.Tests;

/// <summary>Real screens, composed by <see cref="ScreenComposer"/> from snapshots: one or more per screen id.</summary>
internal static class Screens
{
    public const string GreetingName = "山田 太郎";
    public static readonly Guid SessionId = new("0b7e3c1a-52d4-4f7e-9c1d-3a8f6e2b9d10");

    public static SessionSnapshot Base(SessionPhase phase, string language = "ja") => new()
    {
        Phase = phase,
        SessionId = phase == SessionPhase.Idle ? null : SessionId,
        Language = language,
        CardKind = phase == SessionPhase.Idle ? null : CardKind.Card,
    };

    public static Screen Idle(string language = "ja", bool warning = false) =>
        ScreenComposer.Compose(Base(SessionPhase.Idle, language) with { TimeoutWarning = warning });

    /// <summary>The PIN keypad with <paramref name="digits"/> entered and three tries left.</summary>
    public static Screen Pin(int digits, string language = "ja") =>
        ScreenComposer.Compose(Base(SessionPhase.Pin, language) with { PinTriesLeft = 3, PinDigitsEntered = digits, Methods = [MethodOption.Face, MethodOption.Pin] });

    /// <summary>完了 with the greeting name from the eligibility answer on a line.</summary>
    public static Screen DoneWithName(string language = "ja") =>
        ScreenComposer.Compose(Base(SessionPhase.Done, language) with { Eligibility = new EligibilityAnswer(SessionId, EligibilityStatus.Valid, GreetingName, []) });

    public static Screen Reading(string language = "ja") => ScreenComposer.Compose(Base(SessionPhase.Reading, language) with { CardKind = null });

    /// <summary>Every screen variant the composer makes, in one language (each screen id at least once).</summary>
    public static IEnumerable<Screen> All(string language)
    {
        IEnumerable<SessionSnapshot> Snapshots()
        {
            foreach (var phase in Enum.GetValues<SessionPhase>())
            {
                yield return Base(phase, language);
            }

            yield return Base(SessionPhase.CertificateNotice, language) with { Expiry = CertificateExpiry.ExpiringSoon };
            yield return Base(SessionPhase.CertificateNotice, language) with { Expiry = CertificateExpiry.ExpiredInGrace };
            yield return Base(SessionPhase.MethodChoice, language) with { Methods = [MethodOption.Face, MethodOption.Pin, MethodOption.Staff] };
            yield return Base(SessionPhase.Pin, language) with { PinTriesLeft = 1, PinDigitsEntered = 4, PinLastTryPending = true };
            yield return Base(SessionPhase.PhoneConfirm, language) with { CardKind = CardKind.IPhone };
            yield return Base(SessionPhase.Consent, language) with { ConsentCategories = [new("treatment"), new("medication")] };
            yield return Base(SessionPhase.Consent, language) with { ConsentCategories = [new("treatment"), new("medication")], ConsentCategoryIndex = 1 };
            yield return Base(SessionPhase.Done, language) with { Eligibility = new EligibilityAnswer(SessionId, EligibilityStatus.Valid, GreetingName, []) };
            yield return Base(SessionPhase.Done, language) with { Eligibility = new EligibilityAnswer(SessionId, EligibilityStatus.NotFound, null, []) };
            foreach (var reason in Enum.GetValues<FailureReason>())
            {
                yield return Base(SessionPhase.Failed, language) with { Failure = reason };
            }
        }

        return Snapshots().Select(ScreenComposer.Compose);
    }
}
