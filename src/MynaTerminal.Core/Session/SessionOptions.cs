using System.ComponentModel.DataAnnotations;
using MynaTerminal.Core.Policies;
using MynaTerminal.Core.Results;

namespace MynaTerminal.Core.Session;

/// <summary>Configuration of the patient session (section "Session" of appsettings.json).</summary>
public sealed class SessionOptions : IValidatableObject
{
    public const string Section = "Session";

    /// <summary>
    /// Language of a new session (ja, ja-easy, en, zh-Hans, ko, vi: the screen text tables). A language chosen on the
    /// idle screen carries into the session started by the next card; every session ends back on this one.
    /// </summary>
    [Required]
    public string DefaultLanguage { get; set; } = "ja";

    /// <summary>How long before a time-out the screen warns (and any input extends the phase).</summary>
    public TimeSpan WarningLead { get; set; } = TimeSpan.FromSeconds(10);

    public PhaseTimeouts Timeouts { get; set; } = new();

    /// <summary>Face attempts before the PIN (or staff) is offered.</summary>
    [Range(1, 5)]
    public int MaxFaceAttempts { get; set; } = 2;

    /// <summary>Today's categories: 手術・診療, お薬, 健診.</summary>
    public static IReadOnlyList<string> DefaultConsentCategories { get; } = ["treatment", "medication", "checkup"];

    /// <summary>
    /// Consent categories in screen order (data, because the set grows). Empty: <see cref="DefaultConsentCategories"/>.
    /// (Not pre-filled: configuration binding appends to a list, it does not replace it.)
    /// </summary>
    public List<string> ConsentCategories { get; set; } = [];

    private IReadOnlyList<string> EffectiveConsentCategories => ConsentCategories.Count == 0 ? DefaultConsentCategories : ConsentCategories;

    /// <summary>Ask 処方箋の発行形態 (clinics issuing 電子処方箋).</summary>
    public bool AskPrescriptionForm { get; set; }

    /// <summary>Renewal alert starts this long before expiry.</summary>
    public TimeSpan CertificateAlertBefore { get; set; } = CertificateExpiryPolicy.Default.AlertBefore;

    /// <summary>Grace period after expiry in which only eligibility is confirmed.</summary>
    public TimeSpan CertificateGrace { get; set; } = CertificateExpiryPolicy.Default.Grace;

    public CertificateExpiryPolicy ExpiryPolicy => new(CertificateAlertBefore, CertificateGrace);

    public IReadOnlyList<ConsentCategory> Categories => EffectiveConsentCategories.Select(id => new ConsentCategory(id)).ToList();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, value) in Timeouts.All())
        {
            if (value <= TimeSpan.Zero)
            {
                yield return new ValidationResult($"Session:Timeouts:{name} must be positive.", [name]);
            }
            else if (name != nameof(PhaseTimeouts.Reading) && value <= WarningLead)
            {
                yield return new ValidationResult($"Session:Timeouts:{name} ({value}) must be longer than WarningLead ({WarningLead}).", [name]);
            }
        }

        if (WarningLead < TimeSpan.Zero)
        {
            yield return new ValidationResult("Session:WarningLead must not be negative.", [nameof(WarningLead)]);
        }

        var categories = EffectiveConsentCategories;
        if (categories.Any(string.IsNullOrWhiteSpace) || categories.Distinct().Count() != categories.Count)
        {
            yield return new ValidationResult("Session:ConsentCategories must list distinct, non-empty ids.", [nameof(ConsentCategories)]);
        }

        if (CertificateAlertBefore < TimeSpan.Zero || CertificateGrace < TimeSpan.Zero)
        {
            yield return new ValidationResult("Session:CertificateAlertBefore and CertificateGrace must not be negative.", [nameof(CertificateGrace)]);
        }
    }
}

/// <summary>Time-out of each phase. A time-out never counts as a failed PIN or face attempt.</summary>
public sealed class PhaseTimeouts
{
    public TimeSpan Reading { get; set; } = TimeSpan.FromSeconds(15);
    public TimeSpan CertificateNotice { get; set; } = TimeSpan.FromSeconds(30);
    public TimeSpan MethodChoice { get; set; } = TimeSpan.FromSeconds(60);
    public TimeSpan Face { get; set; } = TimeSpan.FromSeconds(45);
    public TimeSpan Pin { get; set; } = TimeSpan.FromSeconds(90);
    public TimeSpan PhoneConfirm { get; set; } = TimeSpan.FromSeconds(60);
    public TimeSpan StaffVisual { get; set; } = TimeSpan.FromMinutes(5);
    public TimeSpan StaffHelp { get; set; } = TimeSpan.FromMinutes(5);
    public TimeSpan Consent { get; set; } = TimeSpan.FromSeconds(90);
    public TimeSpan PrescriptionForm { get; set; } = TimeSpan.FromSeconds(60);
    public TimeSpan Eligibility { get; set; } = TimeSpan.FromSeconds(20);
    /// <summary>After Done or Failed: alert staff when the card is still in the reader.</summary>
    public TimeSpan CardLeftBehind { get; set; } = TimeSpan.FromSeconds(60);
    /// <summary>How long the idle screen shows a notice about the previous session.</summary>
    public TimeSpan IdleNotice { get; set; } = TimeSpan.FromSeconds(20);
    /// <summary>A language chosen on the idle screen lasts this long without a card, then the default returns.</summary>
    public TimeSpan IdleLanguage { get; set; } = TimeSpan.FromSeconds(60);

    public IEnumerable<(string Name, TimeSpan Value)> All() =>
    [
        (nameof(Reading), Reading), (nameof(CertificateNotice), CertificateNotice), (nameof(MethodChoice), MethodChoice),
        (nameof(Face), Face), (nameof(Pin), Pin), (nameof(PhoneConfirm), PhoneConfirm), (nameof(StaffVisual), StaffVisual),
        (nameof(StaffHelp), StaffHelp), (nameof(Consent), Consent), (nameof(PrescriptionForm), PrescriptionForm),
        (nameof(Eligibility), Eligibility), (nameof(CardLeftBehind), CardLeftBehind), (nameof(IdleNotice), IdleNotice),
        (nameof(IdleLanguage), IdleLanguage),
    ];

    public TimeSpan? For(SessionPhase phase) => phase switch
    {
        SessionPhase.Reading => Reading,
        SessionPhase.CertificateNotice => CertificateNotice,
        SessionPhase.MethodChoice => MethodChoice,
        SessionPhase.Face => Face,
        SessionPhase.Pin => Pin,
        SessionPhase.PhoneConfirm => PhoneConfirm,
        SessionPhase.StaffVisual => StaffVisual,
        SessionPhase.StaffHelp => StaffHelp,
        SessionPhase.Consent => Consent,
        SessionPhase.PrescriptionForm => PrescriptionForm,
        SessionPhase.Eligibility => Eligibility,
        SessionPhase.Done or SessionPhase.Failed => CardLeftBehind,
        SessionPhase.Idle or SessionPhase.OutOfService => null,
        _ => throw new ArgumentOutOfRangeException(nameof(phase), phase, null),
    };
}
