namespace MynaTerminal.Core.Devices;

/// <summary>
/// An image in memory: 8-bit BGR pixels, row-major. Face images live only for one session and are
/// cleared by whoever owns them.
/// </summary>
public sealed class FaceImage(int width, int height, byte[] bgr)
{
    public int Width { get; } = width;
    public int Height { get; } = height;
    public byte[] Bgr { get; } = bgr;

    /// <summary>Free-form provenance a simulated source can attach (never shown, never published).</summary>
    public string? SimulationTag { get; init; }

    public void Clear() => Array.Clear(Bgr);
}

/// <summary>The camera facing the patient.</summary>
public interface IFaceCamera
{
    /// <summary>Live frames until cancelled.</summary>
    IAsyncEnumerable<FaceImage> FramesAsync(CancellationToken cancellationToken);
}

/// <summary>The top-down camera over the card tray, which reads the card face for 照合番号B.</summary>
public interface ICardFaceCamera
{
    Task<FaceImage?> CaptureAsync(CancellationToken cancellationToken);
}

/// <summary>Reads 照合番号B (14 digits) from a card-face image; null when unsure.</summary>
public interface ICardFaceReader
{
    Task<string?> ReadMatchingNumberAsync(FaceImage cardFace, CancellationToken cancellationToken);
}

/// <summary>One live frame compared with the chip photo.</summary>
/// <param name="Similarity">Cosine similarity of the two embeddings; null when no usable face was found.</param>
/// <param name="Live">Liveness verdict for the live frame.</param>
/// <param name="Hint">What the patient should change, when the frame was not usable.</param>
/// <param name="Face">Where the face used was found, in frame pixels (for the live preview); null when none was.</param>
public sealed record FaceComparison(float? Similarity, bool Live, Results.FaceHint Hint, PreviewBox? Face = null);

/// <summary>
/// Live camera thumbnails for the face screen, from the face pipeline to whoever draws the screen. A thumbnail is
/// valid only until the next one (its buffer is reused, and wiped when the attempt ends with <c>Show(null)</c>).
/// </summary>
public sealed class FacePreviewFeed
{
    public event Action<FacePreview?>? Changed;

    public void Show(FacePreview? preview) => Changed?.Invoke(preview);
}

/// <summary>The face engine: detect, align, embed, compare, liveness.</summary>
public interface IFaceVerifier
{
    /// <summary>Prepares the reference (chip photo) once per session.</summary>
    IFaceReference Enrol(FaceImage chipPhoto);
}

/// <summary>A prepared reference face; disposing it wipes its embedding.</summary>
public interface IFaceReference : IDisposable
{
    /// <summary>False when no face could be found in the chip photo.</summary>
    bool IsUsable { get; }

    FaceComparison Compare(FaceImage liveFrame);
}
