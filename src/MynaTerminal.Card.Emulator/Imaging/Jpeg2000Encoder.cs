using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

using MynaTerminal.Card.Imaging;

namespace MynaTerminal.Card.Emulator.Imaging;

/// <summary>
/// Encodes a greyscale image as JPEG 2000 in a JP2 container (like the card's DF27 photo) with libopenjp2.
/// Lossy at a target size (the card's photo is a few KB), or lossless. Layouts: OpenJPEG 2.5 on 64-bit Linux;
/// <c>opj_cparameters_t</c> is never modelled — only four fields are written, at offsets checked against the
/// library's own defaults first (otherwise the encoding falls back to lossless).
/// </summary>
public static unsafe partial class Jpeg2000Encoder
{
    private const string Library = Jpeg2000Decoder.Library;
    private const int CodecJp2 = 2;
    private const int ColourSpaceGrey = 2;
    private const int ParametersBufferLength = 32 * 1024; // opj_cparameters_t is 18720 bytes in 2.5

    // Offsets inside opj_cparameters_t (OpenJPEG 2.5, LP64), measured with offsetof against the 2.5 header.
    private const int OffsetDistoAlloc = 20;
    private const int OffsetNumLayers = 4796;
    private const int OffsetRates = 4800;
    private const int OffsetNumResolution = 5600;
    private const int OffsetCodeBlockWidth = 5604;
    private const int OffsetCodeBlockHeight = 5608;
    private const int OffsetIrreversible = 5616;

    [ThreadStatic]
    private static string? t_lastError;

    /// <summary>
    /// Encodes <paramref name="image"/>. With <paramref name="targetBytes"/> the 9/7 wavelet and one quality layer at
    /// the matching compression ratio are used; null (or a target at least the raw size) encodes losslessly.
    /// </summary>
    public static byte[] EncodeGrey(GreyImage image, int? targetBytes = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        var parameter = new ComponentParameters
        {
            dx = 1, dy = 1, w = (uint)image.Width, h = (uint)image.Height, prec = 8, bpp = 8, sgnd = 0,
        };
        var opjImage = (Jpeg2000Decoder.OpjImage*)opj_image_create(1, &parameter, ColourSpaceGrey);
        if (opjImage == null)
        {
            throw new InvalidOperationException("opj_image_create failed");
        }

        var codec = (nint)0;
        var stream = (nint)0;
        var parameters = (byte*)NativeMemory.AllocZeroed(ParametersBufferLength);
        var output = new Output();
        var handle = GCHandle.Alloc(output);
        try
        {
            opjImage->x0 = 0;
            opjImage->y0 = 0;
            opjImage->x1 = (uint)image.Width;
            opjImage->y1 = (uint)image.Height;
            var data = opjImage->comps[0].data;
            for (var i = 0; i < image.Pixels.Length; i++)
            {
                data[i] = image.Pixels[i];
            }

            opj_set_default_encoder_parameters(parameters);
            Configure(parameters, image, targetBytes);

            codec = opj_create_compress(CodecJp2);
            t_lastError = null;
            Jpeg2000Decoder.opj_set_error_handler(codec, &OnError, null);
            Jpeg2000Decoder.opj_set_warning_handler(codec, &Ignore, null);
            Jpeg2000Decoder.opj_set_info_handler(codec, &Ignore, null);
            if (opj_setup_encoder(codec, parameters, (nint)opjImage) == 0)
            {
                throw Failure("opj_setup_encoder");
            }

            stream = Jpeg2000Decoder.opj_stream_create(64 * 1024, 0);
            opj_stream_set_write_function(stream, &Write);
            Jpeg2000Decoder.opj_stream_set_skip_function(stream, &Skip);
            Jpeg2000Decoder.opj_stream_set_seek_function(stream, &Seek);
            Jpeg2000Decoder.opj_stream_set_user_data(stream, (void*)GCHandle.ToIntPtr(handle), null);
            if (opj_start_compress(codec, (nint)opjImage, stream) == 0 || opj_encode(codec, stream) == 0 || opj_end_compress(codec, stream) == 0)
            {
                throw Failure("JPEG 2000 encoding");
            }

            return output.ToArray();
        }
        finally
        {
            if (stream != 0)
            {
                Jpeg2000Decoder.opj_stream_destroy(stream);
            }

            if (codec != 0)
            {
                Jpeg2000Decoder.opj_destroy_codec(codec);
            }

            Jpeg2000Decoder.opj_image_destroy((nint)opjImage);
            NativeMemory.Free(parameters);
            handle.Free();
        }
    }

