using MynaTerminal.Core.Devices;

namespace MynaTerminal.Face.Engine;

/// <summary>How a model wants its pixels: channel order and the per-channel <c>(x·scale − mean) / std</c>.</summary>
public sealed record PixelNormalization(bool Rgb, float Scale, float[] Mean, float[] Std)
{
    /// <summary>Raw BGR 0..255 (YuNet, MiniFASNet).</summary>
    public static PixelNormalization RawBgr { get; } = new(false, 1f, [0f, 0f, 0f], [1f, 1f, 1f]);

    /// <summary>Raw RGB 0..255 (SFace).</summary>
    public static PixelNormalization RawRgb { get; } = new(true, 1f, [0f, 0f, 0f], [1f, 1f, 1f]);

    /// <summary>RGB, x/255, ImageNet mean/std (MobileFaceNet, foamliu's 'val' transform).</summary>
    public static PixelNormalization ImageNetRgb { get; } = new(true, 1f / 255f, [0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]);

    /// <summary>Per tensor plane c (0..2): the source BGR channel index, and the affine map value·Gain + Offset.</summary>
    internal (int Source, float Gain, float Offset) Plane(int c)
    {
        var source = Rgb ? 2 - c : c;
        var gain = Scale / Std[c];
        return (source, gain, -Mean[c] / Std[c]);
    }
}

/// <summary>
/// Writes image regions into NCHW float tensors with bilinear sampling, the way OpenCV's <c>resize</c> and
/// <c>warpAffine</c> sample (pixel centres at +0.5, zeros outside the image). No intermediate images are made,
/// so no extra copy of a face lingers in memory.
/// </summary>
public static class ImageSampling
{
    /// <summary>
    /// Resizes the whole image by <paramref name="scale"/> into the top-left of a <paramref name="tensorWidth"/>
    /// × <paramref name="tensorHeight"/> tensor (the rest zero): YuNet's letterbox.
    /// </summary>
    public static void ResizeInto(FaceImage image, float scale, Span<float> tensor, int tensorWidth, int tensorHeight, PixelNormalization norm)
    {
        var plane = tensorWidth * tensorHeight;
        if (tensor.Length < plane * 3)
        {
            throw new ArgumentException("Tensor too small.", nameof(tensor));
        }

        tensor[..(plane * 3)].Clear();
        var outWidth = Math.Min(tensorWidth, (int)Math.Round(image.Width * scale));
        var outHeight = Math.Min(tensorHeight, (int)Math.Round(image.Height * scale));
        var inverse = 1.0 / scale;
        SampleRectangle(image, 0, 0, inverse, inverse, outWidth, outHeight, tensor, tensorWidth, plane, norm);
    }

    /// <summary>
    /// Crops <c>[x0, x0 + cropWidth) × [y0, y0 + cropHeight)</c> and resizes it to size × size (MiniFASNet's crop).
    /// </summary>
    public static void CropResizeInto(FaceImage image, int x0, int y0, int cropWidth, int cropHeight, int size, Span<float> tensor, PixelNormalization norm)
    {
        var plane = size * size;
        if (tensor.Length < plane * 3)
        {
            throw new ArgumentException("Tensor too small.", nameof(tensor));
        }

        SampleRectangle(image, x0, y0, (double)cropWidth / size, (double)cropHeight / size, size, size, tensor, size, plane, norm, x0 + cropWidth, y0 + cropHeight);
    }

    private static void SampleRectangle(
        FaceImage image, int originX, int originY, double stepX, double stepY, int outWidth, int outHeight,
        Span<float> tensor, int tensorWidth, int plane, PixelNormalization norm, int limitX = int.MaxValue, int limitY = int.MaxValue)
    {
        var (s0, g0, o0) = norm.Plane(0);
        var (s1, g1, o1) = norm.Plane(1);
        var (s2, g2, o2) = norm.Plane(2);
        var maxX = Math.Min(image.Width, limitX) - 1;
        var maxY = Math.Min(image.Height, limitY) - 1;
        var pixels = image.Bgr;
        var stride = image.Width * 3;

        // Column tables: left index, right index and weight, as OpenCV INTER_LINEAR computes them.
        Span<int> xl = outWidth <= 1024 ? stackalloc int[outWidth] : new int[outWidth];
        Span<int> xr = outWidth <= 1024 ? stackalloc int[outWidth] : new int[outWidth];
        Span<float> xw = outWidth <= 1024 ? stackalloc float[outWidth] : new float[outWidth];
        for (var u = 0; u < outWidth; u++)
        {
            var sx = ((u + 0.5) * stepX) - 0.5;
            var fx = Math.Floor(sx);
            var w = (float)(sx - fx);
            var left = originX + (int)fx;
            var right = left + 1;
            if (left < originX)
            {
                left = originX;
                right = originX;
                w = 0;
            }

            if (right > maxX)
            {
                right = maxX;
                left = Math.Min(left, maxX);
            }

            xl[u] = left * 3;
            xr[u] = right * 3;
            xw[u] = w;
        }

        for (var v = 0; v < outHeight; v++)
        {
            var sy = ((v + 0.5) * stepY) - 0.5;
            var fy = Math.Floor(sy);
            var wy = (float)(sy - fy);
            var top = originY + (int)fy;
            var bottom = top + 1;
            if (top < originY)
            {
                top = originY;
                bottom = originY;
                wy = 0;
            }

            if (bottom > maxY)
            {
                bottom = maxY;
                top = Math.Min(top, maxY);
            }

            var rowTop = top * stride;
            var rowBottom = bottom * stride;
            var outRow = v * tensorWidth;
            SampleRow(pixels, rowTop, rowBottom, wy, xl, xr, xw, tensor.Slice(outRow), plane, (s0, g0, o0), (s1, g1, o1), (s2, g2, o2));
        }
    }

