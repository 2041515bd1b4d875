using System.ComponentModel.DataAnnotations;

namespace MynaTerminal.Terminal;

/// <summary>Which implementation drives each device (section "Devices"). Simulated is the embedded default.</summary>
public sealed class DeviceOptions : IValidatableObject
{
    public const string Section = "Devices";

    /// <summary>
    /// The IC-card reader: <see cref="CardReaderKind.Virtual"/> (default: the APDU-level virtual card read
    /// in-process through the real card stack, driven by <c>mynaterm simulate</c>), <see cref="CardReaderKind.Simulated"/>
    /// (a simple model without APDUs) or <see cref="CardReaderKind.Pcsc"/> (real readers through pcsc-lite;
    /// options in sections "Pcsc" and "Card").
    /// </summary>
    public CardReaderKind CardReader { get; set; } = CardReaderKind.Virtual;

    /// <summary>Cameras and face engine. Only the simulated ones exist in this build (ONNX engine: issue 4).</summary>
    public string Cameras { get; set; } = "Simulated";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enum.IsDefined(CardReader))
        {
            yield return new ValidationResult($"Devices:CardReader '{CardReader}' is unknown: use Virtual, Simulated or Pcsc.", [nameof(CardReader)]);
        }

        if (!string.Equals(Cameras, "Simulated", StringComparison.OrdinalIgnoreCase))
        {
            yield return new ValidationResult(
                $"Devices:Cameras '{Cameras}' is not available in this build: only 'Simulated' is (the V4L2 cameras and the ONNX face engine are tracked in the issues).",
                [nameof(Cameras)]);
        }
    }
}

/// <summary>The card reader implementations.</summary>
public enum CardReaderKind
{
    /// <summary>A simple in-process model of the card (no APDUs).</summary>
    Simulated,
    /// <summary>The APDU-level virtual My Number Card, read in-process through the real card stack.</summary>
    Virtual,
    /// <summary>Real CCID readers through pcsc-lite.</summary>
    Pcsc,
}
