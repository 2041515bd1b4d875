using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using MynaTerminal.Cameras.Files;
using MynaTerminal.Cameras.Imaging;

namespace MynaTerminal.Cameras;

/// <summary>Where the patient camera's frames come from.</summary>
public enum CameraSource
{
    /// <summary>A V4L2 device node (USB UVC cameras): <see cref="CameraOptions.Device"/>.</summary>
    V4l2,

    /// <summary>A Raspberry Pi camera module through <c>rpicam-vid</c> (MJPEG on its stdout).</summary>
    Rpicam,

    /// <summary>An image, a folder of images or an MJPEG video: <see cref="CameraOptions.Path"/> (development, demos, tests).</summary>
    Files,
}

/// <summary>The pixel format asked of a V4L2 camera.</summary>
public enum CameraPixelFormat
{
    /// <summary>MJPEG when the camera offers it (less USB bandwidth, full frame rate at 640x480 and above), else YUYV.</summary>
    Auto,
    Mjpeg,
    Yuyv,
}

/// <summary>Configuration section <c>Camera</c>: the patient-facing camera.</summary>
/// <example>
/// <code>
/// "Camera": { "Source": "V4l2", "Device": "/dev/video0", "Width": 640, "Height": 480, "FramesPerSecond": 15 }
/// "Camera": { "Source": "Rpicam", "RpicamPath": "rpicam-vid", "Width": 640, "Height": 480 }
/// "Camera": { "Source": "Files", "Path": "/srv/faces/demo", "Loop": true }
/// </code>
/// </example>
public sealed class CameraOptions
{
    public const string SectionName = "Camera";

    public CameraSource Source { get; set; } = CameraSource.V4l2;

    /// <summary>V4L2 device node.</summary>
    public string Device { get; set; } = "/dev/video0";

    /// <summary>Requested frame width (V4L2: the driver may choose the nearest size it has).</summary>
    [Range(16, 4096)]
    public int Width { get; set; } = 640;

    [Range(16, 4096)]
    public int Height { get; set; } = 480;

    /// <summary>Requested frame rate; for <see cref="CameraSource.Files"/> the delivery rate.</summary>
    [Range(1, 120)]
    public int FramesPerSecond { get; set; } = 15;

    /// <summary>V4L2 only.</summary>
    public CameraPixelFormat PixelFormat { get; set; } = CameraPixelFormat.Auto;

    /// <summary>V4L2 memory-mapped buffers (the driver may grant a different number; at least 2 are needed).</summary>
    [Range(2, 32)]
    public int BufferCount { get; set; } = 4;

    /// <summary>The <c>rpicam-vid</c> executable: a name looked up on PATH, or a full path.</summary>
    public string RpicamPath { get; set; } = "rpicam-vid";

    /// <summary>
    /// Files only: one image (.jpg, .jpeg, .png, .bmp; repeated), a folder of such images (ordinal name order),
    /// or an MJPEG video (.mjpeg / .mjpg raw MJPEG, .avi with MJPEG frames).
    /// </summary>
    public string? Path { get; set; }

    /// <summary>Files only: start a folder or video again after its last frame; false = the stream ends there.</summary>
    public bool Loop { get; set; } = true;

    /// <summary>
    /// Longest wait for the next frame (V4L2, rpicam-vid) before the camera is reported as stalled. It includes the
    /// start-up of rpicam-vid (about a second on a Pi).
    /// </summary>
    public TimeSpan FrameTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A copy, so a running camera does not see later changes to the bound options object.</summary>
    public CameraOptions Clone() => (CameraOptions)MemberwiseClone();
}

/// <summary>
/// The rules of <see cref="CameraOptions"/> that DataAnnotations cannot express: enum values, per-source
/// requirements (Files needs an existing <see cref="CameraOptions.Path"/>), sane sizes and time-outs.
/// Register it next to <c>ValidateDataAnnotations()</c>.
/// </summary>
public sealed class CameraOptionsValidator : IValidateOptions<CameraOptions>
{
    /// <summary>Runs the DataAnnotations and these rules; throws <see cref="OptionsValidationException"/> listing every failure.</summary>
    public static void ThrowIfInvalid(CameraOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        var failures = results
            .Select(r => $"{CameraOptions.SectionName}:{string.Join(",", r.MemberNames)}: {r.ErrorMessage}")
            .Concat(new CameraOptionsValidator().Validate(null, options).Failures ?? [])
            .ToList();
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(CameraOptions), failures);
        }
    }

    public ValidateOptionsResult Validate(string? name, CameraOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        const string S = CameraOptions.SectionName;
        if (!Enum.IsDefined(options.Source))
        {
            failures.Add($"{S}:Source '{options.Source}' is not one of V4l2, Rpicam, Files.");
        }

        if (!Enum.IsDefined(options.PixelFormat))
        {
            failures.Add($"{S}:PixelFormat '{options.PixelFormat}' is not one of Auto, Mjpeg, Yuyv.");
        }

        if ((long)options.Width * options.Height > 4096L * 3072)
        {
            failures.Add($"{S}:Width x Height ({options.Width}x{options.Height}) is larger than 12 megapixels; face authentication needs about 640x480.");
        }

        if (options.FrameTimeout <= TimeSpan.Zero || options.FrameTimeout > TimeSpan.FromMinutes(5))
        {
            failures.Add($"{S}:FrameTimeout must be more than 0 and at most 5 minutes (it is {options.FrameTimeout}).");
        }
        else if (options.FramesPerSecond > 0 && options.FrameTimeout < TimeSpan.FromSeconds(2.0 / options.FramesPerSecond))
        {
            failures.Add($"{S}:FrameTimeout ({options.FrameTimeout}) must cover at least two frame intervals at {options.FramesPerSecond} fps.");
        }

        switch (options.Source)
        {
            case CameraSource.V4l2:
                if (string.IsNullOrWhiteSpace(options.Device) || !System.IO.Path.IsPathFullyQualified(options.Device))
                {
                    failures.Add($"{S}:Device must be an absolute path such as /dev/video0 (it is '{options.Device}').");
                }

                if (options.PixelFormat == CameraPixelFormat.Yuyv && options.Width % 2 != 0)
                {
                    failures.Add($"{S}:Width must be even for YUYV (it is {options.Width}).");
                }

                break;

            case CameraSource.Rpicam:
                if (string.IsNullOrWhiteSpace(options.RpicamPath))
                {
                    failures.Add($"{S}:RpicamPath must name the rpicam-vid executable.");
                }

                if (options.Width % 2 != 0 || options.Height % 2 != 0)
                {
                    failures.Add($"{S}:Width and Height must be even for rpicam-vid (they are {options.Width}x{options.Height}).");
                }

                break;

            case CameraSource.Files:
                ValidatePath(options.Path, failures);
                break;
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidatePath(string? path, List<string> failures)
    {
        const string S = CameraOptions.SectionName;
        if (string.IsNullOrWhiteSpace(path))
        {
            failures.Add($"{S}:Path is required when Source is Files (an image, a folder of images, or a .mjpeg/.mjpg/.avi video).");
        }
        else if (Directory.Exists(path))
        {
            return;
        }
        else if (!File.Exists(path))
        {
            failures.Add($"{S}:Path '{path}' does not exist.");
        }
        else if (!FileFaceCamera.IsSupportedFile(path))
        {
            failures.Add($"{S}:Path '{path}' is neither an image ({string.Join(", ", ImageFile.Extensions)}) nor an MJPEG video ({string.Join(", ", FileFaceCamera.VideoExtensions)}).");
        }
    }
}
