using Microsoft.Extensions.Logging;
using MynaTerminal.Cameras.Files;
using MynaTerminal.Cameras.Rpicam;
using MynaTerminal.Cameras.V4l2;
using MynaTerminal.Core.Devices;

namespace MynaTerminal.Cameras;

/// <summary>Builds the patient camera that <see cref="CameraOptions.Source"/> names.</summary>
public static class CameraFactory
{
    /// <summary>
    /// Validates <paramref name="options"/> (DataAnnotations and <see cref="CameraOptionsValidator"/>; failures throw
    /// <see cref="Microsoft.Extensions.Options.OptionsValidationException"/>) and creates the camera. Nothing is opened
    /// yet: the device or process starts with the first <see cref="IFaceCamera.FramesAsync"/>. Every camera returned
    /// is also <see cref="IDisposable"/>.
    /// </summary>
    public static IFaceCamera Create(CameraOptions options, TimeProvider timeProvider, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        CameraOptionsValidator.ThrowIfInvalid(options);
        return options.Source switch
        {
            CameraSource.V4l2 => new V4l2Camera(options, timeProvider, loggerFactory.CreateLogger<V4l2Camera>()),
            CameraSource.Rpicam => new RpicamVidCamera(options, timeProvider, loggerFactory.CreateLogger<RpicamVidCamera>()),
            CameraSource.Files => new FileFaceCamera(options, timeProvider, loggerFactory.CreateLogger<FileFaceCamera>()),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Source, "Unknown camera source."),
        };
    }
}
