namespace MynaTerminal.Cameras.Mjpeg;

/// <summary>
/// Splits a byte stream of concatenated JPEG images (raw MJPEG from <c>rpicam-vid --codec mjpeg -o -</c>, a
/// <c>.mjpeg</c> file, or the <c>00dc</c> chunks of an MJPEG AVI) into whole JPEG frames, incrementally: bytes
/// may arrive in pieces of any size, down to one byte at a time.
/// </summary>
/// <remarks>
/// It parses rather than searches for FF D9: from SOI (FF D8) it walks the marker segments by their lengths up
/// to SOS, then scans the entropy-coded data for EOI (FF D9), skipping stuffed FF 00, RST markers FF D0–FF D7 and
/// fill bytes; markers between scans (DHT of a progressive JPEG, a further SOS) are walked again. So an FF D9
/// inside an APP segment (an EXIF thumbnail) does not end the frame. Bytes outside frames (container headers,
/// garbage) are skipped. A damaged frame (a marker where none can be, a new SOI before EOI) is dropped and the
/// splitter resynchronises on the next SOI. A frame that grows past <see cref="MaxFrameBytes"/> stops being
/// buffered and is dropped when it ends, so memory stays bounded whatever the input.
/// Not thread-safe. The bytes of the frame last returned are wiped on the next call, <see cref="Reset"/> or
/// <see cref="Dispose"/>.
/// </remarks>
public sealed class MjpegFrameSplitter : IDisposable
{
    public const int DefaultMaxFrameBytes = 8 * 1024 * 1024;

    private const int InitialBufferBytes = 64 * 1024;

    private byte[] _buffer = [];
    private int _length;
    private int _emittedLength;
    private State _state = State.SeekSoi;
    private int _segmentRemaining;
    private byte _marker;
    private bool _inFrame;
    private bool _oversized;

