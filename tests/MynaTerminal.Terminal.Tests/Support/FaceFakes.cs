using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;
using MynaTerminal.Core.Cards;
using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Results;
using MynaTerminal.Core.Session;

namespace MynaTerminal.Terminal.Tests.Support;

/// <summary>Images filled with a non-zero pattern, so that clearing them is observable.</summary>
internal static class Images
{
    public static FaceImage Filled(string? tag = null, byte fill = 0xA5) =>
        new(4, 4, Enumerable.Repeat(fill, 4 * 4 * 3).ToArray()) { SimulationTag = tag };

    public static bool IsCleared(FaceImage image) => image.Bgr.All(b => b == 0);
}

/// <summary>A card reader that only knows the 券面AP; it counts every VERIFY of 照合番号B.</summary>
internal sealed class FakeFacePhotoCard : ICardReader
{
    private readonly ConcurrentQueue<string> _numbers = new();

    public Func<FacePhotoOutcome> Answer { get; set; } = () => new FacePhotoOutcome.Photo(Images.Filled("chip"));

    /// <summary>The digits of every number the card was asked to VERIFY.</summary>
    public IReadOnlyList<string> Numbers => _numbers.ToArray();

    /// <summary>The chip photos handed out (to check they are wiped).</summary>
    public List<FaceImage> Photos { get; } = [];

    public Task<FacePhotoOutcome> ReadFacePhotoAsync(MatchingNumberB number, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _numbers.Enqueue(Encoding.ASCII.GetString(number.ToAscii()));
        var answer = Answer();
        if (answer is FacePhotoOutcome.Photo p)
        {
            lock (Photos)
            {
                Photos.Add(p.Image);
            }
        }

        return Task.FromResult(answer);
    }

    public IAsyncEnumerable<CardPresence> WatchAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<CardReadOutcome> ReadAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<PinOutcome> VerifyPinAsync(Pin pin, CancellationToken cancellationToken) => throw new NotSupportedException("face must never send a PIN");

    public Task<PhoneOutcome> ConfirmOnPhoneAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task ReleaseAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
}

internal sealed class FakeCardFaceCamera : ICardFaceCamera
{
    public bool ReturnsImage { get; set; } = true;

    public FaceImage? Captured { get; private set; }

    public int Captures { get; private set; }

    public Task<FaceImage?> CaptureAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Captures++;
        Captured = ReturnsImage ? Images.Filled("cardface") : null;
        return Task.FromResult(Captured);
    }
}

internal sealed class FakeCardFaceReader : ICardFaceReader
{
    public string? Digits { get; set; } = "60040120300427";

    public int Reads { get; private set; }

    /// <summary>Whether the image still had its pixels while it was being read (it is wiped only afterwards).</summary>
    public bool SawPixels { get; private set; }

    public Task<string?> ReadMatchingNumberAsync(FaceImage cardFace, CancellationToken cancellationToken)
    {
        Reads++;
        SawPixels = !Images.IsCleared(cardFace);
        return Task.FromResult(Digits);
    }
}

/// <summary>
/// A patient camera that yields the given frames (optionally an endless supply of one kind), then either ends
/// or waits, like a real camera, until cancelled.
/// </summary>
internal sealed class FakeFaceCamera : IFaceCamera
{
    private readonly List<FaceImage> _yielded = [];
    private readonly TaskCompletionSource _waiting = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<string> Script { get; set; } = [];

    /// <summary>After the script: null ends the stream; otherwise this tag repeats forever.</summary>
    public string? Repeat { get; set; }

    /// <summary>After the script (and without <see cref="Repeat"/>): wait until cancelled instead of ending.</summary>
    public bool HangAtEnd { get; set; }

    public bool Enumerated { get; private set; }

    /// <summary>Completes once the camera has yielded its script and waits for cancellation.</summary>
    public Task Waiting => _waiting.Task;

    public IReadOnlyList<FaceImage> Yielded
    {
        get { lock (_yielded) { return _yielded.ToArray(); } }
    }

    public async IAsyncEnumerable<FaceImage> FramesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Enumerated = true;
        foreach (var tag in Script)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return Record(Images.Filled(tag));
        }

        while (Repeat is { } repeat)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Yield();
            yield return Record(Images.Filled(repeat));
        }

        if (HangAtEnd)
        {
            _waiting.TrySetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
        }
    }

    private FaceImage Record(FaceImage frame)
    {
        lock (_yielded)
        {
            _yielded.Add(frame);
        }

        return frame;
    }
}

/// <summary>
/// A face engine whose verdict per frame is looked up by the frame's tag: "live:0.6" (live face, similarity 0.6),
/// "spoof:0.8" (not live), "noface" or "hint:TooDark" (no usable face, with that hint), "low:TooFar" (live but
/// below any threshold, with a hint), "livehint:SeveralFaces" (a live match at 0.7 that still carries advice).
/// </summary>
internal sealed class FakeFaceVerifier : IFaceVerifier
{
    public bool UsableReference { get; set; } = true;

    public Exception? EnrolThrows { get; set; }

    public FakeReference? Reference { get; private set; }

    /// <summary>Whether the chip photo still had its pixels during enrolment.</summary>
    public bool SawChipPixels { get; private set; }

    public IFaceReference Enrol(FaceImage chipPhoto)
    {
        SawChipPixels = !Images.IsCleared(chipPhoto);
        if (EnrolThrows is { } ex)
        {
            throw ex;
        }

        Reference = new FakeReference(UsableReference);
        return Reference;
    }

    internal sealed class FakeReference(bool usable) : IFaceReference
    {
        private int _compared;
        private int _framesWithPixels;

        public bool IsUsable => usable;

        public bool Disposed { get; private set; }

        public int Compared => Volatile.Read(ref _compared);

        /// <summary>Frames that still had their pixels when compared (all of them should).</summary>
        public int FramesWithPixels => Volatile.Read(ref _framesWithPixels);

        public FaceComparison Compare(FaceImage liveFrame)
        {
            ObjectDisposedException.ThrowIf(Disposed, this);
            Interlocked.Increment(ref _compared);
            if (!Images.IsCleared(liveFrame))
            {
                Interlocked.Increment(ref _framesWithPixels);
            }

            var tag = liveFrame.SimulationTag ?? "noface";
            var colon = tag.IndexOf(':');
            var kind = colon < 0 ? tag : tag[..colon];
            var arg = colon < 0 ? string.Empty : tag[(colon + 1)..];
            return kind switch
            {
                "live" => new FaceComparison(float.Parse(arg, System.Globalization.CultureInfo.InvariantCulture), true, FaceHint.None),
                "spoof" => new FaceComparison(float.Parse(arg, System.Globalization.CultureInfo.InvariantCulture), false, FaceHint.None),
                "noface" => new FaceComparison(null, false, FaceHint.None),
                "hint" => new FaceComparison(null, false, Enum.Parse<FaceHint>(arg)),
                "low" => new FaceComparison(0.05f, true, Enum.Parse<FaceHint>(arg)),
                "livehint" => new FaceComparison(0.7f, true, Enum.Parse<FaceHint>(arg)),
                _ => throw new ArgumentException($"unknown test frame '{tag}'"),
            };
        }

        public void Dispose() => Disposed = true;
    }
}
