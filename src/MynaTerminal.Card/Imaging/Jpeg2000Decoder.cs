using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MynaTerminal.Core.Devices;

namespace MynaTerminal.Card.Imaging;

/// <summary>The outcome of decoding the chip photo.</summary>
public abstract record Jpeg2000DecodeResult
{
    private Jpeg2000DecodeResult() { }

    /// <param name="Image">8-bit BGR pixels (a greyscale photo is replicated into the three channels).</param>
    /// <param name="Components">Components in the codestream (1 = greyscale, as on the card).</param>
    public sealed record Decoded(FaceImage Image, int Components) : Jpeg2000DecodeResult;

    public sealed record Failed(string Reason) : Jpeg2000DecodeResult;
}

/// <summary>
/// Decodes JPEG 2000 (JP2 container or raw J2K codestream) from memory with libopenjp2 (Debian / Raspberry Pi OS
/// package <c>libopenjp2-7</c>). Struct layouts are those of OpenJPEG 2.5 on 64-bit Linux (dependencies.md §4).
/// Never throws for bad input or a missing library.
/// </summary>
public static unsafe partial class Jpeg2000Decoder
{
    internal const string Library = "libopenjp2.so.7";
    private const int CodecJ2k = 0;
    private const int CodecJp2 = 2;
    private const int ColourSpaceSycc = 3;
    private const int MaxDimension = 8192;

    [ThreadStatic]
    private static string? t_lastError;

    /// <summary>True when the bytes start like a JP2 file or a J2K codestream.</summary>
    public static bool LooksLikeJpeg2000(ReadOnlySpan<byte> data) => FormatOf(data) is not null;

    public static Jpeg2000DecodeResult Decode(ReadOnlySpan<byte> data)
    {
        if (FormatOf(data) is not { } format)
        {
            return new Jpeg2000DecodeResult.Failed("not JPEG 2000 (no JP2 signature box or J2K SOC/SIZ marker)");
        }

        try
        {
            return DecodeCore(data, format);
        }
        catch (DllNotFoundException)
        {
            return new Jpeg2000DecodeResult.Failed($"{Library} is not installed (apt-get install libopenjp2-7)");
        }
        catch (EntryPointNotFoundException ex)
        {
            return new Jpeg2000DecodeResult.Failed($"{Library} lacks an entry point: {ex.Message}");
        }
    }

    private static int? FormatOf(ReadOnlySpan<byte> data)
    {
        ReadOnlySpan<byte> jp2 = [0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A];
        ReadOnlySpan<byte> j2k = [0xFF, 0x4F, 0xFF, 0x51];
        return data.StartsWith(jp2) ? CodecJp2 : data.StartsWith(j2k) ? CodecJ2k : null;
    }

    private static Jpeg2000DecodeResult DecodeCore(ReadOnlySpan<byte> data, int format)
    {
        t_lastError = null;
        var codec = opj_create_decompress(format);
        if (codec == 0)
        {
            return new Jpeg2000DecodeResult.Failed("opj_create_decompress failed");
        }

        nint stream = 0;
        nint image = 0;
        var parameters = (byte*)NativeMemory.AllocZeroed(DecoderParametersBufferLength);
        try
        {
            opj_set_error_handler(codec, &OnError, null);
            opj_set_warning_handler(codec, &Ignore, null);
            opj_set_info_handler(codec, &Ignore, null);
            opj_set_default_decoder_parameters(parameters);
            if (opj_setup_decoder(codec, parameters) == 0)
            {
                return Fail("opj_setup_decoder failed");
            }

            fixed (byte* bytes = data)
            {
                var state = new MemoryReader { Data = bytes, Length = data.Length };
                stream = opj_stream_create((nuint)Math.Max(data.Length, 1024), 1);
                if (stream == 0)
                {
                    return Fail("opj_stream_create failed");
                }

                opj_stream_set_read_function(stream, &Read);
                opj_stream_set_skip_function(stream, &Skip);
                opj_stream_set_seek_function(stream, &Seek);
                opj_stream_set_user_data(stream, &state, null);
                opj_stream_set_user_data_length(stream, (ulong)data.Length);

                if (opj_read_header(stream, codec, &image) == 0 || image == 0)
                {
                    return Fail("cannot read the JPEG 2000 header");
                }

                if (opj_decode(codec, stream, image) == 0 || opj_end_decompress(codec, stream) == 0)
                {
                    return Fail("cannot decode the JPEG 2000 image");
                }
            }

            return Convert((OpjImage*)image);
        }
        finally
        {
            if (image != 0)
            {
                opj_image_destroy(image);
            }

            if (stream != 0)
            {
                opj_stream_destroy(stream);
            }

            opj_destroy_codec(codec);
            NativeMemory.Free(parameters);
        }
    }

