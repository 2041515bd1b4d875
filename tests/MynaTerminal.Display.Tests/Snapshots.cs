using MynaTerminal.Core.Cards;
using MynaTerminal.Core.Results;
using MynaTerminal.Core.Session;

namespace MynaTerminal.Display.Tests;

/// <summary>A catalogue of snapshots: every phase and every sub-state a screen distinguishes, by name.</summary>
internal static class Snapshots
{
    public static readonly DateTimeOffset Now = new(2026, 11, 23, 9, 0, 0, TimeSpan.FromHours(9));
    public static readonly Guid SessionId = new("6f1c2a9e-3b7d-4c1e-9a55-0d2f7e8b1c40");

    public static SessionSnapshot Base(SessionPhase phase) => new()
    {
        Phase = phase,
        SessionId = phase == SessionPhase.Idle ? null : SessionId,
        Language = "ja",
        CardKind = phase == SessionPhase.Idle ? null : CardKind.Card,
    };

    public static EligibilityAnswer Answer(EligibilityStatus status, string? name = "山田 太郎", params string[] notices) =>
        new(SessionId, status, name, notices);

    public static readonly IReadOnlyList<ConsentCategory> Categories =
        [new("treatment"), new("medication"), new("checkup")];

    /// <summary>Every variant, by a stable name (used as theory data).</summary>
    public static IReadOnlyDictionary<string, SessionSnapshot> All { get; } = Build();