    private static void Configure(byte* parameters, GreyImage image, int? targetBytes)
    {
        var defaultsAsExpected = *(int*)(parameters + OffsetNumResolution) == 6
            && *(int*)(parameters + OffsetCodeBlockWidth) == 64
            && *(int*)(parameters + OffsetCodeBlockHeight) == 64
            && *(int*)(parameters + OffsetNumLayers) == 0;
        if (!defaultsAsExpected)
        {
            return; // Another layout: keep the library's lossless defaults.
        }

        var smallest = Math.Min(image.Width, image.Height);
        var resolutions = Math.Clamp((int)Math.Floor(Math.Log2(smallest)) + 1, 1, 6);
        *(int*)(parameters + OffsetNumResolution) = resolutions;

        var raw = image.Width * image.Height;
        if (targetBytes is { } target && target > 0 && target < raw)
        {
            *(int*)(parameters + OffsetNumLayers) = 1;
            *(float*)(parameters + OffsetRates) = (float)raw / target;
            *(int*)(parameters + OffsetDistoAlloc) = 1;
            *(int*)(parameters + OffsetIrreversible) = 1;
        }
    }

    private static InvalidOperationException Failure(string what) =>
        new(t_lastError is { Length: > 0 } detail ? $"{what} failed: {detail}" : $"{what} failed");

    private sealed class Output
    {
        private byte[] _buffer = new byte[16 * 1024];
        private long _length;

        public long Position { get; set; }

        public void Write(ReadOnlySpan<byte> data)
        {
            var end = Position + data.Length;
            if (end > _buffer.Length)
            {
                Array.Resize(ref _buffer, (int)Math.Max(end, _buffer.Length * 2L));
            }

            data.CopyTo(_buffer.AsSpan((int)Position));
            Position = end;
            _length = Math.Max(_length, end);
        }

        public byte[] ToArray() => _buffer.AsSpan(0, (int)_length).ToArray();
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static nuint Write(void* buffer, nuint count, void* user)
    {
        var output = (Output)GCHandle.FromIntPtr((nint)user).Target!;
        output.Write(new ReadOnlySpan<byte>(buffer, (int)count));
        return count;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static long Skip(long count, void* user)
    {
        var output = (Output)GCHandle.FromIntPtr((nint)user).Target!;
        if (output.Position + count < 0)
        {
            return -1;
        }

        output.Position += count;
        return count;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Seek(long offset, void* user)
    {
        var output = (Output)GCHandle.FromIntPtr((nint)user).Target!;
        if (offset < 0)
        {
            return 0;
        }

        output.Position = offset;
        return 1;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnError(byte* message, void* user) => t_lastError = Marshal.PtrToStringUTF8((nint)message)?.Trim();

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Ignore(byte* message, void* user)
    {
    }

    /// <summary><c>opj_image_cmptparm_t</c> (36 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct ComponentParameters
    {
        public uint dx, dy, w, h, x0, y0, prec, bpp, sgnd;
    }

    [LibraryImport(Library)]
    private static partial nint opj_image_create(uint numcmpts, ComponentParameters* parameters, int colourSpace);

    [LibraryImport(Library)]
    private static partial nint opj_create_compress(int format);

    [LibraryImport(Library)]
    private static partial void opj_set_default_encoder_parameters(void* parameters);

    [LibraryImport(Library)]
    private static partial int opj_setup_encoder(nint codec, void* parameters, nint image);

    [LibraryImport(Library)]
    private static partial void opj_stream_set_write_function(nint stream, delegate* unmanaged[Cdecl]<void*, nuint, void*, nuint> write);

    [LibraryImport(Library)]
    private static partial int opj_start_compress(nint codec, nint image, nint stream);

    [LibraryImport(Library)]
    private static partial int opj_encode(nint codec, nint stream);

    [LibraryImport(Library)]
    private static partial int opj_end_compress(nint codec, nint stream);
}
