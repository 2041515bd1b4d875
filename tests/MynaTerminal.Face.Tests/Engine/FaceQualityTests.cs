using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Results;
using MynaTerminal.Face.Engine;

namespace MynaTerminal.Face.Tests.Engine;

public sealed class FaceQualityTests
{
    private static readonly FaceQuality Quality = new(new FaceQualityOptions());
    private static readonly FaceImage Frame = Filled(640, 480, 128);

    private static FaceImage Filled(int width, int height, byte value)
    {
        var bgr = new byte[width * height * 3];
        Array.Fill(bgr, value);
        return new FaceImage(width, height, bgr);
    }

    /// <summary>A frontal face: box centred at (cx, cy), landmarks where a straight-ahead face has them.</summary>
    internal static FaceDetection Face(float cx, float cy, float width, float yaw = 0, float rollDegrees = 0)
    {
        var h = width * 1.2f;
        var box = new BoxF(cx - (width / 2), cy - (h / 2), width, h);
        PointF[] points =
        [
            new(-0.2f * width, -0.15f * h), new(0.2f * width, -0.15f * h), new(yaw * 0.4f * width, 0.05f * h),
            new(-0.15f * width, 0.25f * h), new(0.15f * width, 0.25f * h),
        ];
        var r = rollDegrees * MathF.PI / 180;
        var rotated = points.Select(p => new PointF(cx + (p.X * MathF.Cos(r)) - (p.Y * MathF.Sin(r)), cy + (p.X * MathF.Sin(r)) + (p.Y * MathF.Cos(r)))).ToArray();
        return new FaceDetection(box, 0.9f, rotated);
    }

    [Fact]
    public void No_face()
    {
        Assert.Equal(new QualityVerdict(false, FaceHint.NoFace), Quality.CheckGeometry(Frame, []));
    }

    [Fact]
    public void A_good_face_passes()
    {
        Assert.Equal(new QualityVerdict(true, FaceHint.None), Quality.CheckGeometry(Frame, [Face(320, 240, 180)]));
    }

    [Fact]
    public void Too_far_and_too_close()
    {
        Assert.Equal(FaceHint.TooFar, Quality.CheckGeometry(Frame, [Face(320, 240, 60)]).Hint);
        Assert.False(Quality.CheckGeometry(Frame, [Face(320, 240, 60)]).Usable);
        Assert.Equal(FaceHint.TooClose, Quality.CheckGeometry(Frame, [Face(320, 240, 500)]).Hint);

        // Cut off by the bottom edge.
        Assert.Equal(FaceHint.TooClose, Quality.CheckGeometry(Frame, [Face(320, 420, 200)]).Hint);
    }

    [Fact]
    public void Turned_or_tilted_faces_are_asked_to_face_the_camera()
    {
        Assert.Equal(FaceHint.TurnToCamera, Quality.CheckGeometry(Frame, [Face(320, 240, 180, yaw: 1.2f)]).Hint);
        Assert.Equal(FaceHint.TurnToCamera, Quality.CheckGeometry(Frame, [Face(320, 240, 180, rollDegrees: 40)]).Hint);
        Assert.True(Quality.CheckGeometry(Frame, [Face(320, 240, 180, rollDegrees: 10)]).Usable);
    }

    [Fact]
    public void Off_centre_is_still_compared_with_a_hint()
    {
        Assert.Equal(new QualityVerdict(true, FaceHint.OffCentre), Quality.CheckGeometry(Frame, [Face(150, 240, 150)]));
    }

    [Fact]
    public void Several_faces_use_the_largest_and_say_so_but_a_tiny_background_face_is_ignored()
    {
        Assert.Equal(new QualityVerdict(true, FaceHint.SeveralFaces), Quality.CheckGeometry(Frame, [Face(320, 240, 180), Face(550, 200, 120)]));
        Assert.Equal(new QualityVerdict(true, FaceHint.None), Quality.CheckGeometry(Frame, [Face(320, 240, 180), Face(580, 100, 40)]));
    }

    [Fact]
    public void Dark_faces_and_back_light()
    {
        var sharp = Checkerboard();
        var box = new BoxF(240, 140, 160, 200);

        Assert.Equal(new QualityVerdict(false, FaceHint.TooDark), Quality.CheckPixels(Filled(640, 480, 20), box, sharp, 112));

        // A dark face in front of a bright window.
        var backLit = Filled(640, 480, 230);
        for (var y = 140; y < 340; y++)
        {
            Array.Fill(backLit.Bgr, (byte)30, ((y * 640) + 240) * 3, 160 * 3);
        }

        Assert.Equal(new QualityVerdict(false, FaceHint.BackLight), Quality.CheckPixels(backLit, box, sharp, 112));
        Assert.Equal(new QualityVerdict(true, FaceHint.None), Quality.CheckPixels(Filled(640, 480, 128), box, sharp, 112));
    }

    [Fact]
    public void A_blurred_aligned_face_asks_the_patient_to_hold_still()
    {
        var flat = new byte[112 * 112];
        Array.Fill(flat, (byte)120);
        Assert.Equal(new QualityVerdict(false, FaceHint.HoldStill), Quality.CheckPixels(Filled(640, 480, 128), new BoxF(240, 140, 160, 200), flat, 112));
        Assert.Equal(0, FaceQuality.Sharpness(flat, 112));
        Assert.True(FaceQuality.Sharpness(Checkerboard(), 112) > 1000);
    }

    private static byte[] Checkerboard()
    {
        var grey = new byte[112 * 112];
        for (var i = 0; i < grey.Length; i++)
        {
            grey[i] = (byte)((((i % 112) / 4) + ((i / 112) / 4)) % 2 == 0 ? 40 : 200);
        }

        return grey;
    }
}