    private static Dictionary<string, SessionSnapshot> Build()
    {
        var all = new Dictionary<string, SessionSnapshot>(StringComparer.Ordinal)
        {
            ["idle"] = Base(SessionPhase.Idle),
            ["idle-card-removed-early"] = Base(SessionPhase.Idle) with { IdleNotice = IdleNotice.CardRemovedEarly },
            ["reading"] = Base(SessionPhase.Reading) with { CardKind = null },
            ["cert-expiring-soon"] = Base(SessionPhase.CertificateNotice) with { Expiry = CertificateExpiry.ExpiringSoon, CertificateNotAfter = new DateTimeOffset(2026, 12, 31, 14, 59, 59, TimeSpan.Zero) },
            ["cert-expired-in-grace"] = Base(SessionPhase.CertificateNotice) with { Expiry = CertificateExpiry.ExpiredInGrace, CertificateNotAfter = Now.AddDays(-20) },
            ["cert-no-date"] = Base(SessionPhase.CertificateNotice) with { Expiry = CertificateExpiry.ExpiringSoon },
            ["cert-warning"] = Base(SessionPhase.CertificateNotice) with { Expiry = CertificateExpiry.ExpiringSoon, CertificateNotAfter = Now.AddDays(30), TimeoutWarning = true },
            ["method-all"] = Base(SessionPhase.MethodChoice) with { Methods = [MethodOption.Face, MethodOption.Pin, MethodOption.Staff] },
            ["method-warning"] = Base(SessionPhase.MethodChoice) with { Methods = [MethodOption.Face, MethodOption.Pin, MethodOption.Staff], TimeoutWarning = true },
            ["face-attempt-1"] = Base(SessionPhase.Face) with { FaceAttempt = 1 },
            ["face-attempt-2"] = Base(SessionPhase.Face) with { FaceAttempt = 2, FaceHint = FaceHint.TooDark },
            ["pin-empty"] = Base(SessionPhase.Pin) with { PinTriesLeft = 3, Methods = [MethodOption.Face, MethodOption.Pin, MethodOption.Staff] },
            ["pin-two-digits"] = Base(SessionPhase.Pin) with { PinTriesLeft = 3, PinDigitsEntered = 2 },
            ["pin-wrong"] = Base(SessionPhase.Pin) with { PinTriesLeft = 2, PinWasWrong = true },
            ["pin-one-try-left"] = Base(SessionPhase.Pin) with { PinTriesLeft = 1, PinWasWrong = true, PinDigitsEntered = 4 },
            ["pin-last-try"] = Base(SessionPhase.Pin) with { PinTriesLeft = 1, PinDigitsEntered = 4, PinLastTryPending = true },
            ["pin-android"] = Base(SessionPhase.Pin) with { CardKind = CardKind.Android, PinTriesLeft = 3, Methods = [MethodOption.Pin] },
            ["pin-warning"] = Base(SessionPhase.Pin) with { PinTriesLeft = 3, PinDigitsEntered = 1, TimeoutWarning = true },
            ["phone-confirm"] = Base(SessionPhase.PhoneConfirm) with { CardKind = CardKind.IPhone },
            ["staff-visual"] = Base(SessionPhase.StaffVisual) with { Methods = [MethodOption.Staff] },
            ["staff-visual-spoof"] = Base(SessionPhase.StaffVisual) with { Methods = [MethodOption.Pin, MethodOption.Staff], MethodNotice = MethodNotice.SpoofSuspected },
            ["staff-visual-pin-blocked"] = Base(SessionPhase.StaffVisual) with { Methods = [MethodOption.Staff], MethodNotice = MethodNotice.PinBlocked },
            ["staff-help"] = Base(SessionPhase.StaffHelp),
            ["consent"] = Base(SessionPhase.Consent) with { ConsentCategories = Categories },
            ["consent-unknown-category"] = Base(SessionPhase.Consent) with { ConsentCategories = [new("treatment"), new("allergy")] },
            ["consent-individual-unknown"] = Base(SessionPhase.Consent) with { ConsentCategories = [new("treatment"), new("allergy")], ConsentCategoryIndex = 1 },
            ["consent-warning"] = Base(SessionPhase.Consent) with { ConsentCategories = Categories, TimeoutWarning = true },
            ["prescription-form"] = Base(SessionPhase.PrescriptionForm),
            ["eligibility"] = Base(SessionPhase.Eligibility),
            ["done-greeting"] = Base(SessionPhase.Done) with { Eligibility = Answer(EligibilityStatus.Valid) },
            ["done-no-name"] = Base(SessionPhase.Done) with { Eligibility = Answer(EligibilityStatus.Valid, name: null) },
            ["done-notices"] = Base(SessionPhase.Done) with { Eligibility = Answer(EligibilityStatus.Valid, "山田 太郎", "電子証明書の有効期限が近づいています。") },
            ["done-in-grace"] = Base(SessionPhase.Done) with { Expiry = CertificateExpiry.ExpiredInGrace, Eligibility = Answer(EligibilityStatus.Valid) },
            ["done-invalid"] = Base(SessionPhase.Done) with { Eligibility = Answer(EligibilityStatus.Invalid) },
            ["done-not-found"] = Base(SessionPhase.Done) with { Eligibility = Answer(EligibilityStatus.NotFound, name: null) },
            ["done-missing"] = Base(SessionPhase.Done) with { EligibilityMissing = true },
            ["failed-no-method-pin-blocked"] = Base(SessionPhase.Failed) with { CardKind = CardKind.Android, Failure = FailureReason.NoMethodLeft, MethodNotice = MethodNotice.PinBlocked, PinTriesLeft = 0 },
            ["failed-unknown-reason"] = Base(SessionPhase.Failed),
        };

        foreach (var notice in Enum.GetValues<MethodNotice>())
        {
            all[$"method-notice-{notice}"] = Base(SessionPhase.MethodChoice) with { Methods = [MethodOption.Pin, MethodOption.Staff], MethodNotice = notice };
        }

        foreach (var hint in Enum.GetValues<FaceHint>())
        {
            all[$"face-hint-{hint}"] = Base(SessionPhase.Face) with { FaceAttempt = 1, FaceHint = hint };
        }

        for (var i = 0; i < Categories.Count; i++)
        {
            all[$"consent-individual-{i}"] = Base(SessionPhase.Consent) with { ConsentCategories = Categories, ConsentCategoryIndex = i };
        }

        foreach (var reason in Enum.GetValues<FailureReason>())
        {
            all[$"failed-{reason}"] = Base(SessionPhase.Failed) with { Failure = reason };
        }

        // Every phase at least once (guards against a new phase without a variant here).
        foreach (var phase in Enum.GetValues<SessionPhase>())
        {
            all.TryAdd($"phase-{phase}", Base(phase));
        }

        return all;
    }
}
