using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Results;

namespace MynaTerminal.Face.Engine;

/// <summary>Quality-gate thresholds (section "FaceEngine:Quality").</summary>
public sealed class FaceQualityOptions
{
    /// <summary>Face box width below this share of the frame width: "come closer".</summary>
    public double MinFaceWidthRatio { get; set; } = 0.15;

    /// <summary>And never fewer pixels than this across the face.</summary>
    public int MinFacePixels { get; set; } = 48;

    /// <summary>Face box width above this share of the frame width (or cut off by the edge): "move back".</summary>
    public double MaxFaceWidthRatio { get; set; } = 0.7;

    /// <summary>Face centre further than this share of the frame from its centre: "look at the middle".</summary>
    public double MaxCentreOffsetRatio { get; set; } = 0.25;

    /// <summary>Largest tolerated yaw proxy |nose − eye midpoint| / eye distance.</summary>
    public double MaxYawRatio { get; set; } = 0.35;

    /// <summary>Largest tolerated roll (eye line tilt) in degrees.</summary>
    public double MaxRollDegrees { get; set; } = 25;

    /// <summary>Pitch proxy: the nose's share of the eye-to-mouth height must lie in this range.</summary>
    public double MinPitchRatio { get; set; } = 0.2;

    public double MaxPitchRatio { get; set; } = 0.8;

    /// <summary>Variance of the Laplacian of the aligned 112×112 face below which it is too blurred: "hold still".</summary>
    public double MinSharpness { get; set; } = 25;

    /// <summary>Mean face luminance (0..255) below which the face is too dark.</summary>
    public double MinFaceBrightness { get; set; } = 45;

    /// <summary>Back-light: the face is darker than this share of the frame's mean luminance, and the frame is bright.</summary>
    public double BackLightRatio { get; set; } = 0.55;

    /// <summary>Another face at least this share of the largest face's area counts as a second person.</summary>
    public double SecondFaceAreaRatio { get; set; } = 0.25;
}

/// <summary>The verdict on one live frame: whether to compare at all, and what to tell the patient.</summary>
public readonly record struct QualityVerdict(bool Usable, FaceHint Hint);

/// <summary>
/// Quality gates turned into short patient guidance: no face, several faces (the largest is used, and the patient
/// is told), too far / too close, off-centre, pose, blur, darkness and back-light. Geometric gates need only the
/// detection; blur needs the aligned face; light needs the frame.
/// </summary>
public sealed class FaceQuality(FaceQualityOptions options)
{
    /// <summary>Gates that need only the detections (checked before spending an embedding on the frame).</summary>
    public QualityVerdict CheckGeometry(FaceImage frame, IReadOnlyList<FaceDetection> faces)
    {
        if (faces.Count == 0)
        {
            return new(false, FaceHint.NoFace);
        }

        var face = faces[0];
        var box = face.Box;
        if (box.Width < options.MinFacePixels || box.Width < options.MinFaceWidthRatio * frame.Width)
        {
            return new(false, FaceHint.TooFar);
        }

        var margin = 0.02f * frame.Width;
        if (box.Width > options.MaxFaceWidthRatio * frame.Width
            || box.X < -margin || box.Y < -margin || box.Right > frame.Width + margin || box.Bottom > frame.Height + margin)
        {
            return new(false, FaceHint.TooClose);
        }

        if (!PoseAcceptable(face))
        {
            return new(false, FaceHint.TurnToCamera);
        }

        // The largest face is used; the patient is told someone else is in the picture.
        if (faces.Count > 1 && faces[1].Box.Area >= options.SecondFaceAreaRatio * box.Area)
        {
            return new(true, FaceHint.SeveralFaces);
        }

        var centre = box.Centre;
        var off = Math.Max(Math.Abs(centre.X - (frame.Width / 2f)) / frame.Width, Math.Abs(centre.Y - (frame.Height / 2f)) / frame.Height);
        if (off > options.MaxCentreOffsetRatio)
        {
            // Still compared: a face a little off-centre is recognisable; the hint helps the next frames.
            return new(true, FaceHint.OffCentre);
        }

        return new(true, FaceHint.None);
    }

