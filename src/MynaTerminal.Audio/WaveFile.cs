using System.Buffers.Binary;

namespace MynaTerminal.Audio;

/// <summary>The format and the sample data's place in a RIFF/WAVE file.</summary>
public sealed record WaveFormat(int FormatTag, int Channels, int SampleRate, int BitsPerSample, int DataOffset, int DataLength)
{
    /// <summary>WAVE_FORMAT_PCM.</summary>
    public const int Pcm = 1;

    /// <summary>The length of the sound.</summary>
    public TimeSpan Duration =>
        Channels <= 0 || SampleRate <= 0 || BitsPerSample < 8
            ? TimeSpan.Zero
            : TimeSpan.FromSeconds((double)DataLength / (Channels * (BitsPerSample / 8) * SampleRate));
}

/// <summary>
/// Just enough RIFF/WAVE for the prompts: read the header (to check what a TTS wrote), scale 16-bit PCM (the volume
/// hint), and write the key click.
/// </summary>
public static class WaveFile
{
    /// <summary>
    /// The format of <paramref name="bytes"/>, or null when they are not a RIFF/WAVE file with a <c>fmt </c> chunk and a
    /// non-empty <c>data</c> chunk. A data size larger than the file (a TTS writing to a pipe) is cut to the file.
    /// </summary>
    public static WaveFormat? TryRead(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 12 || !bytes[..4].SequenceEqual("RIFF"u8) || !bytes[8..12].SequenceEqual("WAVE"u8))
        {
            return null;
        }

        int? formatTag = null, channels = null, sampleRate = null, bits = null;
        var position = 12;
        while (position + 8 <= bytes.Length)
        {
            var id = bytes.Slice(position, 4);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(bytes.Slice(position + 4, 4));
            var body = position + 8;
            if (id.SequenceEqual("fmt "u8))
            {
                if (size < 16 || body + 16 > bytes.Length)
                {
                    return null;
                }

                formatTag = BinaryPrimitives.ReadUInt16LittleEndian(bytes.Slice(body, 2));
                channels = BinaryPrimitives.ReadUInt16LittleEndian(bytes.Slice(body + 2, 2));
                sampleRate = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.Slice(body + 4, 4));
                bits = BinaryPrimitives.ReadUInt16LittleEndian(bytes.Slice(body + 14, 2));
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (formatTag is null)
                {
                    return null;
                }

                var length = (int)Math.Min(size, (uint)(bytes.Length - body));
                return length <= 0 || channels is not > 0 || sampleRate is not > 0 || bits is not > 0
                    ? null
                    : new WaveFormat(formatTag.Value, channels.Value, sampleRate.Value, bits.Value, body, length);
            }

            var next = (long)body + size + (size & 1);
            if (next > bytes.Length)
            {
                return null;
            }

            position = (int)next;
        }

        return null;
    }

    /// <summary>
    /// A copy of a 16-bit PCM file with every sample scaled to <paramref name="volumePercent"/> (0–100); the bytes
    /// themselves for 100 or for any other format.
    /// </summary>
    public static byte[] Scale(byte[] bytes, int volumePercent)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var format = TryRead(bytes);
        if (volumePercent >= 100 || format is not { FormatTag: WaveFormat.Pcm, BitsPerSample: 16 })
        {
            return bytes;
        }

        var factor = Math.Max(0, volumePercent) / 100.0;
        var scaled = (byte[])bytes.Clone();
        var data = scaled.AsSpan(format.DataOffset, format.DataLength & ~1);
        for (var i = 0; i < data.Length; i += 2)
        {
            var sample = BinaryPrimitives.ReadInt16LittleEndian(data[i..]);
            BinaryPrimitives.WriteInt16LittleEndian(data[i..], (short)Math.Round(sample * factor));
        }

        return scaled;
    }

    /// <summary>A 16-bit mono PCM WAV of <paramref name="samples"/>.</summary>
    public static byte[] Write(ReadOnlySpan<short> samples, int sampleRate)
    {
        var dataLength = samples.Length * 2;
        var bytes = new byte[44 + dataLength];
        var span = bytes.AsSpan();
        "RIFF"u8.CopyTo(span);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], (uint)(36 + dataLength));
        "WAVE"u8.CopyTo(span[8..]);
        "fmt "u8.CopyTo(span[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(span[20..], WaveFormat.Pcm);
        BinaryPrimitives.WriteUInt16LittleEndian(span[22..], 1);
        BinaryPrimitives.WriteUInt32LittleEndian(span[24..], (uint)sampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(span[28..], (uint)(sampleRate * 2));
        BinaryPrimitives.WriteUInt16LittleEndian(span[32..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(span[34..], 16);
        "data"u8.CopyTo(span[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[40..], (uint)dataLength);
        for (var i = 0; i < samples.Length; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(span[(44 + (i * 2))..], samples[i]);
        }

        return bytes;
    }

    /// <summary>The key click: 40 ms of a 2 kHz tone with a quick fade, so it clicks instead of popping.</summary>
    public static byte[] KeyClick()
    {
        const int rate = 22050;
        var samples = new short[rate * 40 / 1000];
        for (var i = 0; i < samples.Length; i++)
        {
            var t = (double)i / rate;
            var envelope = Math.Min(1.0, i / 44.0) * Math.Exp(-t * 90);
            samples[i] = (short)Math.Round(Math.Sin(2 * Math.PI * 2000 * t) * envelope * short.MaxValue * 0.5);
        }

        return Write(samples, rate);
    }
}
