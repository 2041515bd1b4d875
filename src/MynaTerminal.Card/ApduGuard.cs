using System.Security.Cryptography;
using MynaTerminal.Card.Apdu;
using MynaTerminal.Card.Transport;

namespace MynaTerminal.Card;

/// <summary>The result of one exchange through the <see cref="ApduGuard"/>.</summary>
public abstract record GuardResult
{
    private GuardResult() { }

    /// <summary>The card answered (any status word).</summary>
    public sealed record Answered(ResponseApdu Response) : GuardResult;

    /// <summary>The guard refused the command; nothing was transmitted.</summary>
    public sealed record Refused(string Reason) : GuardResult;

    /// <summary>The card left the reader.</summary>
    public sealed record CardRemoved : GuardResult;

    /// <summary>The reader or service failed, or the card's answer was malformed (e.g. truncated below SW1 SW2).</summary>
    public sealed record Failed(string Detail) : GuardResult;
}

/// <summary>What the guard lets through beyond the fixed allow-list.</summary>
/// <param name="AllowTextAssistAttributes">
/// Allow the 券面事項入力補助AP for 基本4情報 (EF 0002 after 照合番号B on EF 0015). Off by default. Even when on,
/// its EF 0001 (個人番号), EF 0003 (hash of it) and EF 0014 (照合番号A) stay refused.
/// </param>
public sealed record ApduGuardPolicy(bool AllowTextAssistAttributes = false)
{
    public static ApduGuardPolicy Default { get; } = new();
}

/// <summary>
/// The single choke point between the terminal and the card: the only type that holds an
/// <see cref="IApduTransport"/> (or the <see cref="ICardConnection"/> that carries one). Applets get the guard,
/// never the transport. It tracks the selected application and EF and transmits only what is on an explicit
/// allow-list of the commands the terminal needs; everything else — above all VERIFY with 照合番号A and any
/// SELECT or READ of text-AP EF 0001/0003 and 券面AP EF 0005, in either READ BINARY form — is refused
/// without being transmitted.
/// </summary>
public sealed class ApduGuard : IAsyncDisposable
{
    private static readonly IReadOnlyDictionary<CardApplication, ApplicationRules> Rules = new Dictionary<CardApplication, ApplicationRules>
    {
        [CardApplication.Jpki] = new(
            Selectable: [CardConstants.Jpki.TokenInfo, CardConstants.Jpki.AuthCertificate, CardConstants.Jpki.AuthKey, CardConstants.Jpki.AuthPin],
            Readable: [CardConstants.Jpki.TokenInfo, CardConstants.Jpki.AuthCertificate],
            Keys: new Dictionary<ushort, int> { [CardConstants.Jpki.AuthPin] = CardConstants.SecretLength.Pin },
            SigningKey: CardConstants.Jpki.AuthKey),
        [CardApplication.CardFace] = new(
            Selectable: [CardConstants.CardFace.CardFaceRecord, CardConstants.CardFace.CvCertificate, CardConstants.CardFace.MatchingNumberB],
            Readable: [CardConstants.CardFace.CardFaceRecord, CardConstants.CardFace.CvCertificate],
            Keys: new Dictionary<ushort, int> { [CardConstants.CardFace.MatchingNumberB] = CardConstants.SecretLength.MatchingNumberB },
            SigningKey: null),
        [CardApplication.TextAssist] = new(
            Selectable: [CardConstants.TextAssist.Attributes, CardConstants.TextAssist.MatchingNumberB],
            Readable: [CardConstants.TextAssist.Attributes],
            Keys: new Dictionary<ushort, int> { [CardConstants.TextAssist.MatchingNumberB] = CardConstants.SecretLength.MatchingNumberB },
            SigningKey: null),
    };

