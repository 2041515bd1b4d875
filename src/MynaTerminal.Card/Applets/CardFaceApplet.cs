using MynaTerminal.Card.Apdu;
using MynaTerminal.Card.Data;
using MynaTerminal.Core.Devices;

namespace MynaTerminal.Card.Applets;

/// <summary>What the 券面AP gave for a 照合番号B.</summary>
public abstract record CardFaceRead
{
    private CardFaceRead() { }

    /// <summary>EF 0002, parsed, with its signature verified up to a trust anchor.</summary>
    public sealed record Read(CardFaceRecord Record) : CardFaceRead;

    /// <summary>The counter was below the configured minimum: no VERIFY was sent.</summary>
    public sealed record TooFewTries(int TriesLeft) : CardFaceRead;

    /// <summary>The card refused the number (63 Cx with x ≥ 1 left).</summary>
    public sealed record Rejected(int TriesLeft) : CardFaceRead;

    /// <summary>The key is locked (63 C0 / 69 84), before or because of this VERIFY.</summary>
    public sealed record Blocked : CardFaceRead;

    /// <summary>The credential has no 券面AP (a phone, or a card without one).</summary>
    public sealed record NotPresent : CardFaceRead;
}

/// <summary>
/// The 券面事項確認AP (券面AP, card-protocol.md §4): reads the 照合番号B counter first (free), refuses when fewer than
/// the configured minimum tries are left without VERIFYing, checks the application's CV certificate (EF 0004, free)
/// against the trust anchors before spending a try, VERIFYs 照合番号B once, reads EF 0002 by its length and verifies
/// its signature. EF 0005 and 照合番号A are out of reach (the <see cref="ApduGuard"/> refuses them).
/// </summary>
public sealed class CardFaceApplet
{
    private readonly ApduGuard _guard;
    private readonly CardFaceTrustAnchors? _anchors;
    private readonly int _minimumTries;

    public CardFaceApplet(ApduGuard guard, CardFaceTrustAnchors? anchors, int minimumTries)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minimumTries, 1);
        _guard = guard ?? throw new ArgumentNullException(nameof(guard));
        _anchors = anchors;
        _minimumTries = minimumTries;
    }

    /// <summary>A sanity limit for EF 0002 (the record with the JPEG 2000 photo).</summary>
    public const int MaxRecordLength = 32 * 1024;

    /// <summary>SELECT the 券面AP. False: the credential has none.</summary>
    public ValueTask<CardResult<bool>> SelectAsync(CancellationToken cancellationToken) =>
        CardIo.SelectApplicationAsync(_guard, CardApplication.CardFace, retryInternalError: false, cancellationToken);

    /// <summary>The 照合番号B counter (EF 0012) via the empty VERIFY <c>00 20 00 92</c>; 0 = blocked.</summary>
    public ValueTask<CardResult<int>> ReadTriesLeftAsync(CancellationToken cancellationToken) =>
        MatchingNumberCheck.ReadTriesLeftAsync(_guard, CardConstants.CardFace.MatchingNumberB, "照合番号B counter (empty VERIFY of EF 0012)", cancellationToken);

    /// <summary>The whole face path on the card; spends at most one VERIFY.</summary>
    public async ValueTask<CardResult<CardFaceRead>> ReadRecordAsync(MatchingNumberB number, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(number);
        if (_anchors is null)
        {
            return new CardFault(CardFaultKind.Configuration, "no 券面 trust anchor is configured (Card:CardFaceTrustAnchorPath)");
        }

        if (_guard.Application != CardApplication.CardFace)
        {
            var select = await SelectAsync(cancellationToken).ConfigureAwait(false);
            if (!select.IsOk)
            {
                return select.Fault!;
            }

            if (!select.Value)
            {
                return CardResult<CardFaceRead>.Ok(new CardFaceRead.NotPresent());
            }
        }

        var tries = await ReadTriesLeftAsync(cancellationToken).ConfigureAwait(false);
        if (!tries.IsOk)
        {
            return tries.Fault!;
        }

        if (tries.Value == 0)
        {
            return CardResult<CardFaceRead>.Ok(new CardFaceRead.Blocked());
        }

        if (tries.Value < _minimumTries)
        {
            return CardResult<CardFaceRead>.Ok(new CardFaceRead.TooFewTries(tries.Value));
        }

        // The application certificate is free: check the chain before a try is spent.
        var cvRead = await CardIo.ReadTlvFileAsync(_guard, CardConstants.CardFace.CvCertificate, 4096, "READ 券面AP certificate (EF 0004)", cancellationToken).ConfigureAwait(false);
        if (!cvRead.IsOk)
        {
            return cvRead.Fault!;
        }

        if (!CvCertificate.TryParse(cvRead.Value, out var applicationCertificate, out var cvError))
        {
            return new CardFault(CardFaultKind.BadData, cvError);
        }

        if (!applicationCertificate.IsSignedBy(_anchors))
        {
            return new CardFault(CardFaultKind.BadData, "the 券面AP certificate (EF 0004) is not signed by a trusted anchor");
        }

        var verify = await MatchingNumberCheck.VerifyOnceAsync(_guard, CardConstants.CardFace.MatchingNumberB, number, "VERIFY 照合番号B (EF 0012)", cancellationToken).ConfigureAwait(false);
        if (!verify.IsOk)
        {
            return verify.Fault!;
        }

        var status = verify.Value;
        if (!status.IsSuccess)
        {
            return status switch
            {
                { TriesLeft: int n and > 0 } => CardResult<CardFaceRead>.Ok(new CardFaceRead.Rejected(n)),
                { IsBlocked: true } => CardResult<CardFaceRead>.Ok(new CardFaceRead.Blocked()),
                _ => CardIo.Unexpected("VERIFY 照合番号B (EF 0012)", status),
            };
        }

        var recordRead = await CardIo.ReadTlvFileAsync(_guard, CardConstants.CardFace.CardFaceRecord, MaxRecordLength, "READ card face (EF 0002)", cancellationToken).ConfigureAwait(false);
        if (!recordRead.IsOk)
        {
            return recordRead.Fault!;
        }

        if (!CardFaceRecord.TryParse(recordRead.Value, out var record, out var recordError))
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(recordRead.Value);
            return new CardFault(CardFaultKind.BadData, recordError);
        }

        System.Security.Cryptography.CryptographicOperations.ZeroMemory(recordRead.Value);
        if (!record.IsSignedBy(applicationCertificate))
        {
            record.Clear();
            return new CardFault(CardFaultKind.BadData, "the card face (EF 0002) signature does not verify against the 券面AP certificate");
        }

        return CardResult<CardFaceRead>.Ok(new CardFaceRead.Read(record));
    }
}
