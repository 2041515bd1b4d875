using MynaTerminal.Core.Cards;
using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Results;
using MynaTerminal.Core.Session;

namespace MynaTerminal.Display;

/// <summary>
/// One sample of every screen the patient can see, in the order of the flow, composed from made-up snapshots: for
/// screenshots, contact sheets, the render benchmark (<c>mynaterm screens bench</c>) and demo pages. The greeting
/// uses 旧字体 and a character outside the BMP (髙﨑 𠮷邊), the face screen a synthetic camera preview.
/// </summary>
public static class ScreenGallery
{
    /// <summary>The greeting name of the sample done screen.</summary>
    public const string SampleName = "髙﨑 𠮷邊";

    private static readonly Guid SessionId = new("6f1c2a9e-3b7d-4c1e-9a55-0d2f7e8b1c40");

    /// <summary>(name, snapshot) of each sample; names are stable and file-name safe.</summary>
    public static IReadOnlyList<(string Name, SessionSnapshot Snapshot)> Snapshots(string language)
    {
        var methods = new[] { MethodOption.Face, MethodOption.Pin, MethodOption.Staff };
        IReadOnlyList<ConsentCategory> categories = SessionOptions.DefaultConsentCategories.Select(id => new ConsentCategory(id)).ToArray();
        var notAfter = new DateTimeOffset(2026, 12, 31, 14, 59, 59, TimeSpan.Zero);
        SessionSnapshot S(SessionPhase phase) => new()
        {
            Phase = phase,
            Language = language,
            SessionId = phase is SessionPhase.Idle or SessionPhase.OutOfService ? null : SessionId,
            CardKind = phase is SessionPhase.Idle or SessionPhase.OutOfService or SessionPhase.Reading ? null : CardKind.Card,
        };
        EligibilityAnswer Answer(EligibilityStatus status, string? name) => new(SessionId, status, name, []);

        (string, SessionSnapshot)[] all =
        [
            ("idle", S(SessionPhase.Idle)),
            ("idle-card-removed-early", S(SessionPhase.Idle) with { IdleNotice = IdleNotice.CardRemovedEarly }),
            ("reading", S(SessionPhase.Reading)),
            ("certificate-expiring-soon", S(SessionPhase.CertificateNotice) with { Expiry = CertificateExpiry.ExpiringSoon, CertificateNotAfter = notAfter }),
            ("certificate-expired-in-grace", S(SessionPhase.CertificateNotice) with { Expiry = CertificateExpiry.ExpiredInGrace, CertificateNotAfter = notAfter.AddMonths(-1) }),
            ("method-choice", S(SessionPhase.MethodChoice) with { Methods = methods }),
            ("method-choice-face-failed", S(SessionPhase.MethodChoice) with { Methods = [MethodOption.Pin, MethodOption.Staff], MethodNotice = MethodNotice.FaceFailed }),
            ("face", S(SessionPhase.Face) with { FaceAttempt = 1, FaceHint = FaceHint.TooFar }),
            ("pin", S(SessionPhase.Pin) with { PinTriesLeft = 3, PinDigitsEntered = 2, Methods = methods }),
            ("pin-one-try-left", S(SessionPhase.Pin) with { PinTriesLeft = 1, PinWasWrong = true, Methods = methods }),
            ("pin-last-try", S(SessionPhase.Pin) with { PinTriesLeft = 1, PinDigitsEntered = 4, PinLastTryPending = true }),
            ("phone-confirm", S(SessionPhase.PhoneConfirm) with { CardKind = CardKind.IPhone }),
            ("staff-visual", S(SessionPhase.StaffVisual) with { Methods = [MethodOption.Staff], MethodNotice = MethodNotice.PinBlocked }),
            ("staff-help", S(SessionPhase.StaffHelp)),
            ("consent", S(SessionPhase.Consent) with { ConsentCategories = categories }),
            ("consent-category", S(SessionPhase.Consent) with { ConsentCategories = categories, ConsentCategoryIndex = 1 }),
            ("prescription-form", S(SessionPhase.PrescriptionForm)),
            ("eligibility", S(SessionPhase.Eligibility)),
            ("done", S(SessionPhase.Done) with { Eligibility = Answer(EligibilityStatus.Valid, SampleName) }),
            ("done-in-grace", S(SessionPhase.Done) with { Expiry = CertificateExpiry.ExpiredInGrace, Eligibility = Answer(EligibilityStatus.Valid, SampleName) }),
            ("done-see-reception", S(SessionPhase.Done) with { Eligibility = Answer(EligibilityStatus.NotFound, null) }),
            ("done-no-answer", S(SessionPhase.Done) with { EligibilityMissing = true }),
            .. Enum.GetValues<FailureReason>().Select(reason => (ScreenIds.FailedPrefix + Kebab(reason.ToString()), S(SessionPhase.Failed) with { Failure = reason })),
            ("out-of-service", S(SessionPhase.OutOfService)),
        ];
        return all;
    }

    /// <summary>(name, screen) of each sample, composed in <paramref name="language"/>; the face screen carries <see cref="SamplePreview"/>.</summary>
    public static IReadOnlyList<(string Name, Screen Screen)> Screens(string language) =>
        Snapshots(language).Select(s =>
        {
            var screen = ScreenComposer.Compose(s.Snapshot);
            return (s.Name, s.Snapshot.Phase == SessionPhase.Face ? screen with { Preview = SamplePreview() } : screen);
        }).ToArray();

    /// <summary>A 64 × 48 synthetic camera thumbnail (a gradient with a face-coloured oval) and its face box.</summary>
    public static FacePreview SamplePreview()
    {
        const int w = 64, h = 48;
        var bgr = new byte[w * h * 3];
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                var i = ((y * w) + x) * 3;
                var inFace = Math.Pow((x - 32) / 11.0, 2) + Math.Pow((y - 24) / 15.0, 2) <= 1;
                bgr[i] = (byte)(inFace ? 150 : 60 + y);
                bgr[i + 1] = (byte)(inFace ? 175 : 70 + y);
                bgr[i + 2] = (byte)(inFace ? 215 : 80 + x);
            }
        }

        return new FacePreview(w, h, bgr, new PreviewBox(20, 8, 24, 32));
    }

    private static string Kebab(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
