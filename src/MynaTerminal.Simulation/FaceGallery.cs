using System.Runtime.CompilerServices;
using MynaTerminal.Cameras.Imaging;
using MynaTerminal.Card.Emulator;
using MynaTerminal.Card.Emulator.Imaging;
using MynaTerminal.Core.Devices;
using MynaTerminal.Face.Engine;
using MynaTerminal.Face.Evaluation;

namespace MynaTerminal.Simulation;

/// <summary>
/// Real faces for the simulation with the real (ONNX) engine: each persona with a card photo is given an identity
/// of a labelled photo folder (<c>&lt;identity&gt;/&lt;n&gt;.jpg</c>, e.g. ../shared/faces). The identity's first photo
/// becomes the card's chip photo (cropped, grey, JPEG 2000 on the virtual card — read back through the card stack);
/// its other photos are what the camera sees when that persona stands in front of it. Identities no persona owns are
/// the strangers; <c>_liveness/spoof_*.jpg</c> are the printed photos held up to the camera.
/// Camera frames are kept JPEG-encoded (as an MJPEG camera delivers them) and decoded per frame.
/// </summary>
public sealed class FaceGallery
{
    private readonly Dictionary<string, GreyImage> _chipPhotos = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, List<byte[]>> _frames = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<byte[]> _strangers = [];
    private readonly List<byte[]> _spoofs = [];
    private readonly byte[] _empty;

    private FaceGallery(int width, int height)
    {
        var blank = new byte[width * height * 3];
        Array.Fill(blank, (byte)200);
        _empty = Jpeg.EncodeBgr(new FaceImage(width, height, blank), 85);
    }

    /// <summary>Identity assigned to each persona id (for logs and docs).</summary>
    public IReadOnlyDictionary<string, string> Identities { get; private set; } = new Dictionary<string, string>();

    /// <summary>
    /// Builds the gallery: <paramref name="detect"/> finds the largest face of a photo (the engine's detector).
    /// Identities need at least two photos (one for the card, one or more for the camera).
    /// </summary>
    public static FaceGallery Load(string folder, Func<FaceImage, BoxF?> detect, int frameWidth = 640, int frameHeight = 480)
    {
        ArgumentNullException.ThrowIfNull(detect);
        var gallery = new FaceGallery(frameWidth, frameHeight);
        var photos = FaceEvaluation.ScanFolder(folder, ImageFile.Load).GroupBy(p => p.Identity).Where(g => g.Count() >= 2).ToList();
        var owners = VirtualCardPersonas.All.Where(p => p.HasFacePhoto).Select(p => p.Id).ToList();
        if (photos.Count < owners.Count + 1)
        {
            throw new InvalidOperationException(
                $"The faces folder '{folder}' has {photos.Count} identities with two photos or more; {owners.Count + 1} are needed (one per card persona and a stranger).");
        }

        var identities = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < photos.Count; i++)
        {
            var group = photos[i].ToList();
            var owner = i < owners.Count ? owners[i] : null;
            var frames = new List<byte[]>();
            for (var n = 0; n < group.Count; n++)
            {
                var image = group[n].Load();
                try
                {
                    if (detect(image) is not { } box)
                    {
                        continue;
                    }

                    if (owner is not null && n == 0)
                    {
                        var face = new PixelRectangle((int)box.X, (int)box.Y, (int)Math.Ceiling(box.Width), (int)Math.Ceiling(box.Height));
                        gallery._chipPhotos[owner] = ChipPhotoSimulator.FromPortrait(image, face);
                        continue;
                    }

                    var frame = CameraFrameSimulator.Frame(image, box, frameWidth, frameHeight);
                    frames.Add(Jpeg.EncodeBgr(frame, 85));
                    frame.Clear();
                }
                finally
                {
                    image.Clear();
                }
            }

            if (owner is null)
            {
                gallery._strangers.AddRange(frames);
            }
            else
            {
                gallery._frames[owner] = frames;
                identities[owner] = group[0].Identity;
            }
        }

        var liveness = Path.Combine(folder, "_liveness");
        if (Directory.Exists(liveness))
        {
            // A printed photo held up to the camera, framed like a patient's face.
            foreach (var file in Directory.GetFiles(liveness, "spoof_*.jpg").Order(StringComparer.Ordinal))
            {
                var image = ImageFile.Load(file);
                if (detect(image) is { } box)
                {
                    var frame = CameraFrameSimulator.Frame(image, box, frameWidth, frameHeight);
                    gallery._spoofs.Add(Jpeg.EncodeBgr(frame, 90));
                    frame.Clear();
                }

                image.Clear();
            }
        }

        gallery.Identities = identities;
        return gallery;
    }

    /// <summary>The chip photo of a persona's card, or null for personas the gallery has no face for.</summary>
    public GreyImage? ChipPhotoFor(string personaId) => _chipPhotos.GetValueOrDefault(personaId);

    /// <summary>
    /// Frame <paramref name="n"/> of what the camera sees for <paramref name="who"/> (a <see cref="SimulatedFaceCamera"/>
    /// tag: <c>face:&lt;persona&gt;</c>, <c>face:stranger</c>, <c>photo:&lt;persona&gt;</c> or <c>none</c>).
    /// The caller owns and clears the frame.
    /// </summary>
    public FaceImage FrameFor(string? who, int n)
    {
        var source = who switch
        {
            null or SimulatedFaceCamera.Nobody => [_empty],
            SimulatedFaceCamera.Stranger => _strangers,
            var t when t.StartsWith(SimulatedFaceCamera.PhotoPrefix, StringComparison.Ordinal) => _spoofs.Count > 0 ? _spoofs : [_empty],
            var t when t.StartsWith("face:", StringComparison.Ordinal) && _frames.TryGetValue(t[5..], out var own) && own.Count > 0 => own,
            _ => [_empty],
        };
        return Jpeg.DecodeBgr(source[n % source.Count]);
    }
}

/// <summary>
/// The simulated patient camera with real pixels: the scripted patient decides who stands in front of it (through
/// <see cref="SimulatedFaceCamera"/>), the gallery supplies that person's photo as a camera frame.
/// </summary>
public sealed class GalleryFaceCamera(SimulatedFaceCamera who, FaceGallery gallery) : IFaceCamera
{
    public async IAsyncEnumerable<FaceImage> FramesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var n = 0;
        await foreach (var tagged in who.FramesAsync(cancellationToken))
        {
            var tag = tagged.SimulationTag;
            tagged.Clear();
            yield return gallery.FrameFor(tag, n++);
        }
    }
}
