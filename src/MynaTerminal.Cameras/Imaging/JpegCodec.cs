using MynaTerminal.Core.Devices;

namespace MynaTerminal.Cameras.Imaging;

/// <summary>Decode-time downscaling that libjpeg-turbo does in the DCT domain (much cheaper than full decode + resize).</summary>
public enum JpegScale
{
    Full = 1,
    Half = 2,
    Quarter = 4,
    Eighth = 8,
}

/// <summary>Chroma subsampling of a JPEG (TurboJPEG's TJSAMP values).</summary>
public enum JpegSubsampling
{
    Yuv444 = 0,
    Yuv422 = 1,
    Yuv420 = 2,
    Gray = 3,
    Yuv440 = 4,
    Yuv411 = 5,
}

/// <summary>What a JPEG header says.</summary>
public readonly record struct JpegInfo(int Width, int Height, JpegSubsampling Subsampling);

/// <summary>
/// JPEG decoder and encoder on libjpeg-turbo's TurboJPEG API (<c>libturbojpeg.so.0</c>). It holds the native
/// handles, so a camera loop creates one and reuses it for every frame. Not thread-safe: one codec per thread.
/// Bad input (corrupt, truncated, not a JPEG, absurd dimensions) throws <see cref="ImageDecodeException"/>; the
/// partly decoded pixels of a failed frame are wiped before the exception leaves.
/// </summary>
public sealed unsafe class JpegCodec : IDisposable
{
    /// <summary>Largest accepted width or height (the header is checked before any pixel memory is allocated).</summary>
    public const int MaxDimension = 8192;

    /// <summary>Largest accepted pixel count (8192 × 4096; 96 MiB of BGR).</summary>
    public const long MaxPixels = 8192L * 4096;

    private TurboJpegHandle? _decompressor;
    private TurboJpegHandle? _compressor;
    private bool _disposed;

    /// <summary>
    /// False (default): a libjpeg warning fails the decode (a truncated frame is "Premature end of JPEG file", a
    /// warning). True: the image is returned despite warnings such as "extraneous bytes before marker", which
    /// some USB cameras produce on every frame. Fatal errors always throw.
    /// </summary>
    public bool AcceptWarnings { get; init; }

    /// <summary>Faster, slightly less exact decoding (TJFLAG_FASTDCT | TJFLAG_FASTUPSAMPLE).</summary>
    public bool FastDecode { get; init; }

    /// <summary>The size a decode at <paramref name="scale"/> produces: TurboJPEG's TJSCALED, i.e. ceil(dimension / scale).</summary>
    public static (int Width, int Height) ScaledSize(int width, int height, JpegScale scale)
    {
        var factor = (int)scale;
        return ((width + factor - 1) / factor, (height + factor - 1) / factor);
    }

    /// <summary>Reads only the header: dimensions and subsampling.</summary>
    public JpegInfo ReadHeader(ReadOnlySpan<byte> jpeg)
    {
        var decompressor = Decompressor();
        fixed (byte* source = jpeg)
        {
            try
            {
                return ReadHeaderCore(decompressor, source, jpeg.Length);
            }
            catch (ImageDecodeException)
            {
                ResetDecompressor();
                throw;
            }
        }
    }

