using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace MynaTerminal.Cameras.Imaging;

/// <summary>
/// The project's own binding to the TurboJPEG 2.x C API of libjpeg-turbo (<c>libturbojpeg.so.0</c>, Debian and
/// Raspberry Pi OS package <c>libturbojpeg0</c> 2.1.5). Signatures and constants follow <c>turbojpeg.h</c> of
/// 2.1.5; <c>unsigned long</c> is pointer-sized on 64-bit Linux (LP64), hence <see cref="nuint"/>.
/// </summary>
internal static unsafe partial class TurboJpegNative
{
    public const string Library = "libturbojpeg.so.0";

    // enum TJPF
    public const int PixelFormatRgb = 0;
    public const int PixelFormatBgr = 1;

    // enum TJERR
    public const int ErrorWarning = 0;
    public const int ErrorFatal = 1;

    // TJFLAG_*
    public const int FlagFastUpsample = 256;
    public const int FlagFastDct = 2048;
    public const int FlagAccurateDct = 4096;
    public const int FlagStopOnWarning = 8192;
    public const int FlagProgressive = 16384;

    /// <summary>TJFLAG_LIMITSCANS: refuse progressive JPEGs with more than 500 scans (guards against decoder DoS).</summary>
    public const int FlagLimitScans = 32768;

    [LibraryImport(Library)]
    public static partial nint tjInitDecompress();

    [LibraryImport(Library)]
    public static partial nint tjInitCompress();

    [LibraryImport(Library)]
    public static partial int tjDestroy(nint handle);

    [LibraryImport(Library)]
    public static partial int tjDecompressHeader3(
        TurboJpegHandle handle, byte* jpegBuf, nuint jpegSize, int* width, int* height, int* jpegSubsamp, int* jpegColorspace);

    [LibraryImport(Library)]
    public static partial int tjDecompress2(
        TurboJpegHandle handle, byte* jpegBuf, nuint jpegSize, byte* dstBuf, int width, int pitch, int height, int pixelFormat, int flags);

    [LibraryImport(Library)]
    public static partial int tjCompress2(
        TurboJpegHandle handle, byte* srcBuf, int width, int pitch, int height, int pixelFormat,
        byte** jpegBuf, nuint* jpegSize, int jpegSubsamp, int jpegQual, int flags);

    [LibraryImport(Library)]
    public static partial void tjFree(byte* buffer);

    /// <summary>The last error of this handle (or, for a null handle, of the last failed tjInit* on this thread).</summary>
    [LibraryImport(Library)]
    public static partial byte* tjGetErrorStr2(nint handle);

    [LibraryImport(Library)]
    public static partial int tjGetErrorCode(TurboJpegHandle handle);

    public static string ErrorText(nint handle)
    {
        var text = tjGetErrorStr2(handle);
        return text == null ? "unknown TurboJPEG error" : Marshal.PtrToStringUTF8((nint)text) ?? "unknown TurboJPEG error";
    }
}

/// <summary>A tjhandle (compressor or decompressor); released with tjDestroy.</summary>
internal sealed class TurboJpegHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public TurboJpegHandle()
        : base(ownsHandle: true)
    {
    }

    public static TurboJpegHandle Create(bool compressor)
    {
        nint raw;
        try
        {
            raw = compressor ? TurboJpegNative.tjInitCompress() : TurboJpegNative.tjInitDecompress();
        }
        catch (DllNotFoundException ex)
        {
            throw new DllNotFoundException(
                $"{TurboJpegNative.Library} is not installed (apt-get install libturbojpeg0): {ex.Message}", ex);
        }

        if (raw == 0)
        {
            throw new InvalidOperationException($"TurboJPEG could not create a handle: {TurboJpegNative.ErrorText(0)}");
        }

        var handle = new TurboJpegHandle();
        handle.SetHandle(raw);
        return handle;
    }

    protected override bool ReleaseHandle() => TurboJpegNative.tjDestroy(handle) == 0;
}
