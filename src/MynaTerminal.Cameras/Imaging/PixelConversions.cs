using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MynaTerminal.Core.Devices;

namespace MynaTerminal.Cameras.Imaging;

/// <summary>Raw camera pixel formats to the 8-bit BGR of <see cref="FaceImage"/>.</summary>
public static class PixelConversions
{
    /// <summary>
    /// YUYV (YUY2, packed 4:2:2: Y0 U Y1 V per two pixels) to BGR, BT.601 limited range ("studio swing", what
    /// UVC cameras send), in integer arithmetic with 8 fractional bits:
    /// <code>
    /// C = Y − 16, D = U − 128, E = V − 128
    /// R = clamp((298·C + 409·E + 128) » 8)
    /// G = clamp((298·C − 100·D − 208·E + 128) » 8)
    /// B = clamp((298·C + 516·D + 128) » 8)
    /// </code>
    /// </summary>
    /// <param name="yuyv">The frame; rows are <paramref name="stride"/> bytes apart (V4L2's bytesperline).</param>
    /// <param name="width">Pixels per row; must be even.</param>
    /// <param name="stride">Bytes per source row; 0 = width × 2.</param>
    /// <param name="bgr">At least width × height × 3 bytes.</param>
    public static void YuyvToBgr(ReadOnlySpan<byte> yuyv, int width, int height, int stride, Span<byte> bgr)
    {
        if (width < 2 || (width & 1) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(width), width, "YUYV width must be even and at least 2.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (stride == 0)
        {
            stride = width * 2;
        }

        if (stride < width * 2)
        {
            throw new ArgumentOutOfRangeException(nameof(stride), stride, $"Stride must be at least width × 2 = {width * 2}.");
        }

        var needed = (long)stride * (height - 1) + width * 2;
        if (yuyv.Length < needed)
        {
            throw new ArgumentException($"A {width}x{height} YUYV frame with stride {stride} needs {needed} bytes, got {yuyv.Length}.", nameof(yuyv));
        }

        if (bgr.Length < (long)width * height * 3)
        {
            throw new ArgumentException($"The BGR buffer needs {(long)width * height * 3} bytes, got {bgr.Length}.", nameof(bgr));
        }

        ref var source = ref MemoryMarshal.GetReference(yuyv);
        ref var destination = ref MemoryMarshal.GetReference(bgr);
        var pairs = width / 2;
        for (var row = 0; row < height; row++)
        {
            ref var s = ref Unsafe.Add(ref source, (nint)row * stride);
            ref var d = ref Unsafe.Add(ref destination, (nint)row * width * 3);
            for (var pair = 0; pair < pairs; pair++)
            {
                var y0 = (Unsafe.Add(ref s, 0) - 16) * 298;
                var u = Unsafe.Add(ref s, 1) - 128;
                var y1 = (Unsafe.Add(ref s, 2) - 16) * 298;
                var v = Unsafe.Add(ref s, 3) - 128;
                var redTerm = (409 * v) + 128;
                var greenTerm = (-100 * u) - (208 * v) + 128;
                var blueTerm = (516 * u) + 128;

                Unsafe.Add(ref d, 0) = Clamp((y0 + blueTerm) >> 8);
                Unsafe.Add(ref d, 1) = Clamp((y0 + greenTerm) >> 8);
                Unsafe.Add(ref d, 2) = Clamp((y0 + redTerm) >> 8);
                Unsafe.Add(ref d, 3) = Clamp((y1 + blueTerm) >> 8);
                Unsafe.Add(ref d, 4) = Clamp((y1 + greenTerm) >> 8);
                Unsafe.Add(ref d, 5) = Clamp((y1 + redTerm) >> 8);

                s = ref Unsafe.Add(ref s, 4);
                d = ref Unsafe.Add(ref d, 6);
            }
        }
    }

    /// <summary>YUYV to a new BGR <see cref="FaceImage"/>; see the other overload for the arithmetic.</summary>
    public static FaceImage YuyvToBgr(ReadOnlySpan<byte> yuyv, int width, int height, int stride = 0)
    {
        var pixels = GC.AllocateUninitializedArray<byte>(checked(width * height * 3));
        YuyvToBgr(yuyv, width, height, stride, pixels);
        return new FaceImage(width, height, pixels);
    }

    /// <summary>Swaps the first and third byte of every 3-byte pixel in place (RGB ⇄ BGR).</summary>
    public static void SwapRedBlue(Span<byte> pixels)
    {
        if (pixels.Length % 3 != 0)
        {
            throw new ArgumentException("The buffer is not a whole number of 3-byte pixels.", nameof(pixels));
        }

        for (var i = 0; i < pixels.Length; i += 3)
        {
            (pixels[i], pixels[i + 2]) = (pixels[i + 2], pixels[i]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte Clamp(int value) => (uint)value <= 255 ? (byte)value : value < 0 ? (byte)0 : (byte)255;
}
