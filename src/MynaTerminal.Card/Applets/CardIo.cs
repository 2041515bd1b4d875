using MynaTerminal.Card.Apdu;
using MynaTerminal.Card.Data;

namespace MynaTerminal.Card.Applets;

/// <summary>Exchanges shared by the applets: SELECT of an application, reading a TLV-shaped EF by its own length.</summary>
internal static class CardIo
{
    /// <summary>One exchange; a fault for anything other than an answer.</summary>
    public static async ValueTask<CardResult<ResponseApdu>> ExchangeAsync(ApduGuard guard, CommandApdu command, string what, CancellationToken cancellationToken)
    {
        var result = await guard.TransmitAsync(command, cancellationToken).ConfigureAwait(false);
        return result switch
        {
            GuardResult.Answered answered => CardResult<ResponseApdu>.Ok(answered.Response),
            GuardResult.CardRemoved => new CardFault(CardFaultKind.Removed, $"card removed during {what}"),
            GuardResult.Refused refused => new CardFault(CardFaultKind.Refused, $"{what}: refused by the guard ({refused.Reason})"),
            GuardResult.Failed failed => new CardFault(CardFaultKind.Transport, $"{what}: {failed.Detail}"),
            _ => new CardFault(CardFaultKind.Transport, $"{what}: unknown result"),
        };
    }

    public static CardFault Unexpected(string what, StatusWord status) =>
        status.Sw1 is (>= 0x60 and <= 0x6F) or (>= 0x90 and <= 0x9F)
            ? new(CardFaultKind.Status, $"{what}: card answered {status} ({status.Describe()})", status)
            : new(CardFaultKind.Transport, $"{what}: the answer ends in {status}, which is no status word (truncated or corrupted response)", status);

    /// <summary>
    /// SELECT by AID. True when selected, false when the card has no such application (6A 82).
    /// With <paramref name="retryInternalError"/> a 6F 00 answer (the first command after power on some cards) is
    /// retried once.
    /// </summary>
    public static async ValueTask<CardResult<bool>> SelectApplicationAsync(ApduGuard guard, CardApplication application, bool retryInternalError, CancellationToken cancellationToken)
    {
        var command = new CommandApdu(CardConstants.Cla.Iso, CardConstants.Ins.Select, CardConstants.Select.ByAid, CardConstants.Select.NoResponseData, CardConstants.Aid.Of(application));
        var what = $"SELECT {application}";
        for (var attempt = 0; ; attempt++)
        {
            var exchange = await ExchangeAsync(guard, command, what, cancellationToken).ConfigureAwait(false);
            if (!exchange.IsOk)
            {
                return exchange.Fault!;
            }

            var status = exchange.Value.StatusWord;
            if (status.IsSuccess)
            {
                return CardResult<bool>.Ok(true);
            }

            if (status == StatusWord.FileNotFound)
            {
                return CardResult<bool>.Ok(false);
            }

            if (status == StatusWord.InternalError && retryInternalError && attempt == 0)
            {
                continue;
            }

            return Unexpected(what, status);
        }
    }

    /// <summary>
    /// Reads a whole TLV-shaped EF (DER certificate, FF20 record, 7F21 CV certificate) by its own length with short
    /// APDUs: the first 256 bytes by short file identifier (which also makes the EF current), then 256-byte chunks by
    /// offset. Returns exactly the TLV's bytes (filler after it is not read).
    /// </summary>
    public static async ValueTask<CardResult<byte[]>> ReadTlvFileAsync(ApduGuard guard, ushort fileId, int maxLength, string what, CancellationToken cancellationToken)
    {
        var head = new CommandApdu(CardConstants.Cla.Iso, CardConstants.Ins.ReadBinary, CardConstants.ShortFileReference(fileId), 0x00, default, CardConstants.ShortChunkLength);
        var first = await ExchangeAsync(guard, head, what, cancellationToken).ConfigureAwait(false);
        if (!first.IsOk)
        {
            return first.Fault!;
        }

        if (!first.Value.IsSuccess)
        {
            return Unexpected(what, first.Value.StatusWord);
        }

        var headBytes = first.Value.Data.Span;
        if (!BerTlv.TryReadHeader(headBytes, 0, out var tlv))
        {
            return new CardFault(CardFaultKind.BadData, $"{what}: the file does not start with a TLV header");
        }

        var total = tlv.TotalLength;
        if (total > maxLength || total <= 0)
        {
            return new CardFault(CardFaultKind.BadData, $"{what}: implausible length {total}");
        }

        var buffer = new byte[total];
        var have = Math.Min(headBytes.Length, total);
        headBytes[..have].CopyTo(buffer);
        while (have < total)
        {
            if (have > CardConstants.MaxBinaryOffset)
            {
                return new CardFault(CardFaultKind.BadData, $"{what}: longer than a 15-bit offset can address");
            }

            var expected = Math.Min(CardConstants.ShortChunkLength, total - have);
            var chunk = new CommandApdu(CardConstants.Cla.Iso, CardConstants.Ins.ReadBinary, (byte)(have >> 8), (byte)have, default, expected);
            var next = await ExchangeAsync(guard, chunk, what, cancellationToken).ConfigureAwait(false);
            if (!next.IsOk)
            {
                return next.Fault!;
            }

            if (!next.Value.IsSuccess)
            {
                return next.Value.StatusWord == StatusWord.OffsetBeyondEnd
                    ? new CardFault(CardFaultKind.BadData, $"{what}: the file ends at {have} bytes but its header says {total}", next.Value.StatusWord)
                    : Unexpected(what, next.Value.StatusWord);
            }

            var data = next.Value.Data.Span;
            if (data.IsEmpty)
            {
                return new CardFault(CardFaultKind.BadData, $"{what}: empty chunk at offset {have} of {total}");
            }

            var take = Math.Min(data.Length, total - have);
            data[..take].CopyTo(buffer.AsSpan(have));
            have += take;
        }

        return CardResult<byte[]>.Ok(buffer);
    }

    /// <summary>The empty VERIFY <c>00 20 00 (80+SFI)</c>: reads a key's counter without spending a try.</summary>
    public static CommandApdu CounterQuery(ushort keyId) =>
        new(CardConstants.Cla.Iso, CardConstants.Ins.Verify, 0x00, CardConstants.ShortFileReference(keyId));

    /// <summary>VERIFY <c>00 20 00 (80+SFI) Lc secret</c>. The caller wipes <paramref name="secret"/> afterwards.</summary>
    public static CommandApdu Verify(ushort keyId, ReadOnlyMemory<byte> secret) =>
        new(CardConstants.Cla.Iso, CardConstants.Ins.Verify, 0x00, CardConstants.ShortFileReference(keyId), secret);
}
