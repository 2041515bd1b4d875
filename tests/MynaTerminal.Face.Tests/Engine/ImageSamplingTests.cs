using MynaTerminal.Core.Devices;
using MynaTerminal.Face.Engine;

namespace MynaTerminal.Face.Tests.Engine;

public sealed class ImageSamplingTests
{
    private static FaceImage Gradient(int width, int height)
    {
        var bgr = new byte[width * height * 3];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var i = ((y * width) + x) * 3;
                bgr[i] = (byte)(x * 7);
                bgr[i + 1] = (byte)(y * 11);
                bgr[i + 2] = (byte)((x + y) * 3);
            }
        }

        return new FaceImage(width, height, bgr);
    }

    [Fact]
    public void Resize_at_scale_one_copies_pixels_into_planes_and_pads_with_zero()
    {
        var image = Gradient(5, 4);
        var tensor = new float[3 * 8 * 6];
        Array.Fill(tensor, 99f);

        ImageSampling.ResizeInto(image, 1f, tensor, 8, 6, PixelNormalization.RawBgr);

        var plane = 8 * 6;
        for (var y = 0; y < 6; y++)
        {
            for (var x = 0; x < 8; x++)
            {
                var inside = x < 5 && y < 4;
                var i = ((y * 5) + x) * 3;
                for (var c = 0; c < 3; c++)
                {
                    Assert.Equal(inside ? image.Bgr[i + c] : 0f, tensor[(c * plane) + (y * 8) + x]);
                }
            }
        }
    }

    [Fact]
    public void Halving_averages_each_two_by_two_block_as_opencv_does()
    {
        var image = Gradient(8, 6);
        var tensor = new float[3 * 4 * 3];

        ImageSampling.ResizeInto(image, 0.5f, tensor, 4, 3, PixelNormalization.RawBgr);

        for (var y = 0; y < 3; y++)
        {
            for (var x = 0; x < 4; x++)
            {
                var expected = 0.0;
                for (var k = 0; k < 4; k++)
                {
                    expected += image.Bgr[((((2 * y) + (k >> 1)) * 8) + (2 * x) + (k & 1)) * 3];
                }

                Assert.Equal(expected / 4, tensor[(y * 4) + x], 3);
            }
        }
    }

    [Fact]
    public void Rgb_models_get_swapped_channels_and_their_normalisation()
    {
        var image = new FaceImage(1, 1, [10, 128, 250]); // B, G, R
        var tensor = new float[3];

        ImageSampling.ResizeInto(image, 1f, tensor, 1, 1, PixelNormalization.ImageNetRgb);

        Assert.Equal(((250 / 255f) - 0.485f) / 0.229f, tensor[0], 4);
        Assert.Equal(((128 / 255f) - 0.456f) / 0.224f, tensor[1], 4);
        Assert.Equal(((10 / 255f) - 0.406f) / 0.225f, tensor[2], 4);
    }

    [Fact]
    public void Warp_with_a_translation_crops_and_leaves_black_outside()
    {
        var image = Gradient(6, 6);
        var tensor = new float[3 * 4 * 4];
        var grey = new byte[16];

        // Output (u, v) samples source (u + 3, v + 1): columns 3..6, the last one outside the image.
        ImageSampling.WarpInto(image, new Affine2D(1, 0, 3, 0, 1, 1), 4, tensor, PixelNormalization.RawBgr, grey);

        for (var v = 0; v < 4; v++)
        {
            for (var u = 0; u < 4; u++)
            {
                var x = u + 3;
                var y = v + 1;
                var inside = x < 6 && y < 6;
                var expected = inside ? image.Bgr[((y * 6) + x) * 3 + 1] : 0;
                Assert.Equal(expected, tensor[16 + (v * 4) + u], 3);
                if (!inside)
                {
                    Assert.Equal(0, grey[(v * 4) + u]);
                }
            }
        }
    }

    [Fact]
    public void Crop_resize_samples_only_inside_the_crop()
    {
        // Left half white, right half black; a crop of the left half must stay white to its edge.
        var bgr = new byte[8 * 4 * 3];
        for (var y = 0; y < 4; y++)
        {
            for (var x = 0; x < 4; x++)
            {
                Array.Fill(bgr, (byte)255, ((y * 8) + x) * 3, 3);
            }
        }

        var tensor = new float[3 * 2 * 2];
        ImageSampling.CropResizeInto(new FaceImage(8, 4, bgr), 0, 0, 4, 4, 2, tensor, PixelNormalization.RawBgr);

        Assert.All(tensor, v => Assert.Equal(255f, v, 3));
    }

    [Fact]
    public void Too_small_tensors_are_refused()
    {
        var image = Gradient(4, 4);
        Assert.Throws<ArgumentException>(() => ImageSampling.ResizeInto(image, 1f, new float[10], 4, 4, PixelNormalization.RawBgr));
        Assert.Throws<ArgumentException>(() => ImageSampling.WarpInto(image, new Affine2D(1, 0, 0, 0, 1, 0), 4, new float[10], PixelNormalization.RawBgr));
    }
}
