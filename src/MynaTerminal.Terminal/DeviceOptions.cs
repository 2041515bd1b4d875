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

    /// <summary>
    /// The patient camera: <see cref="CameraKind.Simulated"/> (default: frames tagged with who stands in front of it,
    /// for the simulated face engine), <see cref="CameraKind.Gallery"/> (the simulation with real photos from
    /// <see cref="Gallery"/>, for the ONNX engine) or <see cref="CameraKind.Real"/> (section "Camera": V4L2, rpicam-vid or files).
    /// </summary>
    public CameraKind Camera { get; set; } = CameraKind.Simulated;

    /// <summary>For <see cref="CameraKind.Gallery"/>: a folder of <c>&lt;identity&gt;/&lt;n&gt;.jpg</c> photos (e.g. ../shared/faces).</summary>
    public string? Gallery { get; set; }

    /// <summary>
    /// The face engine: <see cref="FaceEngineKind.Simulated"/> (default) or <see cref="FaceEngineKind.Onnx"/>
    /// (section "FaceEngine"; needs real pixels, so a real camera).
    /// </summary>
    public FaceEngineKind FaceEngine { get; set; } = FaceEngineKind.Simulated;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enum.IsDefined(CardReader))
        {
            yield return new ValidationResult($"Devices:CardReader '{CardReader}' is unknown: use Virtual, Simulated or Pcsc.", [nameof(CardReader)]);
        }

        if (!Enum.IsDefined(Camera))
        {
            yield return new ValidationResult($"Devices:Camera '{Camera}' is unknown: use Simulated, Gallery or Real.", [nameof(Camera)]);
        }

        if (Camera == CameraKind.Gallery && (string.IsNullOrWhiteSpace(Gallery) || !Directory.Exists(Gallery)))
        {
            yield return new ValidationResult($"Devices:Camera 'Gallery' needs Devices:Gallery, an existing folder of <identity>/<n>.jpg photos ('{Gallery}').", [nameof(Gallery)]);
        }

        if (Camera == CameraKind.Gallery && CardReader != CardReaderKind.Virtual)
        {
            yield return new ValidationResult("Devices:Camera 'Gallery' puts the gallery's faces on the virtual cards: it needs Devices:CardReader 'Virtual'.", [nameof(Camera), nameof(CardReader)]);
        }

        if (!Enum.IsDefined(FaceEngine))
        {
            yield return new ValidationResult($"Devices:FaceEngine '{FaceEngine}' is unknown: use Simulated or Onnx.", [nameof(FaceEngine)]);
        }

        if (FaceEngine == FaceEngineKind.Onnx && Camera == CameraKind.Simulated)
        {
            yield return new ValidationResult(
                "Devices:FaceEngine 'Onnx' needs real pixels: set Devices:Camera to 'Real' (section \"Camera\": V4l2, Rpicam or Files).",
                [nameof(FaceEngine), nameof(Camera)]);
        }

        if (FaceEngine == FaceEngineKind.Simulated && Camera != CameraKind.Simulated)
        {
            yield return new ValidationResult(
                $"Devices:Camera '{Camera}' needs a real face engine: set Devices:FaceEngine to 'Onnx' (the simulated engine only reads simulated frames).",
                [nameof(FaceEngine), nameof(Camera)]);
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

/// <summary>The patient camera implementations.</summary>
public enum CameraKind
{
    /// <summary>Frames that only say who is in front of the camera (for the simulated engine).</summary>
    Simulated,
    /// <summary>Simulated patients shown as real photos from a folder (for the ONNX engine).</summary>
    Gallery,
    /// <summary>Real pixels: a V4L2 camera, a Pi camera through rpicam-vid, or image/video files (section "Camera").</summary>
    Real,
}

/// <summary>The face engine implementations.</summary>
public enum FaceEngineKind
{
    /// <summary>A stand-in that reads the simulated frames' tags.</summary>
    Simulated,
    /// <summary>YuNet + MobileFaceNet/SFace + MiniFASNet on ONNX Runtime.</summary>
    Onnx,
}
