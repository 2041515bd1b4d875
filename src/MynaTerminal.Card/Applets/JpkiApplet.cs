using System.Security.Cryptography;
using MynaTerminal.Card.Apdu;
using MynaTerminal.Card.Data;
using MynaTerminal.Core.Cards;
using MynaTerminal.Core.Session;

namespace MynaTerminal.Card.Applets;

/// <summary>EF 0006: the token label and what it says about the credential.</summary>
/// <param name="Label">The label with padding (spaces or NULs) trimmed.</param>
/// <param name="Kind">Card, Android or iPhone; null for any other label (e.g. the old 住基カード).</param>
public sealed record TokenInfo(string Label, CardKind? Kind)
{
    public static TokenInfo FromLabelBytes(ReadOnlySpan<byte> label)
    {
        var text = System.Text.Encoding.ASCII.GetString(label).TrimEnd(' ', '\0');
        CardKind? kind = text switch
        {
            CardConstants.TokenLabel.Card => CardKind.Card,
            CardConstants.TokenLabel.Android => CardKind.Android,
            CardConstants.TokenLabel.IPhone => CardKind.IPhone,
            _ => null,
        };
        return new TokenInfo(text, kind);
    }
}

/// <summary>What a PIN VERIFY did.</summary>
public abstract record PinCheck
{
    private PinCheck() { }

    public sealed record Verified : PinCheck;

    /// <summary>Wrong; the card now has <paramref name="TriesLeft"/> (≥ 1) tries.</summary>
    public sealed record Wrong(int TriesLeft) : PinCheck;

    /// <summary>63 C0 (this attempt used the last try), 69 84 or 69 83.</summary>
    public sealed record Blocked : PinCheck;

    /// <summary>The card has no PIN (顔認証マイナンバーカード: the key is absent, 6A 88 / 6A 82).</summary>
    public sealed record NotIssued : PinCheck;
}

/// <summary>What COMPUTE DIGITAL SIGNATURE did.</summary>
public abstract record SignOutcome
{
    private SignOutcome() { }

    public sealed record Signed(byte[] Signature) : SignOutcome;

    /// <summary>69 82: the key needs the PIN first.</summary>
    public sealed record PinRequired : SignOutcome;

    /// <summary>69 85 / 69 84 / 69 83: the credential refused (an iPhone whose owner declined, a locked key).</summary>
    public sealed record Declined(StatusWord Status) : SignOutcome;
}

/// <summary>
/// The 公的個人認証AP (card-protocol.md §3): identifies the credential (SELECT by AID, EF 0006 token), reads the
/// user-authentication certificate (EF 000A) by its DER length, reads the PIN counter with the empty VERIFY,
/// VERIFYs the PIN only when given one, and signs a terminal nonce with the user-authentication key (80 2A).
/// It talks to the card only through the <see cref="ApduGuard"/>.
/// </summary>
public sealed class JpkiApplet(ApduGuard guard)
{
    private readonly ApduGuard _guard = guard ?? throw new ArgumentNullException(nameof(guard));

    /// <summary>SELECT JPKI by AID (retrying once on the first-command-after-power 6F 00). False: no JPKI AP here.</summary>
    public ValueTask<CardResult<bool>> SelectAsync(CancellationToken cancellationToken) =>
        CardIo.SelectApplicationAsync(_guard, CardApplication.Jpki, retryInternalError: true, cancellationToken);

    /// <summary>SELECT JPKI unless the guard knows it is the current application.</summary>
    public async ValueTask<CardResult<bool>> EnsureSelectedAsync(CancellationToken cancellationToken) =>
        _guard.Application == CardApplication.Jpki ? CardResult<bool>.Ok(true) : await SelectAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Reads the 32-byte label of EF 0006 (<c>00 B0 86 00 20</c>).</summary>
    public async ValueTask<CardResult<TokenInfo>> ReadTokenAsync(CancellationToken cancellationToken)
    {
        var command = new CommandApdu(CardConstants.Cla.Iso, CardConstants.Ins.ReadBinary, CardConstants.ShortFileReference(CardConstants.Jpki.TokenInfo), 0x00, default, CardConstants.Jpki.TokenLabelLength);
        var exchange = await CardIo.ExchangeAsync(_guard, command, "READ token info (EF 0006)", cancellationToken).ConfigureAwait(false);
        if (!exchange.IsOk)
        {
            return exchange.Fault!;
        }

        var response = exchange.Value;
        if (!response.IsSuccess)
        {
            return CardIo.Unexpected("READ token info (EF 0006)", response.StatusWord);
        }

        if (response.Data.Length != CardConstants.Jpki.TokenLabelLength)
        {
            return new CardFault(CardFaultKind.BadData, $"token info (EF 0006): {response.Data.Length} bytes instead of {CardConstants.Jpki.TokenLabelLength}");
        }

        return CardResult<TokenInfo>.Ok(TokenInfo.FromLabelBytes(response.Data.Span));
    }

