using MynaTerminal.Cameras.Imaging;
using MynaTerminal.Cameras.Mjpeg;

namespace MynaTerminal.Cameras.Tests;

public sealed class MjpegFrameSplitterTests
{
    [Fact]
    public void Concatenated_frames_split_exactly()
    {
        var frames = TestImages.NumberedFrames(3);

        var (split, splitter) = Split(Concat(frames), chunk: int.MaxValue);

        Assert.Equal(frames, split);
        Assert.Equal(3, splitter.FramesEmitted);
        Assert.Equal(0, splitter.BytesSkipped);
        Assert.False(splitter.HasPartialFrame);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(4096)]
    public void Read_boundaries_do_not_matter(int chunk)
    {
        var frames = TestImages.NumberedFrames(4);

        var (split, _) = Split(Concat(frames), chunk);

        Assert.Equal(frames, split);
    }

    [Fact]
    public void Random_read_boundaries_do_not_matter()
    {
        var frames = TestImages.NumberedFrames(6);
        var stream = Concat(frames);
        var random = new Random(42);
        for (var round = 0; round < 50; round++)
        {
            using var splitter = new MjpegFrameSplitter();
            var split = new List<byte[]>();
            var position = 0;
            while (position < stream.Length)
            {
                var n = Math.Min(random.Next(1, 300), stream.Length - position);
                split.AddRange(FeedAll(splitter, stream.AsSpan(position, n)));
                position += n;
            }

            Assert.Equal(frames, split);
        }
    }

    [Fact]
    public void Garbage_before_between_and_after_frames_is_skipped()
    {
        var frames = TestImages.NumberedFrames(3);
        byte[] garbage1 = [0x00, 0xFF, 0xFF, 0x12, 0xFF, 0xD9, 0xFF];
        byte[] falseSoi = [0xFF, 0xD8, 0x00, 0x55, 0xFF, 0xD8, 0xFF, 0x00]; // SOI, then no marker: resync
        byte[] garbage3 = [0xFF, 0xD9, 0xFF];
        var stream = Concat([garbage1, frames[0], falseSoi, frames[1], "RIFF-ish 00dc"u8.ToArray(), frames[2], garbage3]);

        foreach (var chunk in new[] { 1, 5, int.MaxValue })
        {
            var (split, splitter) = Split(stream, chunk);

            Assert.Equal(frames, split);
            Assert.Equal(2, splitter.FramesDropped);
            Assert.True(splitter.BytesSkipped >= garbage1.Length + garbage3.Length);
        }
    }

    [Fact]
    public void A_new_soi_inside_a_frame_drops_the_damaged_frame_and_starts_over()
    {
        var frames = TestImages.NumberedFrames(2);
        var cut = frames[0][..^3]; // cut inside the entropy-coded data (a cut inside a header segment would let that
                                   // segment's length swallow the start of the next frame)

        var (split, splitter) = Split(Concat([cut, frames[1]]), chunk: 13);

        Assert.Equal([frames[1]], split);
        Assert.Equal(1, splitter.FramesDropped);
    }

    [Fact]
    public void A_truncated_last_frame_is_not_emitted()
    {
        var frames = TestImages.NumberedFrames(3);
        var stream = Concat([frames[0], frames[1], frames[2][..^1]]);

        var (split, splitter) = Split(stream, chunk: 100);

        Assert.Equal(frames[..2], split);
        Assert.True(splitter.HasPartialFrame);
    }

    [Fact]
    public void An_oversized_frame_is_dropped_and_the_next_one_still_arrives()
    {
        var small = TestImages.NumberedFrames(2);
        var big = TestImages.Jpeg(NoisyImage(256, 256));
        Assert.True(big.Length > 8192 && small.All(f => f.Length < 8192));
        var stream = Concat([small[0], big, small[1]]);

        foreach (var chunk in new[] { 1, 1000, int.MaxValue })
        {
            var (split, splitter) = Split(stream, chunk, maxFrameBytes: 8192);

            Assert.Equal(small, split);
            Assert.Equal(1, splitter.OversizedFramesDropped);
            Assert.Equal(2, splitter.FramesEmitted);
        }
    }

    [Fact]
    public void An_endless_frame_never_grows_the_buffer_past_the_limit()
    {
        using var splitter = new MjpegFrameSplitter(maxFrameBytes: 4096);
        var header = SyntheticFrame(entropy: [])[..^2]; // SOI … SOS, no EOI
        Assert.Empty(FeedAll(splitter, header));
        var noise = new byte[100_000];
        new Random(5).NextBytes(noise);
        for (var i = 0; i < noise.Length; i++)
        {
            if (noise[i] == 0xFF)
            {
                noise[i] = 0xFE; // entropy data without markers: the frame never ends
            }
        }

        Assert.Empty(FeedAll(splitter, noise));
        Assert.True(splitter.HasPartialFrame);

        var next = TestImages.NumberedFrames(1)[0];
        Assert.Equal([next], FeedAll(splitter, [0xFF, 0xD9, .. next]));
        Assert.Equal(1, splitter.OversizedFramesDropped);
    }

