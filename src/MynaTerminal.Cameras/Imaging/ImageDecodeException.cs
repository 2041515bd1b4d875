namespace MynaTerminal.Cameras.Imaging;

/// <summary>
/// Image bytes could not be decoded (corrupt, truncated, unsupported), or an image file could not be loaded.
/// Decoders throw only this for bad input; they never crash the process or hang on it.
/// </summary>
public sealed class ImageDecodeException(string message, Exception? innerException = null) : Exception(message, innerException)
{
    /// <summary>The file that failed, when the bytes came from a file (the message names it too).</summary>
    public string? Path { get; init; }

    internal static ImageDecodeException ForFile(string path, string problem, Exception? innerException = null) =>
        new($"Cannot load image '{path}': {problem}", innerException) { Path = path };
}