    /// <summary>Reads and parses the user-authentication certificate (EF 000A).</summary>
    public async ValueTask<CardResult<CertificateInfo>> ReadAuthCertificateAsync(CancellationToken cancellationToken)
    {
        const string What = "READ user-auth certificate (EF 000A)";
        var read = await CardIo.ReadTlvFileAsync(_guard, CardConstants.Jpki.AuthCertificate, CertificateParser.MaxCertificateLength, What, cancellationToken).ConfigureAwait(false);
        if (!read.IsOk)
        {
            return read.Fault!;
        }

        return CertificateParser.Parse(read.Value) switch
        {
            CertificateParseResult.Parsed parsed => CardResult<CertificateInfo>.Ok(parsed.Certificate),
            CertificateParseResult.Invalid invalid => new CardFault(CardFaultKind.BadData, $"user-auth certificate: {invalid.Reason}"),
            _ => new CardFault(CardFaultKind.BadData, "user-auth certificate: unknown parse result"),
        };
    }

    /// <summary>The PIN counter via the empty VERIFY <c>00 20 00 98</c> (costs no try).</summary>
    public async ValueTask<CardResult<PinStatus>> ReadPinStatusAsync(CancellationToken cancellationToken)
    {
        const string What = "PIN counter (empty VERIFY of EF 0018)";
        var exchange = await CardIo.ExchangeAsync(_guard, CardIo.CounterQuery(CardConstants.Jpki.AuthPin), What, cancellationToken).ConfigureAwait(false);
        if (!exchange.IsOk)
        {
            return exchange.Fault!;
        }

        var status = exchange.Value.StatusWord;
        PinStatus? pin = status switch
        {
            { TriesLeft: int n and > 0 } => new PinStatus.Ready(n),
            { IsBlocked: true } => new PinStatus.Blocked(),
            // Some cards answer 90 00 while the key is verified in this session: the counter is then full.
            { IsSuccess: true } => new PinStatus.Ready(CardConstants.Jpki.AuthPinMaxTries),
            _ when status == StatusWord.ReferencedDataNotFound || status == StatusWord.FileNotFound => new PinStatus.NotIssued(),
            _ => null,
        };
        return pin is null ? CardIo.Unexpected(What, status) : CardResult<PinStatus>.Ok(pin);
    }

    /// <summary>
    /// VERIFY the 4-digit PIN on EF 0018 (<c>00 20 00 98 04 …</c>). The digits are copied into a buffer that is wiped
    /// after the exchange. Sends exactly one VERIFY; the caller decides (with the patient) whether to send it.
    /// </summary>
    public async ValueTask<CardResult<PinCheck>> VerifyPinAsync(Pin pin, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pin);
        const string What = "VERIFY PIN (EF 0018)";
        var ascii = new byte[Pin.Length];
        CardResult<ResponseApdu> exchange;
        try
        {
            pin.CopyAsciiTo(ascii);
            exchange = await CardIo.ExchangeAsync(_guard, CardIo.Verify(CardConstants.Jpki.AuthPin, ascii), What, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(ascii);
        }

        if (!exchange.IsOk)
        {
            return exchange.Fault!;
        }

        var status = exchange.Value.StatusWord;
        PinCheck? check = status switch
        {
            { IsSuccess: true } => new PinCheck.Verified(),
            { TriesLeft: int n and > 0 } => new PinCheck.Wrong(n),
            { IsBlocked: true } => new PinCheck.Blocked(),
            _ when status == StatusWord.ReferencedDataNotFound || status == StatusWord.FileNotFound => new PinCheck.NotIssued(),
            _ => null,
        };
        return check is null ? CardIo.Unexpected(What, status) : CardResult<PinCheck>.Ok(check);
    }

    /// <summary>
    /// Signs <paramref name="challenge"/> with the user-authentication key: <c>80 2A 00 97 33 DigestInfo(SHA-256) 00</c>
    /// → 256-byte PKCS#1 v1.5 signature. Verify it with <see cref="CertificateParser.VerifySignature"/>.
    /// </summary>
    public async ValueTask<CardResult<SignOutcome>> SignAsync(ReadOnlyMemory<byte> challenge, CancellationToken cancellationToken)
    {
        const string What = "COMPUTE DIGITAL SIGNATURE (EF 0017)";
        var digestInfo = RsaPkcs1.Sha256DigestInfo(challenge.Span);
        var command = new CommandApdu(CardConstants.Cla.Proprietary, CardConstants.Ins.ComputeDigitalSignature, CardConstants.SignatureScheme.Pkcs1Raw, CardConstants.ShortFileReference(CardConstants.Jpki.AuthKey), digestInfo, CardConstants.ShortChunkLength);
        var exchange = await CardIo.ExchangeAsync(_guard, command, What, cancellationToken).ConfigureAwait(false);
        if (!exchange.IsOk)
        {
            return exchange.Fault!;
        }

        var response = exchange.Value;
        if (response.IsSuccess)
        {
            return response.Data.Length == 256
                ? CardResult<SignOutcome>.Ok(new SignOutcome.Signed(response.Data.ToArray()))
                : new CardFault(CardFaultKind.BadData, $"{What}: {response.Data.Length}-byte signature instead of 256");
        }

        if (response.StatusWord == StatusWord.SecurityStatusNotSatisfied)
        {
            return CardResult<SignOutcome>.Ok(new SignOutcome.PinRequired());
        }

        return response.StatusWord == StatusWord.ConditionsNotSatisfied || response.StatusWord.IsBlocked
            ? CardResult<SignOutcome>.Ok(new SignOutcome.Declined(response.StatusWord))
            : CardIo.Unexpected(What, response.StatusWord);
    }
}
