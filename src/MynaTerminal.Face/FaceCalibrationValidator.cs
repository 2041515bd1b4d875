using Microsoft.Extensions.Options;
using MynaTerminal.Face.Engine;

namespace MynaTerminal.Face;

/// <summary>
/// A threshold is only meaningful for the model it was calibrated on: the terminal refuses to start when
/// FaceEngine:Embedder differs from Face:CalibratedFor (switching to SFace needs a new <c>mynaterm face eval</c>).
/// </summary>
public sealed class FaceCalibrationValidator(IOptions<FaceOptions> face) : IValidateOptions<FaceEngineOptions>
{
    public ValidateOptionsResult Validate(string? name, FaceEngineOptions options)
    {
        var failures = new List<string>();
        if (!FaceModelIds.Embedders.Contains(options.Embedder))
        {
            failures.Add($"FaceEngine:Embedder '{options.Embedder}' is not a recognition model ({string.Join(", ", FaceModelIds.Embedders)}).");
        }
        else if (!string.Equals(options.Embedder, face.Value.CalibratedFor, StringComparison.Ordinal))
        {
            failures.Add(
                $"FaceEngine:Embedder is '{options.Embedder}' but Face:MatchThreshold was calibrated for '{face.Value.CalibratedFor}'. " +
                "Calibrate with 'mynaterm face eval --chip-sim' and set Face:MatchThreshold, Face:CalibratedFor and Face:Calibration together.");
        }

        if (!FaceModelIds.Detectors.Contains(options.Detector))
        {
            failures.Add($"FaceEngine:Detector '{options.Detector}' is not a detector model ({string.Join(", ", FaceModelIds.Detectors)}).");
        }

        if (options.DetectorInputSize % 32 != 0)
        {
            failures.Add($"FaceEngine:DetectorInputSize {options.DetectorInputSize} must be a multiple of 32.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
