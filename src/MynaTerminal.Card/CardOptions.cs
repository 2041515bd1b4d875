using System.ComponentModel.DataAnnotations;

namespace MynaTerminal.Card;

/// <summary>
/// Settings of the My Number Card reader (section <c>Card</c>). Validated with DataAnnotations when the host starts
/// (<c>AddOptions&lt;CardOptions&gt;().BindConfiguration(CardOptions.SectionName).ValidateDataAnnotations().ValidateOnStart()</c>)
/// and again by <see cref="MyNumberCardReader"/>'s constructor.
/// </summary>
public sealed class CardOptions : IValidatableObject
{
    public const string SectionName = "Card";

    /// <summary>
    /// PEM file with the public keys (CERTIFICATE / PUBLIC KEY blocks) that certify the 券面AP signing keys. Production:
    /// the J-LIS CA keys; tests and simulation: the emulator's test CA (<c>EmulatorPki.WriteCardFaceTrustAnchor</c>).
    /// Without it the face path fails before any VERIFY is spent.
    /// </summary>
    public string? CardFaceTrustAnchorPath { get; set; }

    /// <summary>
    /// The fewest 照合番号B tries (of 10) that must be left before the terminal spends one; below it the face path is
    /// refused without a VERIFY, so an OCR error can never be what locks a patient's card.
    /// </summary>
    [Range(1, 10)]
    public int MinimumMatchingNumberTries { get; set; } = 3;

    /// <summary>Read 基本4情報 from the 券面事項入力補助AP when the clinic asks for it. Off by default.</summary>
    public bool ReadBasicFourInformation { get; set; }

    /// <summary>How often to try connecting when another process holds the card (PC/SC sharing violation).</summary>
    [Range(1, 10)]
    public int ConnectAttempts { get; set; } = 5;

    /// <summary>Pause between connection attempts.</summary>
    public TimeSpan ConnectRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Length of the terminal nonce the card signs as proof of possession.</summary>
    [Range(16, 128)]
    public int NonceLength { get; set; } = 32;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ConnectRetryDelay < TimeSpan.Zero || ConnectRetryDelay > TimeSpan.FromSeconds(10))
        {
            yield return new ValidationResult("ConnectRetryDelay must be between 0 and 10 seconds.", [nameof(ConnectRetryDelay)]);
        }

        if (!string.IsNullOrWhiteSpace(CardFaceTrustAnchorPath) && !File.Exists(CardFaceTrustAnchorPath))
        {
            yield return new ValidationResult($"CardFaceTrustAnchorPath '{CardFaceTrustAnchorPath}' does not exist.", [nameof(CardFaceTrustAnchorPath)]);
        }
    }

    /// <summary>Throws <see cref="ValidationException"/> with the first problem.</summary>
    public void ValidateOrThrow() => Validator.ValidateObject(this, new ValidationContext(this), validateAllProperties: true);
}
