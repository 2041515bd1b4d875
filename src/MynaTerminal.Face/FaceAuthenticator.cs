using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Results;

namespace MynaTerminal.Face;

/// <summary>
/// One face-authentication attempt, in the order DESIGN.md §1 requires: read 照合番号B from the card face,
/// validate it BEFORE any VERIFY (a wrong VERIFY spends one of the 券面AP's tries), VERIFY once and read the
/// chip photo, then compare live frames with it (best of N within a time limit, with liveness).
/// The chip photo, the frames and the reference embedding are wiped when the attempt ends. The log carries the
/// outcome, frame counts and a score band — never an image, an embedding or a raw score.
/// </summary>
public sealed class FaceAuthenticator(
    ICardReader card,
    ICardFaceCamera cardFaceCamera,
    ICardFaceReader cardFaceReader,
    IFaceCamera faceCamera,
    IFaceVerifier verifier,
    IOptions<FaceOptions> options,
    TimeProvider clock,
    ILogger<FaceAuthenticator>? logger = null,
    FacePreviewFeed? preview = null)
{
    /// <summary>Live thumbnails at most this often (the panel need not redraw at the camera's rate).</summary>
    public static readonly TimeSpan PreviewInterval = TimeSpan.FromMilliseconds(200);

    private readonly FaceOptions _options = options.Value;
    private readonly ILogger _logger = logger ?? NullLogger<FaceAuthenticator>.Instance;

    public async Task<FaceOutcome> AuthenticateAsync(Action<FaceHint> progress, CancellationToken cancellationToken)
    {
        var outcome = await AttemptAsync(progress, cancellationToken);
        switch (outcome)
        {
            case FaceOutcome.Matched m:
                _logger.LogInformation("Face attempt: matched, score band {Band}, liveness passed", m.Band);
                break;
            case FaceOutcome.NotMatched n:
                _logger.LogInformation("Face attempt: not matched (last hint {Hint})", n.Hint);
                break;
            default:
                _logger.LogInformation("Face attempt: {Outcome}", outcome.GetType().Name);
                break;
        }

        return outcome;
    }

    private async Task<FaceOutcome> AttemptAsync(Action<FaceHint> progress, CancellationToken cancellationToken)
    {
        var cardFace = await cardFaceCamera.CaptureAsync(cancellationToken);
        if (cardFace is null)
        {
            return new FaceOutcome.CardFaceUnreadable();
        }

        string? digits;
        try
        {
            digits = await cardFaceReader.ReadMatchingNumberAsync(cardFace, cancellationToken);
        }
        finally
        {
            cardFace.Clear();
        }

        if (digits is null || !MatchingNumberB.TryCreate(digits, clock.GetUtcNow(), out var number))
        {
            return new FaceOutcome.CardFaceUnreadable();
        }

        var photo = await card.ReadFacePhotoAsync(number!, cancellationToken);
        switch (photo)
        {
            case FacePhotoOutcome.Rejected r:
                return new FaceOutcome.CardFaceRejected(r.TriesLeft is { } n ? $"matching number refused, {n} tries left" : "matching number refused");
            case FacePhotoOutcome.Failed f:
                return new FaceOutcome.CardFaceRejected(f.Detail);
        }

        var chipPhoto = ((FacePhotoOutcome.Photo)photo).Image;
        IFaceReference reference;
        try
        {
            reference = verifier.Enrol(chipPhoto);
        }
        finally
        {
            // Wiped even when the engine throws: the chip photo must not outlive the attempt.
            chipPhoto.Clear();
        }

        using (reference)
        {
            if (!reference.IsUsable)
            {
                return new FaceOutcome.CardFaceRejected("no face found in the chip photo");
            }

            return await MatchLiveFramesAsync(reference, progress, cancellationToken);
        }
    }

    private async Task<FaceOutcome> MatchLiveFramesAsync(IFaceReference reference, Action<FaceHint> progress, CancellationToken cancellationToken)
    {
        // The time limit runs on the injected clock (as everything else here does), not on the system timer.
        using var timeUp = new CancellationTokenSource(_options.AttemptDuration, clock);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeUp.Token);
        var best = 0.0;
        var liveMatches = 0;
        var spoofFrames = 0;
        var frames = 0;
        var lastHint = FaceHint.None;
        var thumbnail = preview is null ? null : FacePreviewBuilder.NewBuffer();
        var lastPreview = DateTimeOffset.MinValue;
        try
        {
            await foreach (var frame in faceCamera.FramesAsync(limit.Token))
            {
                FaceComparison comparison;
                try
                {
                    comparison = reference.Compare(frame);
                    if (thumbnail is not null && clock.GetUtcNow() - lastPreview >= PreviewInterval)
                    {
                        lastPreview = clock.GetUtcNow();
                        preview!.Show(FacePreviewBuilder.Build(frame, comparison.Face, thumbnail));
                    }
                }
                finally
                {
                    frame.Clear();
                }

                frames++;
                if (comparison.Hint != FaceHint.None || comparison.Similarity is null)
                {
                    // Guidance as it happens: unusable frames, and usable ones with advice (several faces, off-centre).
                    lastHint = comparison.Hint == FaceHint.None ? FaceHint.NoFace : comparison.Hint;
                    progress(lastHint);
                }

                if (comparison.Similarity is { } similarity)
                {
                    if (!comparison.Live)
                    {
                        if (++spoofFrames >= _options.SpoofFramesToReject)
                        {
                            return new FaceOutcome.SpoofSuspected();
                        }
                    }
                    else if (similarity >= _options.MatchThreshold)
                    {
                        best = Math.Max(best, similarity);
                        if (++liveMatches >= _options.RequiredLiveMatches)
                        {
                            var band = best >= _options.HighBandThreshold ? FaceScoreBand.High : FaceScoreBand.Medium;
                            return new FaceOutcome.Matched(band, LivenessPassed: true);
                        }
                    }
                }

                if (frames >= _options.MaxFrames)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The attempt's time is up: an ordinary "not matched".
        }
        finally
        {
            if (thumbnail is not null)
            {
                preview!.Show(null);
                Array.Clear(thumbnail);
            }
        }

        return new FaceOutcome.NotMatched(lastHint);
    }
}
