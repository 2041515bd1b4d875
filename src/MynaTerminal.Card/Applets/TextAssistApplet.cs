using MynaTerminal.Card.Data;
using MynaTerminal.Core.Devices;

namespace MynaTerminal.Card.Applets;

/// <summary>What the text AP gave for a 照合番号B.</summary>
public abstract record BasicFourRead
{
    private BasicFourRead() { }

    public sealed record Read(BasicFourInformation Information) : BasicFourRead;

    public sealed record TooFewTries(int TriesLeft) : BasicFourRead;

    public sealed record Rejected(int TriesLeft) : BasicFourRead;

    public sealed record Blocked : BasicFourRead;

    public sealed record NotPresent : BasicFourRead;
}

/// <summary>
/// The 券面事項入力補助AP, for 基本4情報 only (EF 0002 after 照合番号B on EF 0015; card-protocol.md §5). Used only
/// when the configuration asks for it (the guard refuses this application otherwise). The 個人番号 (EF 0001), its
/// hash (EF 0003) and 照合番号A (EF 0014) are refused by the <see cref="ApduGuard"/> in every case. The record's
/// integrity is attested only through EF 0003, which the terminal must not read, so it is not verified here.
/// </summary>
public sealed class TextAssistApplet
{
    private readonly ApduGuard _guard;
    private readonly int _minimumTries;

    public TextAssistApplet(ApduGuard guard, int minimumTries)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minimumTries, 1);
        _guard = guard ?? throw new ArgumentNullException(nameof(guard));
        _minimumTries = minimumTries;
    }

    public async ValueTask<CardResult<BasicFourRead>> ReadAsync(MatchingNumberB number, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(number);
        if (_guard.Application != CardApplication.TextAssist)
        {
            var select = await CardIo.SelectApplicationAsync(_guard, CardApplication.TextAssist, retryInternalError: false, cancellationToken).ConfigureAwait(false);
            if (!select.IsOk)
            {
                return select.Fault!;
            }

            if (!select.Value)
            {
                return CardResult<BasicFourRead>.Ok(new BasicFourRead.NotPresent());
            }
        }

        var tries = await MatchingNumberCheck.ReadTriesLeftAsync(_guard, CardConstants.TextAssist.MatchingNumberB, "照合番号B counter (empty VERIFY of text EF 0015)", cancellationToken).ConfigureAwait(false);
        if (!tries.IsOk)
        {
            return tries.Fault!;
        }

        if (tries.Value == 0)
        {
            return CardResult<BasicFourRead>.Ok(new BasicFourRead.Blocked());
        }

        if (tries.Value < _minimumTries)
        {
            return CardResult<BasicFourRead>.Ok(new BasicFourRead.TooFewTries(tries.Value));
        }

        var verify = await MatchingNumberCheck.VerifyOnceAsync(_guard, CardConstants.TextAssist.MatchingNumberB, number, "VERIFY 照合番号B (text EF 0015)", cancellationToken).ConfigureAwait(false);
        if (!verify.IsOk)
        {
            return verify.Fault!;
        }

        var status = verify.Value;
        if (!status.IsSuccess)
        {
            return status switch
            {
                { TriesLeft: int n and > 0 } => CardResult<BasicFourRead>.Ok(new BasicFourRead.Rejected(n)),
                { IsBlocked: true } => CardResult<BasicFourRead>.Ok(new BasicFourRead.Blocked()),
                _ => CardIo.Unexpected("VERIFY 照合番号B (text EF 0015)", status),
            };
        }

        var read = await CardIo.ReadTlvFileAsync(_guard, CardConstants.TextAssist.Attributes, 4096, "READ 基本4情報 (text EF 0002)", cancellationToken).ConfigureAwait(false);
        if (!read.IsOk)
        {
            return read.Fault!;
        }

        try
        {
            return BasicFourInformation.TryParse(read.Value, out var information, out var error)
                ? CardResult<BasicFourRead>.Ok(new BasicFourRead.Read(information))
                : new CardFault(CardFaultKind.BadData, error);
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(read.Value);
        }
    }
}