    private static readonly IReadOnlyDictionary<(CardApplication, ushort), string> Forbidden = new Dictionary<(CardApplication, ushort), string>
    {
        [(CardApplication.TextAssist, CardConstants.TextAssist.MyNumber)] = "FORBIDDEN: text AP EF 0001 holds the 個人番号",
        [(CardApplication.TextAssist, CardConstants.TextAssist.Integrity)] = "FORBIDDEN: text AP EF 0003 holds a hash of the 個人番号",
        [(CardApplication.TextAssist, CardConstants.TextAssist.MatchingNumberA)] = "FORBIDDEN: text AP EF 0014 is 照合番号A (the 個人番号)",
        [(CardApplication.CardFace, CardConstants.CardFace.RenderedMyNumber)] = "FORBIDDEN: 券面AP EF 0005 is the rendered 個人番号",
        [(CardApplication.CardFace, CardConstants.CardFace.MatchingNumberA)] = "FORBIDDEN: 券面AP EF 0013 is 照合番号A (the 個人番号)",
    };

    private readonly IApduTransport _transport;
    private readonly ICardConnection? _connection;
    private readonly ApduGuardPolicy _policy;
    private readonly SemaphoreSlim _exchange = new(1, 1);
    private int _transmitted;
    private int _refused;
    private bool _closed;

    /// <summary>A guard over a bare transport (tests, tools). Prefer <see cref="Open"/> for a real connection.</summary>
    public ApduGuard(IApduTransport transport, ApduGuardPolicy? policy = null)
    {
        _transport = transport ?? throw new ArgumentNullException(nameof(transport));
        _policy = policy ?? ApduGuardPolicy.Default;
    }

    private ApduGuard(ICardConnection connection, ApduGuardPolicy policy)
        : this(connection.Transport, policy)
    {
        _connection = connection;
    }

    /// <summary>Takes ownership of a fresh connection: from now on only this guard can reach the card.</summary>
    public static ApduGuard Open(ICardConnection connection, ApduGuardPolicy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return new ApduGuard(connection, policy ?? ApduGuardPolicy.Default);
    }

    /// <summary>The reader the owned connection is on; null over a bare transport.</summary>
    public string? ReaderName => _connection?.ReaderName;

    /// <summary>The application the card has selected, as far as the guard knows (None = unknown / power-on).</summary>
    public CardApplication Application { get; private set; }

    /// <summary>The current EF, as far as the guard knows.</summary>
    public ushort? CurrentFile { get; private set; }

    /// <summary>Commands that reached the transport.</summary>
    public int TransmittedCount => Volatile.Read(ref _transmitted);

    /// <summary>Commands refused without being transmitted.</summary>
    public int RefusedCount => Volatile.Read(ref _refused);

    /// <summary>Why <paramref name="command"/> would be refused in the current state; null when it is allowed.</summary>
    public string? WhyRefused(CommandApdu command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (command.IsExtended)
        {
            return "extended-length APDUs are not used by the terminal";
        }

        if (LooksLikeMyNumber(command.Data.Span))
        {
            return "FORBIDDEN: the data field is 12 ASCII digits (a 個人番号 / 照合番号A)";
        }

        return (command.Cla, command.Ins) switch
        {
            (CardConstants.Cla.Iso, CardConstants.Ins.Select) => CheckSelect(command),
            (CardConstants.Cla.Iso, CardConstants.Ins.ReadBinary) => CheckReadBinary(command),
            (CardConstants.Cla.Iso, CardConstants.Ins.Verify) => CheckVerify(command),
            (CardConstants.Cla.Proprietary, CardConstants.Ins.ComputeDigitalSignature) => CheckSignature(command),
            _ => $"{command.Cla:X2} {command.Ins:X2} is not on the allow-list",
        };
    }

    /// <summary>
    /// Sends <paramref name="command"/> when the allow-list permits it. Never throws for card or reader faults;
    /// cancellation propagates. The encoded command (which may hold a PIN) is wiped after the exchange.
    /// </summary>
    public async ValueTask<GuardResult> TransmitAsync(CommandApdu command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        await _exchange.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_closed)
            {
                return new GuardResult.Failed("the card connection is closed");
            }

            if (WhyRefused(command) is { } reason)
            {
                Interlocked.Increment(ref _refused);
                return new GuardResult.Refused(reason);
            }