    /// <summary>Decodes a JPEG into a new 8-bit BGR <see cref="FaceImage"/>, optionally downscaled while decoding.</summary>
    public FaceImage DecodeBgr(ReadOnlySpan<byte> jpeg, JpegScale scale = JpegScale.Full)
    {
        if (!Enum.IsDefined(scale))
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "Scale must be Full, Half, Quarter or Eighth.");
        }

        var decompressor = Decompressor();
        fixed (byte* source = jpeg)
        {
            JpegInfo info;
            try
            {
                info = ReadHeaderCore(decompressor, source, jpeg.Length);
            }
            catch (ImageDecodeException)
            {
                ResetDecompressor();
                throw;
            }

            var (width, height) = ScaledSize(info.Width, info.Height, scale);
            var pixels = GC.AllocateUninitializedArray<byte>(checked(width * height * 3));
            var flags = TurboJpegNative.FlagLimitScans
                | (FastDecode ? TurboJpegNative.FlagFastDct | TurboJpegNative.FlagFastUpsample : 0);
            int result;
            fixed (byte* destination = pixels)
            {
                result = TurboJpegNative.tjDecompress2(
                    decompressor, source, (nuint)jpeg.Length, destination, width, width * 3, height, TurboJpegNative.PixelFormatBgr, flags);
            }

            if (result != 0)
            {
                var fatal = TurboJpegNative.tjGetErrorCode(decompressor) != TurboJpegNative.ErrorWarning;
                if (fatal || !AcceptWarnings)
                {
                    var detail = ErrorText(decompressor);
                    ResetDecompressor();
                    Array.Clear(pixels);
                    throw new ImageDecodeException(
                        $"Cannot decode the JPEG ({info.Width}x{info.Height}, {jpeg.Length} bytes): {detail}" +
                        (fatal ? "" : " (a libjpeg warning; the data is damaged or truncated)"));
                }
            }

            return new FaceImage(width, height, pixels);
        }
    }

    /// <summary>
    /// Encodes an 8-bit BGR image as a baseline JPEG. The native output buffer is wiped before it is freed.
    /// </summary>
    /// <param name="quality">1 (smallest) to 100 (best).</param>
    public byte[] EncodeBgr(FaceImage image, int quality = 90, JpegSubsampling subsampling = JpegSubsampling.Yuv420) =>
        EncodeBgr(image, quality, subsampling, progressive: false);

    /// <summary>As the public overload; <paramref name="progressive"/> writes a multi-scan progressive JPEG (tests use it).</summary>
    internal byte[] EncodeBgr(FaceImage image, int quality, JpegSubsampling subsampling, bool progressive)
    {
        ArgumentNullException.ThrowIfNull(image);
        FaceImages.Validate(image);
        ArgumentOutOfRangeException.ThrowIfLessThan(quality, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, 100);
        if (!Enum.IsDefined(subsampling))
        {
            throw new ArgumentOutOfRangeException(nameof(subsampling), subsampling, "Unknown subsampling.");
        }

        ObjectDisposedException.ThrowIf(_disposed, this);
        _compressor ??= TurboJpegHandle.Create(compressor: true);
        byte* output = null;
        nuint size = 0;
        int result;
        fixed (byte* source = image.Bgr)
        {
            result = TurboJpegNative.tjCompress2(
                _compressor, source, image.Width, image.Width * 3, image.Height, TurboJpegNative.PixelFormatBgr,
                &output, &size, (int)subsampling, quality, progressive ? TurboJpegNative.FlagProgressive : 0);
        }

        try
        {
            if (result != 0)
            {
                var detail = ErrorText(_compressor);
                _compressor.Dispose();
                _compressor = null;
                throw new InvalidOperationException($"JPEG encoding failed: {detail}");
            }

            return new ReadOnlySpan<byte>(output, checked((int)size)).ToArray();
        }
        finally
        {
            if (output != null)
            {
                if (result == 0)
                {
                    new Span<byte>(output, (int)size).Clear();
                }

                TurboJpegNative.tjFree(output);
            }
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _decompressor?.Dispose();
        _compressor?.Dispose();
    }

    private TurboJpegHandle Decompressor()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _decompressor ??= TurboJpegHandle.Create(compressor: false);
    }

    /// <summary>
    /// TurboJPEG 2.x leaves a decompressor in a bad state after some errors (a failed header read makes every later
    /// call fail with "Improper call to JPEG library in state 201"), so a failed handle is replaced.
    /// </summary>
    private void ResetDecompressor()
    {
        _decompressor?.Dispose();
        _decompressor = null;
    }

    private JpegInfo ReadHeaderCore(TurboJpegHandle decompressor, byte* source, int length)
    {
        if (length < 4 || source[0] != 0xFF || source[1] != 0xD8)
        {
            throw new ImageDecodeException(length < 4
                ? $"Not a JPEG: only {length} bytes."
                : $"Not a JPEG: it starts with {source[0]:X2} {source[1]:X2}, not the SOI marker FF D8.");
        }

        int width = 0, height = 0, subsampling = -1, colorspace = -1;
        if (TurboJpegNative.tjDecompressHeader3(decompressor, source, (nuint)length, &width, &height, &subsampling, &colorspace) != 0)
        {
            // A warning (e.g. "extraneous bytes before marker") still fills in the header.
            var warningOnly = TurboJpegNative.tjGetErrorCode(decompressor) == TurboJpegNative.ErrorWarning && width > 0 && height > 0;
            if (!warningOnly || !AcceptWarnings)
            {
                throw new ImageDecodeException($"Cannot read the JPEG header ({length} bytes): {ErrorText(decompressor)}");
            }
        }

        if (width == 0 || height == 0)
        {
            throw new ImageDecodeException($"The JPEG header is incomplete ({length} bytes end before the frame header).");
        }

        if (width < 1 || height < 1 || width > MaxDimension || height > MaxDimension || (long)width * height > MaxPixels)
        {
            throw new ImageDecodeException(
                $"JPEG dimensions {width}x{height} are outside the accepted range (at most {MaxDimension} per side and {MaxPixels} pixels).");
        }

        return new JpegInfo(width, height, (JpegSubsampling)subsampling);
    }

    private static string ErrorText(TurboJpegHandle handle)
    {
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return TurboJpegNative.ErrorText(handle.DangerousGetHandle());
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }
}

/// <summary>One-off JPEG decode and encode (each call creates and frees its own TurboJPEG handle; camera loops use a <see cref="JpegCodec"/>).</summary>
public static class Jpeg
{
    /// <inheritdoc cref="JpegCodec.DecodeBgr"/>
    public static FaceImage DecodeBgr(ReadOnlySpan<byte> jpeg, JpegScale scale = JpegScale.Full)
    {
        using var codec = new JpegCodec();
        return codec.DecodeBgr(jpeg, scale);
    }

    /// <inheritdoc cref="JpegCodec.ReadHeader"/>
    public static JpegInfo ReadHeader(ReadOnlySpan<byte> jpeg)
    {
        using var codec = new JpegCodec();
        return codec.ReadHeader(jpeg);
    }

    /// <inheritdoc cref="JpegCodec.EncodeBgr"/>
    public static byte[] EncodeBgr(FaceImage image, int quality, JpegSubsampling subsampling = JpegSubsampling.Yuv420)
    {
        using var codec = new JpegCodec();
        return codec.EncodeBgr(image, quality, subsampling);
    }
}
