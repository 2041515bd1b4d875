using System.Runtime.CompilerServices;
using MynaTerminal.Core.Devices;

namespace MynaTerminal.Simulation;

/// <summary>
/// The simulated card-face camera: it "photographs" the card in the simulated reader. The image carries the
/// printed 照合番号B as its simulation tag, which <see cref="SimulatedCardFaceReader"/> reads back; the real
/// pipeline OCRs pixels instead.
/// </summary>
public sealed class SimulatedCardFaceCamera(ICardSlotSimulator reader) : ICardFaceCamera
{
    public const string TagPrefix = "cardface:";

    public Task<FaceImage?> CaptureAsync(CancellationToken cancellationToken)
    {
        var number = reader.CurrentMatchingNumberB;
        FaceImage? image = number is null
            ? null
            : new FaceImage(8, 5, new byte[8 * 5 * 3]) { SimulationTag = TagPrefix + number };
        return Task.FromResult(image);
    }
}

/// <summary>Reads 照合番号B from a simulated card-face image (the tag), or returns null.</summary>
public sealed class SimulatedCardFaceReader : ICardFaceReader
{
    public Task<string?> ReadMatchingNumberAsync(FaceImage cardFace, CancellationToken cancellationToken) =>
        Task.FromResult(cardFace.SimulationTag is { } tag && tag.StartsWith(SimulatedCardFaceCamera.TagPrefix, StringComparison.Ordinal)
            ? tag[SimulatedCardFaceCamera.TagPrefix.Length..]
            : null);
}

/// <summary>
/// The simulated patient camera. It shows whoever the script puts in front of it: by default the holder of
/// the card in the reader; or a stranger, a printed photo (fails liveness), or nobody.
/// </summary>
public sealed class SimulatedFaceCamera(ICardSlotSimulator reader, TimeProvider clock) : IFaceCamera
{
    public const string Stranger = "face:stranger";
    public const string Nobody = "none";
    public const string PhotoPrefix = "photo:";
    private volatile string? _override;

    /// <summary>Frames per second the simulated camera produces.</summary>
    public int FramesPerSecond { get; init; } = 15;

    /// <summary>Who stands in front of the camera: null = the card holder; see the constants for the others.</summary>
    public void Show(string? who) => _override = who;

    /// <summary>Who the script (or the web mirror) put in front of the camera: null = the card holder.</summary>
    public string? Showing => _override;

    public async IAsyncEnumerable<FaceImage> FramesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var interval = TimeSpan.FromSeconds(1.0 / FramesPerSecond);
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(interval, clock, cancellationToken);
            var who = _override ?? reader.Current?.FaceId ?? Nobody;
            yield return new FaceImage(4, 4, new byte[4 * 4 * 3]) { SimulationTag = who };
        }
    }
}

/// <summary>
/// A stand-in face engine for simulation: the same person gives a high similarity, anyone else a low one,
/// a photo fails liveness, an empty frame has no face. The real engine (ONNX) replaces it.
/// </summary>
public sealed class SimulatedFaceVerifier : Core.Devices.IFaceVerifier
{
    public IFaceReference Enrol(FaceImage chipPhoto) => new Reference(chipPhoto.SimulationTag);

    private sealed class Reference(string? face) : IFaceReference
    {
        public bool IsUsable => face is not null;

        public FaceComparison Compare(FaceImage liveFrame) => liveFrame.SimulationTag switch
        {
            null or SimulatedFaceCamera.Nobody => new FaceComparison(null, false, Core.Results.FaceHint.NoFace),
            var tag when tag.StartsWith(SimulatedFaceCamera.PhotoPrefix, StringComparison.Ordinal) =>
                new FaceComparison(tag[SimulatedFaceCamera.PhotoPrefix.Length..] == face?[5..] ? 0.8f : 0.1f, false, Core.Results.FaceHint.None),
            var tag when tag == face => new FaceComparison(0.82f, true, Core.Results.FaceHint.None),
            _ => new FaceComparison(0.08f, true, Core.Results.FaceHint.None),
        };

        public void Dispose()
        {
        }
    }
}