    /// <summary>Gates on the pixels: darkness and back-light on the frame, blur on the aligned face.</summary>
    public QualityVerdict CheckPixels(FaceImage frame, BoxF face, ReadOnlySpan<byte> alignedGrey, int alignedSize)
    {
        var (faceMean, frameMean) = Brightness(frame, face);
        if (faceMean < options.MinFaceBrightness)
        {
            return new(false, frameMean > faceMean / options.BackLightRatio && frameMean > 110 ? FaceHint.BackLight : FaceHint.TooDark);
        }

        if (Sharpness(alignedGrey, alignedSize) < options.MinSharpness)
        {
            return new(false, FaceHint.HoldStill);
        }

        if (faceMean < options.BackLightRatio * frameMean && frameMean > 110)
        {
            return new(true, FaceHint.BackLight);
        }

        return new(true, FaceHint.None);
    }

    private bool PoseAcceptable(FaceDetection face)
    {
        var eyeMid = new PointF((face.RightEye.X + face.LeftEye.X) / 2, (face.RightEye.Y + face.LeftEye.Y) / 2);
        var dx = face.LeftEye.X - face.RightEye.X;
        var dy = face.LeftEye.Y - face.RightEye.Y;
        var eyeDistance = MathF.Sqrt((dx * dx) + (dy * dy));
        if (eyeDistance < 1)
        {
            return false;
        }

        var roll = Math.Abs(Math.Atan2(dy, dx) * 180 / Math.PI);
        if (roll > options.MaxRollDegrees)
        {
            return false;
        }

        // Project the nose onto the eye line's frame (undo roll) for yaw and pitch proxies.
        var ux = dx / eyeDistance;
        var uy = dy / eyeDistance;
        var nx = face.Nose.X - eyeMid.X;
        var ny = face.Nose.Y - eyeMid.Y;
        var yaw = ((nx * ux) + (ny * uy)) / eyeDistance;
        if (Math.Abs(yaw) > options.MaxYawRatio)
        {
            return false;
        }

        var mouthMid = new PointF((face.RightMouth.X + face.LeftMouth.X) / 2, (face.RightMouth.Y + face.LeftMouth.Y) / 2);
        var faceHeight = ((mouthMid.X - eyeMid.X) * -uy) + ((mouthMid.Y - eyeMid.Y) * ux);
        if (faceHeight < 1)
        {
            return false;
        }

        var pitch = ((nx * -uy) + (ny * ux)) / faceHeight;
        return pitch >= options.MinPitchRatio && pitch <= options.MaxPitchRatio;
    }

    /// <summary>Mean luminance inside the face box and over the whole frame (sampled on a grid).</summary>
    internal static (double Face, double Frame) Brightness(FaceImage frame, BoxF face)
    {
        var step = Math.Max(1, Math.Min(frame.Width, frame.Height) / 120);
        double faceSum = 0, frameSum = 0;
        long faceCount = 0, frameCount = 0;
        var pixels = frame.Bgr;
        for (var y = 0; y < frame.Height; y += step)
        {
            var inY = y >= face.Y && y < face.Bottom;
            for (var x = 0; x < frame.Width; x += step)
            {
                var i = ((y * frame.Width) + x) * 3;
                var luma = (0.114 * pixels[i]) + (0.587 * pixels[i + 1]) + (0.299 * pixels[i + 2]);
                frameSum += luma;
                frameCount++;
                if (inY && x >= face.X && x < face.Right)
                {
                    faceSum += luma;
                    faceCount++;
                }
            }
        }

        var frameMean = frameCount == 0 ? 0 : frameSum / frameCount;
        return (faceCount == 0 ? frameMean : faceSum / faceCount, frameMean);
    }

    /// <summary>Variance of the 4-neighbour Laplacian over the inner area of an aligned grey face.</summary>
    internal static double Sharpness(ReadOnlySpan<byte> grey, int size)
    {
        if (grey.Length < size * size || size < 3)
        {
            return double.MaxValue;
        }

        double sum = 0, sumSquares = 0;
        var count = 0;
        for (var y = 1; y < size - 1; y++)
        {
            for (var x = 1; x < size - 1; x++)
            {
                var i = (y * size) + x;
                double laplacian = grey[i - 1] + grey[i + 1] + grey[i - size] + grey[i + size] - (4 * grey[i]);
                sum += laplacian;
                sumSquares += laplacian * laplacian;
                count++;
            }
        }

        var mean = sum / count;
        return (sumSquares / count) - (mean * mean);
    }
}