    private static Jpeg2000DecodeResult Fail(string what) =>
        new Jpeg2000DecodeResult.Failed(t_lastError is { Length: > 0 } detail ? $"{what}: {detail}" : what);

    private static Jpeg2000DecodeResult Convert(OpjImage* image)
    {
        var components = (int)image->numcomps;
        var width = (int)(image->x1 - image->x0);
        var height = (int)(image->y1 - image->y0);
        if (components < 1 || image->comps == null || width is < 1 or > MaxDimension || height is < 1 or > MaxDimension)
        {
            return new Jpeg2000DecodeResult.Failed($"unusable JPEG 2000 image ({width}x{height}, {components} components)");
        }

        var channels = components >= 3 ? 3 : 1;
        for (var c = 0; c < channels; c++)
        {
            var comp = &image->comps[c];
            if (comp->data == null || comp->w == 0 || comp->h == 0 || comp->prec is < 1 or > 16)
            {
                return new Jpeg2000DecodeResult.Failed($"JPEG 2000 component {c} has no usable samples");
            }
        }

        var bgr = new byte[width * height * 3];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var i = ((y * width) + x) * 3;
                if (channels == 1)
                {
                    var v = Sample(&image->comps[0], x, y, width, height);
                    bgr[i] = bgr[i + 1] = bgr[i + 2] = v;
                    continue;
                }

                int c0 = Sample(&image->comps[0], x, y, width, height);
                int c1 = Sample(&image->comps[1], x, y, width, height);
                int c2 = Sample(&image->comps[2], x, y, width, height);
                if (image->color_space == ColourSpaceSycc)
                {
                    var (cb, cr) = (c1 - 128, c2 - 128);
                    (c0, c1, c2) = (c0 + (int)(1.402 * cr), c0 - (int)((0.344136 * cb) + (0.714136 * cr)), c0 + (int)(1.772 * cb));
                }

                bgr[i] = Clamp(c2);
                bgr[i + 1] = Clamp(c1);
                bgr[i + 2] = Clamp(c0);
            }
        }

        return new Jpeg2000DecodeResult.Decoded(new FaceImage(width, height, bgr), components);
    }

    /// <summary>One 8-bit sample, nearest-neighbour for subsampled components.</summary>
    private static byte Sample(OpjImageComp* comp, int x, int y, int width, int height)
    {
        var sx = (int)Math.Min(comp->w - 1, (ulong)x * comp->w / (ulong)width);
        var sy = (int)Math.Min(comp->h - 1, (ulong)y * comp->h / (ulong)height);
        var v = comp->data[(sy * (int)comp->w) + sx];
        if (comp->sgnd != 0)
        {
            v += 1 << ((int)comp->prec - 1);
        }

        var prec = (int)comp->prec;
        v = prec > 8 ? v >> (prec - 8) : prec < 8 ? v << (8 - prec) : v;
        return Clamp(v);
    }

    private static byte Clamp(int v) => (byte)Math.Clamp(v, 0, 255);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static nuint Read(void* buffer, nuint count, void* user)
    {
        var state = (MemoryReader*)user;
        var left = state->Length - state->Position;
        if (left <= 0)
        {
            return unchecked((nuint)(-1));
        }

        var n = Math.Min(left, (long)count);
        Buffer.MemoryCopy(state->Data + state->Position, buffer, (long)count, n);
        state->Position += n;
        return (nuint)n;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static long Skip(long count, void* user)
    {
        var state = (MemoryReader*)user;
        count = Math.Clamp(count, -state->Position, state->Length - state->Position);
        state->Position += count;
        return count;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Seek(long offset, void* user)
    {
        var state = (MemoryReader*)user;
        if (offset < 0 || offset > state->Length)
        {
            return 0;
        }

        state->Position = offset;
        return 1;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnError(byte* message, void* user) => t_lastError = Marshal.PtrToStringUTF8((nint)message)?.Trim();

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Ignore(byte* message, void* user)
    {
    }

    /// <summary><c>opj_dparameters_t</c> is 8252 bytes in 2.5; the buffer is larger on purpose (never modelled).</summary>
    internal const int DecoderParametersBufferLength = 16384;

    [StructLayout(LayoutKind.Sequential)]
    private struct MemoryReader
    {
        public byte* Data;
        public long Length;
        public long Position;
    }

    /// <summary><c>opj_image_t</c> (48 bytes on LP64).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct OpjImage
    {
        public uint x0, y0, x1, y1, numcomps;
        public int color_space;
        public OpjImageComp* comps;
        public byte* icc_profile_buf;
        public uint icc_profile_len;
    }

    /// <summary><c>opj_image_comp_t</c> (64 bytes on LP64).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct OpjImageComp
    {
        public uint dx, dy, w, h, x0, y0, prec, bpp, sgnd, resno_decoded, factor;
        public int* data;
        public ushort alpha;
    }

    [LibraryImport(Library)]
    private static partial nint opj_create_decompress(int format);

    [LibraryImport(Library)]
    internal static partial void opj_destroy_codec(nint codec);

    [LibraryImport(Library)]
    internal static partial int opj_set_error_handler(nint codec, delegate* unmanaged[Cdecl]<byte*, void*, void> handler, void* data);

    [LibraryImport(Library)]
    internal static partial int opj_set_warning_handler(nint codec, delegate* unmanaged[Cdecl]<byte*, void*, void> handler, void* data);

    [LibraryImport(Library)]
    internal static partial int opj_set_info_handler(nint codec, delegate* unmanaged[Cdecl]<byte*, void*, void> handler, void* data);

    [LibraryImport(Library)]
    private static partial void opj_set_default_decoder_parameters(void* parameters);

    [LibraryImport(Library)]
    private static partial int opj_setup_decoder(nint codec, void* parameters);

    [LibraryImport(Library)]
    internal static partial nint opj_stream_create(nuint bufferSize, int isInput);

    [LibraryImport(Library)]
    internal static partial void opj_stream_destroy(nint stream);

    [LibraryImport(Library)]
    private static partial void opj_stream_set_read_function(nint stream, delegate* unmanaged[Cdecl]<void*, nuint, void*, nuint> read);

    [LibraryImport(Library)]
    internal static partial void opj_stream_set_skip_function(nint stream, delegate* unmanaged[Cdecl]<long, void*, long> skip);

    [LibraryImport(Library)]
    internal static partial void opj_stream_set_seek_function(nint stream, delegate* unmanaged[Cdecl]<long, void*, int> seek);

    [LibraryImport(Library)]
    internal static partial void opj_stream_set_user_data(nint stream, void* data, void* free);

    [LibraryImport(Library)]
    private static partial void opj_stream_set_user_data_length(nint stream, ulong length);

    [LibraryImport(Library)]
    private static partial int opj_read_header(nint stream, nint codec, nint* image);

    [LibraryImport(Library)]
    private static partial int opj_decode(nint codec, nint stream, nint image);

    [LibraryImport(Library)]
    private static partial int opj_end_decompress(nint codec, nint stream);

    [LibraryImport(Library)]
    internal static partial void opj_image_destroy(nint image);
}