    /// <summary>One output row: bilinear blend of two source rows into the three planes (pointer loop, no bounds checks).</summary>
    private static unsafe void SampleRow(
        byte[] pixels, int rowTop, int rowBottom, float wy, ReadOnlySpan<int> xl, ReadOnlySpan<int> xr, ReadOnlySpan<float> xw,
        Span<float> output, int plane, (int S, float G, float O) c0, (int S, float G, float O) c1, (int S, float G, float O) c2)
    {
        var count = xw.Length;
        if (output.Length < (2 * plane) + count)
        {
            throw new ArgumentException("Tensor too small.", nameof(output));
        }

        fixed (byte* p = pixels)
        fixed (int* left = xl, right = xr)
        fixed (float* weight = xw, o = output)
        {
            var top = p + rowTop;
            var bottom = p + rowBottom;
            var iy = 1 - wy;
            for (var u = 0; u < count; u++)
            {
                var wx = weight[u];
                var ix = 1 - wx;
                var w00 = ix * iy;
                var w01 = wx * iy;
                var w10 = ix * wy;
                var w11 = wx * wy;
                var a = top + left[u];
                var b = top + right[u];
                var c = bottom + left[u];
                var d = bottom + right[u];
                o[u] = (((a[c0.S] * w00) + (b[c0.S] * w01) + (c[c0.S] * w10) + (d[c0.S] * w11)) * c0.G) + c0.O;
                o[plane + u] = (((a[c1.S] * w00) + (b[c1.S] * w01) + (c[c1.S] * w10) + (d[c1.S] * w11)) * c1.G) + c1.O;
                o[(2 * plane) + u] = (((a[c2.S] * w00) + (b[c2.S] * w01) + (c[c2.S] * w10) + (d[c2.S] * w11)) * c2.G) + c2.O;
            }
        }
    }

    /// <summary>
    /// Warps the image through <paramref name="destinationToSource"/> into a size × size tensor (face alignment)
    /// and, when <paramref name="grey"/> is given, also writes the aligned face as 8-bit luminance (for the blur
    /// gate). Outside the image is black, as <c>cv2.warpAffine</c>'s default border.
    /// </summary>
    public static void WarpInto(FaceImage image, Affine2D destinationToSource, int size, Span<float> tensor, PixelNormalization norm, Span<byte> grey = default)
    {
        var plane = size * size;
        if (tensor.Length < plane * 3)
        {
            throw new ArgumentException("Tensor too small.", nameof(tensor));
        }

        var (s0, g0, o0) = norm.Plane(0);
        var (s1, g1, o1) = norm.Plane(1);
        var (s2, g2, o2) = norm.Plane(2);
        var width = image.Width;
        var height = image.Height;
        var pixels = image.Bgr;
        var stride = width * 3;
        var m = destinationToSource;
        var wantGrey = grey.Length >= plane;
        Span<float> bgr = stackalloc float[3];
        for (var v = 0; v < size; v++)
        {
            for (var u = 0; u < size; u++)
            {
                var sx = (m.A * u) + (m.B * v) + m.C;
                var sy = (m.D * u) + (m.E * v) + m.F;
                var x0 = (int)Math.Floor(sx);
                var y0 = (int)Math.Floor(sy);
                var wx = (float)(sx - x0);
                var wy = (float)(sy - y0);
                bgr.Clear();
                for (var k = 0; k < 4; k++)
                {
                    var x = x0 + (k & 1);
                    var y = y0 + (k >> 1);
                    if ((uint)x >= (uint)width || (uint)y >= (uint)height)
                    {
                        continue;
                    }

                    var w = ((k & 1) == 0 ? 1 - wx : wx) * ((k >> 1) == 0 ? 1 - wy : wy);
                    var i = (y * stride) + (x * 3);
                    bgr[0] += pixels[i] * w;
                    bgr[1] += pixels[i + 1] * w;
                    bgr[2] += pixels[i + 2] * w;
                }

                var o = (v * size) + u;
                tensor[o] = (bgr[s0] * g0) + o0;
                tensor[plane + o] = (bgr[s1] * g1) + o1;
                tensor[(2 * plane) + o] = (bgr[s2] * g2) + o2;
                if (wantGrey)
                {
                    grey[o] = (byte)Math.Clamp((int)((0.114f * bgr[0]) + (0.587f * bgr[1]) + (0.299f * bgr[2]) + 0.5f), 0, 255);
                }
            }
        }
    }
}
