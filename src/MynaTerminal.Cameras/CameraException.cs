namespace MynaTerminal.Cameras;

/// <summary>What went wrong with a camera, for callers that react differently (alert staff, retry later).</summary>
public enum CameraErrorKind
{
    /// <summary>The device node, executable or file does not exist.</summary>
    NotFound,

    /// <summary>The device exists but the process may not open it (V4L2: the service user is not in <c>video</c>).</summary>
    PermissionDenied,

    /// <summary>Another process holds the camera.</summary>
    Busy,

    /// <summary>The device is not a streaming video-capture device, or offers no format this code can decode.</summary>
    Unsupported,

    /// <summary>The camera went away while streaming (unplugged, driver error, the capture process exited).</summary>
    Disconnected,

    /// <summary>No frame arrived within <see cref="CameraOptions.FrameTimeout"/>.</summary>
    Timeout,

    /// <summary>Frames arrive but none can be decoded.</summary>
    BadFrames,

    /// <summary>Any other failure of the device or its driver.</summary>
    DeviceError,
}

/// <summary>A camera could not deliver frames. The message names the device and says what to check.</summary>
public sealed class CameraException(CameraErrorKind kind, string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    public CameraErrorKind Kind { get; } = kind;
}