    public MjpegFrameSplitter(int maxFrameBytes = DefaultMaxFrameBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFrameBytes, 64);
        MaxFrameBytes = maxFrameBytes;
    }

    private enum State
    {
        SeekSoi,
        SeekSoiAfterFf,
        MarkerFf,
        MarkerCode,
        LengthHigh,
        LengthLow,
        Segment,
        Entropy,
        EntropyAfterFf,
    }

    /// <summary>Frames larger than this are dropped (default 8 MiB).</summary>
    public int MaxFrameBytes { get; }

    /// <summary>Whole frames returned so far.</summary>
    public long FramesEmitted { get; private set; }

    /// <summary>Frames dropped because they were damaged (including a frame cut off by a new SOI).</summary>
    public long FramesDropped { get; private set; }

    /// <summary>Frames dropped because they exceeded <see cref="MaxFrameBytes"/>.</summary>
    public long OversizedFramesDropped { get; private set; }

    /// <summary>Bytes skipped outside frames (container headers, garbage, the remains of a damaged frame).</summary>
    public long BytesSkipped { get; private set; }

    /// <summary>True while a frame has started but not ended (at the end of a stream: a truncated last frame).</summary>
    public bool HasPartialFrame => _inFrame;

    /// <summary>
    /// Consumes bytes from <paramref name="data"/> until one frame completes or the data is used up. Returns how
    /// many bytes were consumed; <paramref name="frame"/> is the completed frame, or empty. The frame's bytes are
    /// valid only until the next call. Call again with the rest of the data until it is all consumed.
    /// </summary>
    public int Feed(ReadOnlySpan<byte> data, out ReadOnlySpan<byte> frame)
    {
        WipeEmitted();
        frame = default;
        var i = 0;
        while (i < data.Length)
        {
            switch (_state)
            {
                case State.SeekSoi:
                {
                    var ff = data[i..].IndexOf((byte)0xFF);
                    if (ff < 0)
                    {
                        BytesSkipped += data.Length - i;
                        i = data.Length;
                    }
                    else
                    {
                        BytesSkipped += ff;
                        i += ff + 1;
                        _state = State.SeekSoiAfterFf;
                    }

                    break;
                }

                case State.SeekSoiAfterFf:
                {
                    var b = data[i++];
                    if (b == 0xD8)
                    {
                        StartFrame();
                    }
                    else if (b == 0xFF)
                    {
                        BytesSkipped++;
                    }
                    else
                    {
                        BytesSkipped += 2;
                        _state = State.SeekSoi;
                    }

                    break;
                }

                case State.MarkerFf:
                {
                    var b = data[i++];
                    if (b == 0xFF)
                    {
                        Append(b);
                        _state = State.MarkerCode;
                    }
                    else
                    {
                        // A marker must follow a segment; anything else means the frame is damaged.
                        DropFrame(skippedExtra: 1);
                    }

                    break;
                }

                case State.MarkerCode:
                    i++;
                    OnMarker(data[i - 1], inEntropy: false);
                    break;

                case State.LengthHigh:
                    _segmentRemaining = data[i] << 8;
                    Append(data[i++]);
                    _state = State.LengthLow;
                    break;

                case State.LengthLow:
                    _segmentRemaining |= data[i];
                    Append(data[i++]);
                    if (_segmentRemaining < 2)
                    {
                        DropFrame(skippedExtra: 0);
                    }
                    else
                    {
                        _segmentRemaining -= 2;
                        _state = _segmentRemaining == 0 ? AfterSegment() : State.Segment;
                    }

                    break;

                case State.Segment:
                {
                    var take = Math.Min(_segmentRemaining, data.Length - i);
                    Append(data.Slice(i, take));
                    i += take;
                    _segmentRemaining -= take;
                    if (_segmentRemaining == 0)
                    {
                        _state = AfterSegment();
                    }

                    break;
                }

                case State.Entropy:
                {
                    var ff = data[i..].IndexOf((byte)0xFF);
                    var take = ff < 0 ? data.Length - i : ff + 1;
                    Append(data.Slice(i, take));
                    i += take;
                    if (ff >= 0)
                    {
                        _state = State.EntropyAfterFf;
                    }

                    break;
                }

                case State.EntropyAfterFf:
                {
                    var b = data[i++];
                    if (b == 0x00 || b is >= 0xD0 and <= 0xD7)
                    {
                        Append(b);
                        _state = State.Entropy;
                    }
                    else if (b == 0xFF)
                    {
                        Append(b);
                    }
                    else if (b == 0xD9)
                    {
                        Append(b);
                        if (EndFrame(out frame))
                        {
                            return i;
                        }
                    }
                    else
                    {
                        OnMarker(b, inEntropy: true);
                    }

                    break;
                }
            }
        }

        return i;
    }

    /// <summary>Forgets any partial frame (wiping its bytes) and starts looking for the next SOI.</summary>
    public void Reset()
    {
        Array.Clear(_buffer);
        _length = 0;
        _emittedLength = 0;
        _inFrame = false;
        _oversized = false;
        _state = State.SeekSoi;
    }

    /// <summary>Wipes the buffer.</summary>
    public void Dispose()
    {
        Reset();
        _buffer = [];
    }

    /// <summary>
    /// Every whole frame of <paramref name="stream"/>, each as its own array. A truncated last frame is left out.
    /// </summary>
    public static IEnumerable<byte[]> ReadFrames(Stream stream, int maxFrameBytes = DefaultMaxFrameBytes)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var splitter = new MjpegFrameSplitter(maxFrameBytes);
        var chunk = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
            {
                var offset = 0;
                while (offset < read)
                {
                    var frame = splitter.NextFrame(chunk, ref offset, read);
                    if (frame is not null)
                    {
                        yield return frame;
                    }
                }
            }
        }
        finally
        {
            Array.Clear(chunk);
        }
    }

    /// <summary>Feeds <paramref name="chunk"/>[offset..count] until a frame completes; returns a copy of it, or null.</summary>
    internal byte[]? NextFrame(byte[] chunk, ref int offset, int count)
    {
        offset += Feed(chunk.AsSpan(offset, count - offset), out var frame);
        return frame.IsEmpty ? null : frame.ToArray();
    }

    private State AfterSegment() => _marker == 0xDA ? State.Entropy : State.MarkerFf;

    private void OnMarker(byte code, bool inEntropy)
    {
        switch (code)
        {
            case 0xFF:
                // Fill byte before a marker code.
                Append(code);
                _state = State.MarkerCode;
                break;
            case 0xD8:
                // SOI before this frame ended: the frame is damaged; this SOI starts the next one.
                DropFrame(skippedExtra: 0);
                StartFrame();
                break;
            case 0xD9:
                // EOI before any scan (MarkerCode state): nothing decodable.
                Append(code);
                DropFrame(skippedExtra: 0);
                break;
            case 0x00 when !inEntropy:
                DropFrame(skippedExtra: 1);
                break;
            case 0x01:
            case >= 0xD0 and <= 0xD7:
                // Stand-alone markers (TEM, RSTn) have no length.
                Append(code);
                _state = State.MarkerFf;
                break;
            default:
                // Any other marker has a 2-byte big-endian length (including itself). In entropy data this is
                // the next marker after a scan: DHT / SOS of a progressive JPEG, DNL, DRI, COM.
                Append(code);
                _marker = code;
                _state = State.LengthHigh;
                break;
        }
    }

    private void StartFrame()
    {
        _inFrame = true;
        _oversized = false;
        _length = 0;
        EnsureCapacity(2);
        _buffer[0] = 0xFF;
        _buffer[1] = 0xD8;
        _length = 2;
        _state = State.MarkerFf;
    }

    private bool EndFrame(out ReadOnlySpan<byte> frame)
    {
        _inFrame = false;
        _state = State.SeekSoi;
        if (_oversized)
        {
            _oversized = false;
            OversizedFramesDropped++;
            frame = default;
            return false;
        }

        FramesEmitted++;
        _emittedLength = _length;
        frame = _buffer.AsSpan(0, _length);
        _length = 0;
        return true;
    }

    private void DropFrame(int skippedExtra)
    {
        if (_oversized)
        {
            OversizedFramesDropped++;
        }
        else
        {
            FramesDropped++;
            BytesSkipped += _length;
        }

        BytesSkipped += skippedExtra;
        _buffer.AsSpan(0, _length).Clear();
        _length = 0;
        _inFrame = false;
        _oversized = false;
        _state = State.SeekSoi;
    }

    private void WipeEmitted()
    {
        if (_emittedLength > 0)
        {
            _buffer.AsSpan(0, _emittedLength).Clear();
            _emittedLength = 0;
        }
    }

    private void Append(byte value)
    {
        if (_oversized)
        {
            return;
        }

        if (_length == MaxFrameBytes)
        {
            Oversize();
            return;
        }

        EnsureCapacity(_length + 1);
        _buffer[_length++] = value;
    }

    private void Append(ReadOnlySpan<byte> values)
    {
        if (_oversized)
        {
            return;
        }

        if (values.Length > MaxFrameBytes - _length)
        {
            Oversize();
            return;
        }

        EnsureCapacity(_length + values.Length);
        values.CopyTo(_buffer.AsSpan(_length));
        _length += values.Length;
    }

    private void Oversize()
    {
        _oversized = true;
        _buffer.AsSpan(0, _length).Clear();
        _length = 0;
    }

    private void EnsureCapacity(int needed)
    {
        if (_buffer.Length >= needed)
        {
            return;
        }

        var size = Math.Max(Math.Min(InitialBufferBytes, MaxFrameBytes), _buffer.Length);
        while (size < needed)
        {
            size = (int)Math.Min((long)size * 2, MaxFrameBytes);
        }

        var grown = new byte[size];
        _buffer.AsSpan(0, _length).CopyTo(grown);
        Array.Clear(_buffer);
        _buffer = grown;
    }
}