            var encoded = command.ToArray();
            TransportResult result;
            try
            {
                Interlocked.Increment(ref _transmitted);
                result = await _transport.TransmitAsync(encoded, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                Forget();
                throw;
            }
            catch (Exception ex)
            {
                Forget();
                return new GuardResult.Failed($"transport error: {ex.Message}");
            }
            finally
            {
                CryptographicOperations.ZeroMemory(encoded);
            }

            switch (result)
            {
                case TransportResult.Response { Bytes: var bytes } when ResponseApdu.TryParse(bytes, out var response):
                    Track(command, response.StatusWord);
                    return new GuardResult.Answered(response);
                case TransportResult.Response { Bytes: var bytes }:
                    Forget();
                    return new GuardResult.Failed($"truncated response ({bytes.Length} byte(s), no status word) to {command}");
                case TransportResult.CardRemoved:
                    Forget();
                    return new GuardResult.CardRemoved();
                case TransportResult.Failed { Detail: var detail }:
                    Forget();
                    return new GuardResult.Failed(detail);
                default:
                    Forget();
                    return new GuardResult.Failed("unknown transport result");
            }
        }
        finally
        {
            _exchange.Release();
        }
    }

    /// <summary>Ends the owned connection (the terminal always ends a session with <see cref="CardDisposition.Unpower"/>).</summary>
    public async ValueTask DisconnectAsync(CardDisposition disposition, CancellationToken cancellationToken)
    {
        await _exchange.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            Forget();
            if (_connection is not null)
            {
                try
                {
                    await _connection.DisconnectAsync(disposition, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
                catch (Exception)
                {
                    // The card or reader is gone; disposing below still releases the handle.
                }

                await _connection.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _exchange.Release();
        }
    }

    /// <summary>Unpowers and releases the owned connection. Later exchanges fail cleanly ("connection is closed").</summary>
    public ValueTask DisposeAsync() => DisconnectAsync(CardDisposition.Unpower, CancellationToken.None);

    private string? CheckSelect(CommandApdu command)
    {
        if (command.ExpectedLength is not null || command.P2 != CardConstants.Select.NoResponseData)
        {
            return "SELECT is sent only as P2 = 0C without Le";
        }

        switch (command.P1)
        {
            case CardConstants.Select.ByAid:
                var application = CardConstants.Aid.Identify(command.Data.Span);
                return application switch
                {
                    CardApplication.Jpki or CardApplication.CardFace => null,
                    CardApplication.TextAssist when _policy.AllowTextAssistAttributes => null,
                    CardApplication.TextAssist => "the 券面事項入力補助AP is off (reading 基本4情報 is not configured)",
                    null => "SELECT of an AID that is not a full allow-listed AID",
                    _ => $"SELECT of {application} is not on the allow-list",
                };
            case CardConstants.Select.ByFileId:
                if (command.Data.Length != 2)
                {
                    return "SELECT EF needs a 2-byte file identifier";
                }

                var fileId = (ushort)((command.Data.Span[0] << 8) | command.Data.Span[1]);
                if (Forbidden.TryGetValue((Application, fileId), out var forbidden))
                {
                    return forbidden;
                }

                return Rules.TryGetValue(Application, out var rules) && rules.Selectable.Contains(fileId)
                    ? null
                    : $"SELECT EF {fileId:X4} in {Application} is not on the allow-list";
            default:
                return $"SELECT P1 = {command.P1:X2} is not on the allow-list";
        }
    }

    private string? CheckReadBinary(CommandApdu command)
    {
        if (!command.Data.IsEmpty || command.ExpectedLength is null)
        {
            return "READ BINARY is sent without data and with Le";
        }

        ushort fileId;
        if ((command.P1 & 0x80) != 0)
        {
            if ((command.P1 & 0x60) != 0 || (command.P1 & 0x1F) == 0)
            {
                return $"READ BINARY P1 = {command.P1:X2} is not a short-file-identifier form";
            }

            fileId = (ushort)(command.P1 & 0x1F);
        }
        else if (CurrentFile is { } current)
        {
            fileId = current;
        }
        else
        {
            return "READ BINARY by offset with no known current EF";
        }

        if (Forbidden.TryGetValue((Application, fileId), out var forbidden))
        {
            return forbidden;
        }

        return Rules.TryGetValue(Application, out var rules) && rules.Readable.Contains(fileId)
            ? null
            : $"READ BINARY of EF {fileId:X4} in {Application} is not on the allow-list";
    }

    private string? CheckVerify(CommandApdu command)
    {
        if (command.P1 != 0x00 || (command.P2 & 0x80) == 0 || command.ExpectedLength is not null)
        {
            return "VERIFY is sent only as 00 20 00 80 / 00 20 00 (80+SFI)";
        }

        ushort? keyId = command.P2 == CardConstants.CurrentFileReference ? CurrentFile : (ushort)(command.P2 & 0x1F);
        if (keyId is not { } key || (command.P2 & 0x60) != 0)
        {
            return "VERIFY of the current EF with no known current EF";
        }

        if (Forbidden.TryGetValue((Application, key), out var forbidden))
        {
            return forbidden;
        }

        if (!Rules.TryGetValue(Application, out var rules) || !rules.Keys.TryGetValue(key, out var digits))
        {
            return $"VERIFY of key {key:X4} in {Application} is not on the allow-list";
        }

        var data = command.Data.Span;
        if (data.IsEmpty)
        {
            return null; // The counter query: costs nothing.
        }

        return data.Length == digits && IsAsciiDigits(data)
            ? null
            : $"VERIFY of key {key:X4} takes exactly {digits} ASCII digits";
    }

    private string? CheckSignature(CommandApdu command)
    {
        if (!Rules.TryGetValue(Application, out var rules) || rules.SigningKey is not { } signingKey)
        {
            return $"COMPUTE DIGITAL SIGNATURE in {Application} is not on the allow-list";
        }

        if (command.P1 != CardConstants.SignatureScheme.Pkcs1Raw)
        {
            return "COMPUTE DIGITAL SIGNATURE is sent only with P1 = 00 (PKCS#1 v1.5 over a DigestInfo)";
        }

        var key = command.P2 == CardConstants.CurrentFileReference ? CurrentFile : (ushort)(command.P2 & 0x1F);
        if (key != signingKey || (command.P2 & 0xE0) != 0x80)
        {
            return "COMPUTE DIGITAL SIGNATURE only with the user-authentication key (EF 0017)";
        }

        if (command.Data.Length is < 1 or > CardConstants.SignatureScheme.MaxRawInputLength
            || command.ExpectedLength is not (null or CardConstants.ShortChunkLength))
        {
            return "COMPUTE DIGITAL SIGNATURE input must be 1..245 bytes with Le 00";
        }

        return null;
    }

    private void Track(CommandApdu command, StatusWord status)
    {
        switch (command.Ins)
        {
            case CardConstants.Ins.Select when command.P1 == CardConstants.Select.ByAid:
                Application = status.IsSuccess ? CardConstants.Aid.Identify(command.Data.Span) ?? CardApplication.None : CardApplication.None;
                CurrentFile = null;
                break;
            case CardConstants.Ins.Select:
                CurrentFile = status.IsSuccess ? (ushort)((command.Data.Span[0] << 8) | command.Data.Span[1]) : null;
                break;
            case CardConstants.Ins.ReadBinary when (command.P1 & 0x80) != 0:
                CurrentFile = status.IsSuccess ? (ushort)(command.P1 & 0x1F) : null;
                break;
        }
    }

    private void Forget()
    {
        Application = CardApplication.None;
        CurrentFile = null;
    }

    private static bool IsAsciiDigits(ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return false;
            }
        }

        return true;
    }

    private static bool LooksLikeMyNumber(ReadOnlySpan<byte> data) =>
        data.Length == CardConstants.SecretLength.MyNumber && IsAsciiDigits(data);

    private sealed record ApplicationRules(ushort[] Selectable, ushort[] Readable, IReadOnlyDictionary<ushort, int> Keys, ushort? SigningKey);
}
