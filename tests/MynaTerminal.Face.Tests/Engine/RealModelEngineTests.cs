using MynaTerminal.Cameras.Imaging;
using MynaTerminal.Card.Emulator.Imaging;
using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Results;
using MynaTerminal.Face.Engine;
using MynaTerminal.Face.Evaluation;
using MynaTerminal.Face.Models;
using MynaTerminal.Tests.Shared;

namespace MynaTerminal.Face.Tests.Engine;

/// <summary>
/// The engine with the real models and photos of ../shared (skipped, saying why, when they are not on the machine).
/// Figures for the whole set come from <c>mynaterm face eval</c>; these tests pin the behaviour per case.
/// </summary>
public sealed class RealModelEngineTests
{
    private static readonly double Threshold = new FaceOptions().MatchThreshold;

    private static OnnxFaceEngine Engine(bool liveness = true, string detector = FaceModelIds.YuNetDynamic)
    {
        var store = new ModelStore(SharedModels.RequireFolder());
        return new OnnxFaceEngine(new FaceEngineOptions { Liveness = liveness, Detector = detector }, store.PathOf);
    }

    private static FaceImage Photo(string relative) => ImageFile.Load(Path.Combine(SharedFaces.RequireFolder(), relative));

    private static float[] Embed(OnnxFaceEngine engine, FaceImage image)
    {
        var embedding = new float[FaceEmbedder.Dimensions];
        Assert.True(engine.TryEmbed(image, embedding, out _), "a face is found");
        return embedding;
    }

    private static FaceImage ChipPhoto(OnnxFaceEngine engine, string relative)
    {
        var photo = Photo(relative);
        var box = engine.Detector.Detect(photo)[0].Box;
        var grey = ChipPhotoSimulator.FromPortrait(photo, new PixelRectangle((int)box.X, (int)box.Y, (int)box.Width, (int)box.Height));
        return ChipPhotoSimulator.RoundTrip(grey).Image;
    }

    [Fact]
    public void The_same_person_scores_above_the_threshold_and_different_people_below()
    {
        using var engine = Engine(liveness: false);
        var obama1 = Embed(engine, Photo("obama/1.jpg"));
        var obama2 = Embed(engine, Photo("obama/2.jpg"));
        var biden1 = Embed(engine, Photo("biden/1.jpg"));

        Assert.True(FaceEmbedder.Cosine(obama1, obama2) >= Threshold, $"same person {FaceEmbedder.Cosine(obama1, obama2)}");
        Assert.True(FaceEmbedder.Cosine(obama1, biden1) < Threshold, $"different people {FaceEmbedder.Cosine(obama1, biden1)}");
        Assert.Equal(1f, FaceEmbedder.Cosine(obama1, obama1), 4);
    }

    [Fact]
    public void A_card_like_chip_photo_still_matches_its_owner_and_not_someone_else()
    {
        using var engine = Engine(liveness: false);
        using var reference = engine.Enrol(ChipPhoto(engine, "obama/1.jpg"));
        Assert.True(reference.IsUsable);

        var chip = ChipPhoto(engine, "obama/1.jpg");
        Assert.Equal((ChipPhotoSimulator.Width, ChipPhotoSimulator.Height), (chip.Width, chip.Height));
        var chipEmbedding = Embed(engine, chip);
        Assert.True(FaceEmbedder.Cosine(chipEmbedding, Embed(engine, Photo("obama/3.jpg"))) >= Threshold);
        Assert.True(FaceEmbedder.Cosine(chipEmbedding, Embed(engine, Photo("rose_leslie/1.jpg"))) < Threshold);
    }

    [Fact]
    public void Live_frames_are_compared_with_liveness_and_guidance()
    {
        using var engine = Engine();
        using var reference = engine.Enrol(ChipPhoto(engine, "obama/1.jpg"));
        var portrait = Photo("obama/2.jpg");
        var frame = CameraFrameSimulator.Frame(portrait, engine.Detector.Detect(portrait)[0].Box);

        var same = reference.Compare(frame);
        Assert.NotNull(same.Similarity);
        Assert.True(same.Similarity >= Threshold, $"similarity {same.Similarity}");
        Assert.True(same.Live);
        Assert.Equal(FaceHint.None, same.Hint);

        // The face far away in the frame: too small to compare, the patient is asked to come closer.
        var far = CameraFrameSimulator.Frame(portrait, engine.Detector.Detect(portrait)[0].Box, faceShare: 0.08);
        var tooFar = reference.Compare(far);
        Assert.Equal((null, false, FaceHint.TooFar), (tooFar.Similarity, tooFar.Live, tooFar.Hint));
        Assert.NotNull(tooFar.Face); // the preview still shows where the face is

        var empty = new FaceImage(640, 480, Enumerable.Repeat((byte)180, 640 * 480 * 3).ToArray());
        Assert.Equal(new FaceComparison(null, false, FaceHint.NoFace), reference.Compare(empty));
    }

    [Fact]
    public void The_two_spoof_samples_are_rejected_and_the_real_one_accepted()
    {
        using var engine = Engine();
        var threshold = new FaceEngineOptions().LivenessThreshold;
        foreach (var (file, live) in new[] { ("real_1.jpg", true), ("spoof_1.jpg", false), ("spoof_2.jpg", false) })
        {
            var image = Photo(Path.Combine("_liveness", file));
            var faces = engine.Detector.Detect(image);
            Assert.NotEmpty(faces);
            var score = engine.LivenessOf(image, faces[0])!.Value;
            Assert.True(score >= threshold == live, $"{file}: liveness {score}");
        }
    }

    [Fact]
    public void The_dynamic_and_the_fixed_detector_find_the_same_face()
    {
        using var dynamicDetector = Engine(liveness: false);
        using var fixedDetector = Engine(liveness: false, detector: FaceModelIds.YuNet640);
        var photo = Photo("kit_harington/1.jpg");

        var a = dynamicDetector.Detector.Detect(photo)[0].Box;
        var b = fixedDetector.Detector.Detect(photo)[0].Box;

        Assert.True(a.IoU(b) > 0.8, $"IoU {a.IoU(b)}");
    }

    [Fact]
    public void The_reference_embedding_is_wiped_when_the_session_ends()
    {
        using var engine = Engine(liveness: false);
        var reference = engine.Enrol(ChipPhoto(engine, "obama/1.jpg"));
        var field = reference.GetType().GetField("_embedding", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!;
        var embedding = (float[])field.GetValue(reference)!;
        Assert.Contains(embedding, v => v != 0);

        reference.Dispose();

        Assert.All(embedding, v => Assert.Equal(0f, v));
        Assert.False(reference.IsUsable);
        Assert.Throws<InvalidOperationException>(() => reference.Compare(Photo("obama/2.jpg")));
    }

    [Fact]
    public void A_chip_photo_without_a_face_gives_an_unusable_reference()
    {
        using var engine = Engine(liveness: false);
        var blank = new FaceImage(ChipPhotoSimulator.Width, ChipPhotoSimulator.Height, Enumerable.Repeat((byte)230, ChipPhotoSimulator.Width * ChipPhotoSimulator.Height * 3).ToArray());
        using var reference = engine.Enrol(blank);
        Assert.False(reference.IsUsable);
    }
}
