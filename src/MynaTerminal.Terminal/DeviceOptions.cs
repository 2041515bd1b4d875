using System.ComponentModel.DataAnnotations;

namespace MynaTerminal.Terminal;

/// <summary>Which implementation drives each device (section "Devices").</summary>
public sealed class DeviceOptions : IValidatableObject
{
    public const string Section = "Devices";

    /// <summary>"Simulated" (the embedded default). Real drivers are chosen per device once they exist.</summary>
    public string Mode { get; set; } = "Simulated";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.Equals(Mode, "Simulated", StringComparison.OrdinalIgnoreCase))
        {
            yield return new ValidationResult(
                $"Devices:Mode '{Mode}' is not available in this build: only 'Simulated' is. The PC/SC reader and camera drivers are tracked in the issues.",
                [nameof(Mode)]);
        }
    }
}
