using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace MynaTerminal.Panel.Input;

/// <summary>One <c>struct input_event</c>: time, type, code, value.</summary>
public readonly record struct InputEvent(long Seconds, long Microseconds, ushort Type, ushort Code, int Value)
{
    public override string ToString() => $"{Seconds}.{Microseconds:D6} type {Type} code {Code} value {Value}";
}

/// <summary>
/// Reads <c>struct input_event</c> records from /dev/input/eventN or any stream. The layout is that of 64-bit Linux
/// (arm64, x86-64): <c>struct timeval</c> (two 8-byte longs) at 0, <c>__u16 type</c> at 16, <c>__u16 code</c> at 18,
/// <c>__s32 value</c> at 20; 24 bytes, native (little-endian) byte order. Partial reads are reassembled.
/// </summary>
public sealed class EvdevReader
{
    /// <summary>sizeof(struct input_event) on 64-bit Linux.</summary>
    public const int EventSize = 24;

    private const int EventsPerRead = 64;

    private readonly Stream _stream;

    /// <summary>Reads from <paramref name="stream"/> (not disposed here).</summary>
    public EvdevReader(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
    }

    /// <summary>Decodes one event from the first <see cref="EventSize"/> bytes of <paramref name="record"/>.</summary>
    public static InputEvent Parse(ReadOnlySpan<byte> record)
    {
        if (record.Length < EventSize)
        {
            throw new ArgumentException($"An input_event is {EventSize} bytes; got {record.Length}.", nameof(record));
        }

        return new InputEvent(
            BinaryPrimitives.ReadInt64LittleEndian(record),
            BinaryPrimitives.ReadInt64LittleEndian(record[8..]),
            BinaryPrimitives.ReadUInt16LittleEndian(record[16..]),
            BinaryPrimitives.ReadUInt16LittleEndian(record[18..]),
            BinaryPrimitives.ReadInt32LittleEndian(record[20..]));
    }

    /// <summary>
    /// Every event until the stream ends. A stream that ends inside a record throws <see cref="EndOfStreamException"/>
    /// (a truncated device read is a bug, not data).
    /// </summary>
    public async IAsyncEnumerable<InputEvent> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var buffer = new byte[EventSize * EventsPerRead];
        var filled = 0;
        while (true)
        {
            var read = await _stream.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                if (filled != 0)
                {
                    throw new EndOfStreamException($"The input stream ended {filled} bytes into an input_event.");
                }

                yield break;
            }

            filled += read;
            var whole = filled / EventSize * EventSize;
            for (var offset = 0; offset < whole; offset += EventSize)
            {
                yield return Parse(buffer.AsSpan(offset, EventSize));
            }

            buffer.AsSpan(whole, filled - whole).CopyTo(buffer);
            filled -= whole;
        }
    }
}
