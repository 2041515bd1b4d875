using MynaTerminal.Face.Engine;

namespace MynaTerminal.Face.Tests.Engine;

/// <summary>The crop follows minivision's <c>CropImage._get_new_box</c>.</summary>
public sealed class LivenessCropTests
{
    [Fact]
    public void A_face_in_the_middle_is_enlarged_by_the_scale_around_its_centre()
    {
        var (x0, y0, x1, y1) = LivenessClassifier.CropBox(640, 480, new BoxF(300, 200, 40, 50), 2.7f);

        // 40×2.7 = 108 wide, 50×2.7 = 135 high, centred on (320, 225).
        Assert.Equal(266, x0);
        Assert.Equal(157, y0);
        Assert.Equal(374, x1);
        Assert.Equal(292, y1);
    }

    [Fact]
    public void The_scale_is_capped_so_the_crop_fits_the_image()
    {
        var (x0, y0, x1, y1) = LivenessClassifier.CropBox(640, 480, new BoxF(200, 100, 200, 240), 4.0f);

        // min(479/240, 639/200, 4) = 1.9958: the crop is as tall as the image.
        Assert.Equal(0, y0);
        Assert.Equal(479, y1);
        Assert.True(x1 - x0 <= 639);
    }

    [Fact]
    public void A_face_at_the_edge_is_shifted_back_inside_without_shrinking()
    {
        var (x0, y0, x1, y1) = LivenessClassifier.CropBox(640, 480, new BoxF(0, 0, 40, 40), 2.7f);

        Assert.Equal(0, x0);
        Assert.Equal(0, y0);
        Assert.Equal(108, x1);
        Assert.Equal(108, y1);

        (x0, _, x1, _) = LivenessClassifier.CropBox(640, 480, new BoxF(620, 200, 40, 40), 2.7f);
        Assert.Equal(639, x1);
        Assert.Equal(639 - 108, x0);
    }
}
