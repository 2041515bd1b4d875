using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Results;
using MynaTerminal.Face;
using MynaTerminal.Terminal.Tests.Support;

namespace MynaTerminal.Terminal.Tests;

/// <summary>
/// One face attempt: card face → 照合番号B (validated before any VERIFY) → chip photo → live frames; and every
/// image and the reference wiped whatever the outcome.
/// </summary>
public sealed class FaceAuthenticatorTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(10);

    private readonly FakeFacePhotoCard _card = new();
    private readonly FakeCardFaceCamera _cardFaceCamera = new();
    private readonly FakeCardFaceReader _cardFaceReader = new();
    private readonly FakeFaceCamera _camera = new();
    private readonly FakeFaceVerifier _verifier = new();
    private readonly List<FaceHint> _progress = [];
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2025, 6, 15, 0, 0, 0, TimeSpan.Zero));

    private readonly FaceOptions _options = new()
    {
        AttemptDuration = TimeSpan.FromHours(1), // never reached in real time: only the fake clock ends an attempt
        MaxFrames = 30,
        MatchThreshold = 0.363,
        HighBandThreshold = 0.55,
        RequiredLiveMatches = 2,
        SpoofFramesToReject = 5,
    };

    private FaceAuthenticator Create() =>
        new(_card, _cardFaceCamera, _cardFaceReader, _camera, _verifier, Options.Create(_options), _clock);

    private Task<FaceOutcome> RunAsync(CancellationToken? cancellationToken = null) =>
        Create().AuthenticateAsync(h => { lock (_progress) { _progress.Add(h); } }, cancellationToken ?? TestContext.Current.CancellationToken);

    /// <summary>Everything the attempt touched is wiped: card face, chip photo, every frame; the reference is disposed.</summary>
    private void AssertWiped()
    {
        if (_cardFaceCamera.Captured is { } cardFace)
        {
            Assert.True(Images.IsCleared(cardFace), "card-face image not cleared");
        }

        Assert.All(_card.Photos, p => Assert.True(Images.IsCleared(p), "chip photo not cleared"));
        Assert.All(_camera.Yielded, f => Assert.True(Images.IsCleared(f), "live frame not cleared"));
        if (_verifier.Reference is { } reference)
        {
            Assert.True(reference.Disposed, "face reference not disposed");
            // Frames were wiped only after the comparison, not before it.
            Assert.Equal(reference.Compared, reference.FramesWithPixels);
        }
    }

    // ---- 照合番号B ----------------------------------------------------------------------------------

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("8504012030042")] // 13 digits
    [InlineData("85O40120300427")] // OCR read a letter O
    [InlineData("85130120300427")] // month 13
    [InlineData("85023020300427")] // 30 February
    [InlineData("85040120140427")] // expiry 2014
    [InlineData("85040120370427")] // expiry today + 12
    public async Task A_number_that_fails_validation_never_spends_a_VERIFY(string? ocr)
    {
        _cardFaceReader.Digits = ocr;

        var outcome = await RunAsync();

        Assert.IsType<FaceOutcome.CardFaceUnreadable>(outcome);
        Assert.Empty(_card.Numbers);
        Assert.False(_camera.Enumerated);
        Assert.Null(_verifier.Reference);
        Assert.True(_cardFaceReader.SawPixels);
        AssertWiped();
    }

    [Fact]
    public async Task No_card_face_image_is_unreadable_without_OCR_or_VERIFY()
    {
        _cardFaceCamera.ReturnsImage = false;

        var outcome = await RunAsync();

        Assert.IsType<FaceOutcome.CardFaceUnreadable>(outcome);
        Assert.Equal(0, _cardFaceReader.Reads);
        Assert.Empty(_card.Numbers);
    }

    [Fact]
    public async Task A_refused_number_is_rejected_after_exactly_one_VERIFY()
    {
        _card.Answer = () => new FacePhotoOutcome.Rejected(7);

        var outcome = await RunAsync();

        var rejected = Assert.IsType<FaceOutcome.CardFaceRejected>(outcome);
        Assert.Contains("7", rejected.Detail, StringComparison.Ordinal);
        Assert.Equal(["60040120300427"], _card.Numbers);
        Assert.False(_camera.Enumerated);
        Assert.Null(_verifier.Reference);
        AssertWiped();
    }

    [Fact]
    public async Task A_failed_face_photo_read_is_rejected_with_its_detail()
    {
        _card.Answer = () => new FacePhotoOutcome.Failed("broken 券面 data");

        var outcome = await RunAsync();

        Assert.Equal("broken 券面 data", Assert.IsType<FaceOutcome.CardFaceRejected>(outcome).Detail);
        Assert.Single(_card.Numbers);
    }

    [Fact]
    public async Task A_chip_photo_without_a_face_is_rejected_and_still_wiped()
    {
        _verifier.UsableReference = false;
        _camera.Script = ["live:0.9", "live:0.9"];

        var outcome = await RunAsync();

        Assert.IsType<FaceOutcome.CardFaceRejected>(outcome);
        Assert.False(_camera.Enumerated);
        Assert.True(_verifier.SawChipPixels);
        AssertWiped();
    }

    [Fact]
    public async Task The_chip_photo_is_wiped_even_when_the_face_engine_throws()
    {
        _verifier.EnrolThrows = new InvalidOperationException("engine fault");

        await Assert.ThrowsAsync<InvalidOperationException>(() => RunAsync());

        Assert.Single(_card.Photos);
        Assert.True(_verifier.SawChipPixels);
        AssertWiped();
    }

    // ---- live frames --------------------------------------------------------------------------------

    [Theory]
    [InlineData(new[] { "live:0.80", "live:0.70" }, FaceScoreBand.High, 2)]
    [InlineData(new[] { "live:0.40", "live:0.45" }, FaceScoreBand.Medium, 2)]
    [InlineData(new[] { "live:0.40", "live:0.55" }, FaceScoreBand.High, 2)] // the best frame sets the band; 0.55 is High
    [InlineData(new[] { "live:0.363", "live:0.5499" }, FaceScoreBand.Medium, 2)] // the threshold itself matches
    [InlineData(new[] { "live:0.90", "low:TooFar", "live:0.20", "noface", "live:0.40", "live:0.99" }, FaceScoreBand.High, 5)]
    public async Task Live_matching_frames_match_with_the_band_of_the_best(string[] frames, FaceScoreBand band, int comparedFrames)
    {
        _camera.Script = frames;

        var outcome = await RunAsync();

        Assert.Equal(new FaceOutcome.Matched(band, LivenessPassed: true), outcome);
        Assert.Equal(comparedFrames, _verifier.Reference!.Compared);
        Assert.Single(_card.Numbers);
        AssertWiped();
    }

    [Fact]
    public async Task Non_live_frames_end_the_attempt_as_a_suspected_spoof()
    {
        _camera.Script = ["spoof:0.9", "live:0.9", "spoof:0.9", "spoof:0.1", "spoof:0.9", "spoof:0.9", "live:0.9"];

        var outcome = await RunAsync();

        Assert.IsType<FaceOutcome.SpoofSuspected>(outcome);
        Assert.Equal(6, _verifier.Reference!.Compared); // five non-live frames; the last live frame is never looked at
        AssertWiped();
    }

    [Fact]
    public async Task Fewer_non_live_frames_than_the_limit_are_not_a_spoof()
    {
        _camera.Script = ["spoof:0.9", "spoof:0.9", "spoof:0.9", "spoof:0.9"];

        var outcome = await RunAsync();

        Assert.IsType<FaceOutcome.NotMatched>(outcome);
        AssertWiped();
    }

    [Fact]
    public async Task No_face_in_front_of_the_camera_is_not_matched_with_the_NoFace_hint()
    {
        _camera.Script = ["noface", "noface", "noface"];

        var outcome = await RunAsync();

        Assert.Equal(new FaceOutcome.NotMatched(FaceHint.NoFace), outcome);
        Assert.Equal([FaceHint.NoFace, FaceHint.NoFace, FaceHint.NoFace], _progress);
        AssertWiped();
    }

    [Fact]
    public async Task The_last_hint_is_reported_as_progress_and_returned()
    {
        _camera.Script = ["hint:TooDark", "low:TooFar", "live:0.1"];

        var outcome = await RunAsync();

        Assert.Equal(new FaceOutcome.NotMatched(FaceHint.TooFar), outcome);
        Assert.Equal([FaceHint.TooDark, FaceHint.TooFar], _progress);
    }

    [Fact]
    public async Task Advice_on_usable_frames_is_shown_while_they_still_count()
    {
        // Several faces: the engine compared the largest and says so; the match still counts.
        _camera.Script = ["livehint:SeveralFaces", "livehint:OffCentre"];

        var outcome = await RunAsync();

        Assert.Equal(new FaceOutcome.Matched(FaceScoreBand.High, true), outcome);
        Assert.Equal([FaceHint.SeveralFaces, FaceHint.OffCentre], _progress);
        AssertWiped();
    }

    [Fact]
    public async Task The_face_screen_gets_mirrored_thumbnails_that_are_wiped_when_the_attempt_ends()
    {
        _camera.Script = ["noface", "live:0.7", "live:0.7"];
        var feed = new FacePreviewFeed();
        var previews = new List<FacePreview?>();
        var pixels = new List<byte[]>();
        feed.Changed += p =>
        {
            previews.Add(p);
            pixels.Add(p?.Bgr.ToArray() ?? []);
        };
        var authenticator = new FaceAuthenticator(_card, _cardFaceCamera, _cardFaceReader, _camera, _verifier, Options.Create(_options), _clock, preview: feed);

        var outcome = await authenticator.AuthenticateAsync(_ => { }, TestContext.Current.CancellationToken);

        Assert.IsType<FaceOutcome.Matched>(outcome);

        // The fake clock does not move: one thumbnail per preview interval, then "no preview" at the end.
        Assert.Equal(2, previews.Count);
        var first = previews[0]!;
        Assert.Equal((FacePreviewBuilder.Width, FacePreviewBuilder.Height), (first.Width, first.Height));
        Assert.Contains(pixels[0], b => b != 0); // it showed the camera picture (test frames are filled with 0xA5)
        Assert.Null(previews[1]);
        Assert.All(first.Bgr.ToArray(), b => Assert.Equal(0, b)); // the thumbnail buffer was wiped
        AssertWiped();
    }

    [Fact]
    public async Task The_log_carries_the_outcome_and_band_never_a_score()
    {
        _camera.Script = ["live:0.71234", "live:0.65678"];
        var log = new RecordingLogger<FaceAuthenticator>();
        var authenticator = new FaceAuthenticator(_card, _cardFaceCamera, _cardFaceReader, _camera, _verifier, Options.Create(_options), _clock, log);

        await authenticator.AuthenticateAsync(_ => { }, TestContext.Current.CancellationToken);

        var line = Assert.Single(log.Messages);
        Assert.Contains("matched", line);
        Assert.Contains("High", line);
        Assert.DoesNotContain("0.7", line);
        Assert.DoesNotContain("0.6", line);
    }

    [Fact]
    public async Task MaxFrames_ends_an_endless_stream_as_not_matched()
    {
        _options.MaxFrames = 5;
        _camera.Repeat = "live:0.1";

        var outcome = await RunAsync().WaitAsync(Generous, TestContext.Current.CancellationToken);

        Assert.IsType<FaceOutcome.NotMatched>(outcome);
        Assert.Equal(5, _verifier.Reference!.Compared);
        AssertWiped();
    }

    [Fact]
    public async Task The_time_limit_on_the_clock_ends_the_attempt_as_not_matched()
    {
        // Longer than the real-time wait below: only the injected clock can end the attempt in time.
        _options.AttemptDuration = TimeSpan.FromMinutes(1);
        _camera.Script = ["noface"];
        _camera.HangAtEnd = true;

        var attempt = RunAsync();
        await _camera.Waiting.WaitAsync(Generous, TestContext.Current.CancellationToken);
        _clock.Advance(TimeSpan.FromSeconds(59));
        Assert.False(attempt.IsCompleted, "the attempt ended before its time was up");
        _clock.Advance(TimeSpan.FromSeconds(1));
        var outcome = await attempt.WaitAsync(Generous, TestContext.Current.CancellationToken);

        Assert.Equal(new FaceOutcome.NotMatched(FaceHint.NoFace), outcome);
        AssertWiped();
    }

    [Fact]
    public async Task Caller_cancellation_propagates_and_still_wipes_everything()
    {
        _camera.Script = ["noface", "live:0.9"];
        _camera.HangAtEnd = true;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        var attempt = RunAsync(cts.Token);
        await _camera.Waiting.WaitAsync(Generous, TestContext.Current.CancellationToken);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => attempt.WaitAsync(Generous, TestContext.Current.CancellationToken));
        Assert.Single(_card.Numbers);
        AssertWiped();
    }

    [Fact]
    public async Task A_cancelled_caller_spends_no_VERIFY()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => RunAsync(cts.Token));

        Assert.Empty(_card.Numbers);
    }
}

/// <summary>Collects formatted log messages.</summary>
internal sealed class RecordingLogger<T> : Microsoft.Extensions.Logging.ILogger<T>
{
    public List<string> Messages { get; } = [];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

    public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Messages.Add(formatter(state, exception));
}
