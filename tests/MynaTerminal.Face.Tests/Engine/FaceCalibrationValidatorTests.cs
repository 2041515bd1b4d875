using Microsoft.Extensions.Options;
using MynaTerminal.Face.Engine;

namespace MynaTerminal.Face.Tests.Engine;

/// <summary>A threshold belongs to the recognition model it was calibrated with.</summary>
public sealed class FaceCalibrationValidatorTests
{
    private static ValidateOptionsResult Validate(FaceEngineOptions engine, string calibratedFor = FaceModelIds.MobileFaceNet) =>
        new FaceCalibrationValidator(Options.Create(new FaceOptions { CalibratedFor = calibratedFor })).Validate(null, engine);

    [Fact]
    public void The_shipped_defaults_agree()
    {
        Assert.True(Validate(new FaceEngineOptions()).Succeeded);
        Assert.Equal(FaceModelIds.MobileFaceNet, new FaceOptions().CalibratedFor);
    }

    [Fact]
    public void Switching_to_SFace_without_recalibrating_is_refused_with_the_fix()
    {
        var result = Validate(new FaceEngineOptions { Embedder = FaceModelIds.SFace });

        Assert.True(result.Failed);
        Assert.Contains("calibrated for 'mobilefacenet'", result.FailureMessage);
        Assert.Contains("mynaterm face eval", result.FailureMessage);
        Assert.True(Validate(new FaceEngineOptions { Embedder = FaceModelIds.SFace }, calibratedFor: FaceModelIds.SFace).Succeeded);
    }

    [Theory]
    [InlineData("arcface", "yunet-dynamic", 320, "Embedder")]
    [InlineData("mobilefacenet", "retinaface", 320, "Detector")]
    [InlineData("mobilefacenet", "yunet-dynamic", 300, "multiple of 32")]
    public void Unknown_models_and_odd_sizes_are_refused(string embedder, string detector, int size, string named)
    {
        var result = Validate(new FaceEngineOptions { Embedder = embedder, Detector = detector, DetectorInputSize = size });

        Assert.True(result.Failed);
        Assert.Contains(named, result.FailureMessage);
    }
}
