using MynaTerminal.Card.Apdu;
using MynaTerminal.Core.Devices;

namespace MynaTerminal.Card.Applets;

/// <summary>Reading a 照合番号B counter and spending (at most) one VERIFY, shared by the 券面AP and the text AP.</summary>
internal static class MatchingNumberCheck
{
    /// <summary>Tries left on the key (0 = blocked), via the empty VERIFY.</summary>
    public static async ValueTask<CardResult<int>> ReadTriesLeftAsync(ApduGuard guard, ushort keyId, string what, CancellationToken cancellationToken)
    {
        var exchange = await CardIo.ExchangeAsync(guard, CardIo.CounterQuery(keyId), what, cancellationToken).ConfigureAwait(false);
        if (!exchange.IsOk)
        {
            return exchange.Fault!;
        }

        var status = exchange.Value.StatusWord;
        return status switch
        {
            { TriesLeft: int n } => CardResult<int>.Ok(n),
            { IsBlocked: true } => CardResult<int>.Ok(0),
            _ => CardIo.Unexpected(what, status),
        };
    }

    /// <summary>One VERIFY with the 14 digits; the ASCII buffer is wiped after the exchange. Returns the status word.</summary>
    public static async ValueTask<CardResult<StatusWord>> VerifyOnceAsync(ApduGuard guard, ushort keyId, MatchingNumberB number, string what, CancellationToken cancellationToken)
    {
        var ascii = number.ToAscii();
        try
        {
            var exchange = await CardIo.ExchangeAsync(guard, CardIo.Verify(keyId, ascii), what, cancellationToken).ConfigureAwait(false);
            return exchange.IsOk ? CardResult<StatusWord>.Ok(exchange.Value.StatusWord) : exchange.Fault!;
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(ascii);
        }
    }
}