    [Fact]
    public void Eoi_inside_a_segment_stuffing_and_restart_markers_do_not_end_a_frame()
    {
        // A COM segment holding FF D9 (like an EXIF thumbnail's end), then entropy data with FF 00 stuffing,
        // restart markers FF D0 and FF D7, and FF fill bytes before EOI.
        var frame = SyntheticFrame(
            comment: [0xFF, 0xD9, 0xFF, 0xD8, 0x00],
            entropy: [0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56, 0xFF, 0x00, 0xFF, 0xD7, 0x78, 0xFF, 0xFF]);

        foreach (var chunk in new[] { 1, 2, int.MaxValue })
        {
            var (split, _) = Split(Concat([frame, frame]), chunk);

            Assert.Equal([frame, frame], split);
        }
    }

    [Fact]
    public void Progressive_frames_with_tables_between_scans_split_exactly()
    {
        using var codec = new JpegCodec();
        var frames = Enumerable.Range(0, 3)
            .Select(i => codec.EncodeBgr(TestImages.Solid(48, 32, TestImages.FrameColour(i)), 90, JpegSubsampling.Yuv420, progressive: true))
            .ToArray();

        var (split, _) = Split(Concat(frames), chunk: 17);

        Assert.Equal(frames, split);
        Assert.Equal([0, 1, 2], split.Select(f => TestImages.FrameNumber(codec.DecodeBgr(f))));
    }

    [Fact]
    public void Frames_inside_an_mjpeg_avi_come_out_exactly()
    {
        var frames = TestImages.NumberedFrames(5, 33, 21); // odd sizes give odd chunk lengths and RIFF padding
        var avi = TestImages.Avi(frames, 33, 21);

        using var stream = new MemoryStream(avi);
        var split = MjpegFrameSplitter.ReadFrames(stream).ToList();

        Assert.Equal(frames, split);
        Assert.Equal([0, 1, 2, 3, 4], split.Select(f => TestImages.FrameNumber(Jpeg.DecodeBgr(f))));
    }

    [Fact]
    public void A_returned_frame_is_wiped_by_the_next_call_and_by_dispose()
    {
        var frames = TestImages.NumberedFrames(2);
        var splitter = new MjpegFrameSplitter();
        var stream = Concat(frames);

        var consumed = splitter.Feed(stream, out var first);
        Assert.Equal(frames[0], first.ToArray());
        var buffer = GetBuffer(splitter);
        Assert.Equal(frames[0], buffer[..frames[0].Length]);

        splitter.Feed(stream.AsSpan(consumed, 10), out _);
        Assert.DoesNotContain(buffer.AsSpan(10, frames[0].Length - 10).ToArray(), b => b != 0);

        splitter.Dispose();
        Assert.All(buffer, b => Assert.Equal(0, b));
    }

    [Fact]
    public void Reset_forgets_a_partial_frame()
    {
        var frames = TestImages.NumberedFrames(2);
        using var splitter = new MjpegFrameSplitter();
        FeedAll(splitter, frames[0][..50]);
        Assert.True(splitter.HasPartialFrame);

        splitter.Reset();

        Assert.False(splitter.HasPartialFrame);
        Assert.Equal([frames[1]], FeedAll(splitter, frames[1]));
    }

    private static (List<byte[]> Frames, MjpegFrameSplitter Splitter) Split(byte[] stream, int chunk, int maxFrameBytes = MjpegFrameSplitter.DefaultMaxFrameBytes)
    {
        var splitter = new MjpegFrameSplitter(maxFrameBytes);
        var frames = new List<byte[]>();
        for (var position = 0; position < stream.Length; position += chunk)
        {
            frames.AddRange(FeedAll(splitter, stream.AsSpan(position, Math.Min(chunk, stream.Length - position))));
        }

        return (frames, splitter);
    }

    private static List<byte[]> FeedAll(MjpegFrameSplitter splitter, ReadOnlySpan<byte> data)
    {
        var frames = new List<byte[]>();
        while (!data.IsEmpty)
        {
            var consumed = splitter.Feed(data, out var frame);
            Assert.InRange(consumed, 1, data.Length);
            if (!frame.IsEmpty)
            {
                frames.Add(frame.ToArray());
            }

            data = data[consumed..];
        }

        return frames;
    }

    private static byte[] Concat(IEnumerable<byte[]> parts) => parts.SelectMany(p => p).ToArray();

    private static byte[] GetBuffer(MjpegFrameSplitter splitter) =>
        (byte[])typeof(MjpegFrameSplitter).GetField("_buffer", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(splitter)!;

    /// <summary>SOI, COM segment, DQT-like segment, SOS (length 8), entropy bytes, EOI — the structure only.</summary>
    private static byte[] SyntheticFrame(byte[]? comment = null, byte[]? entropy = null)
    {
        comment ??= "x"u8.ToArray();
        var bytes = new List<byte> { 0xFF, 0xD8 };
        bytes.AddRange([0xFF, 0xFE, (byte)((comment.Length + 2) >> 8), (byte)(comment.Length + 2)]);
        bytes.AddRange(comment);
        bytes.AddRange([0xFF, 0xDB, 0x00, 0x04, 0xAB, 0xCD]);
        bytes.AddRange([0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00]);
        bytes.AddRange(entropy ?? [0x11, 0x22]);
        bytes.AddRange([0xFF, 0xD9]);
        return [.. bytes];
    }

    private static Core.Devices.FaceImage NoisyImage(int width, int height)
    {
        var image = new Core.Devices.FaceImage(width, height, new byte[width * height * 3]);
        new Random(9).NextBytes(image.Bgr);
        return image;
    }
}
