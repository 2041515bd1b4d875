using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using MynaTerminal.Card.Applets;
using MynaTerminal.Card.Data;
using MynaTerminal.Card.Imaging;
using MynaTerminal.Card.Transport;
using MynaTerminal.Core.Cards;
using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Results;
using MynaTerminal.Core.Session;

namespace MynaTerminal.Card;

/// <summary>The terminal's nonce and the card's signature over it, checked against the certificate.</summary>
public sealed record PossessionProof(byte[] Nonce, byte[] Signature, CertificateInfo Certificate);

/// <summary>The outcome of reading 基本4情報 (only when configured).</summary>
public abstract record BasicFourOutcome
{
    private BasicFourOutcome() { }

    public sealed record Read(BasicFourInformation Information) : BasicFourOutcome;

    /// <summary>Reading 基本4情報 is not configured (<see cref="CardOptions.ReadBasicFourInformation"/>).</summary>
    public sealed record Disabled : BasicFourOutcome;

    public sealed record Rejected(int? TriesLeft) : BasicFourOutcome;

    public sealed record Failed(string Detail) : BasicFourOutcome;
}

/// <summary>
/// <see cref="ICardReader"/> for the My Number Card over any <see cref="ICardTerminal"/> (PC/SC, or the in-process
/// virtual card). Every APDU goes through one <see cref="ApduGuard"/> per connection; connections are exclusive and
/// end with <see cref="CardDisposition.Unpower"/>. Card and reader faults become outcomes, never exceptions
/// (cancellation still propagates).
/// </summary>
public sealed class MyNumberCardReader : ICardReader, IAsyncDisposable
{
    private readonly ICardTerminal _terminal;
    private readonly CardOptions _options;
    private readonly TimeProvider _clock;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _presence = new();
    private readonly Lazy<CardFaceTrustAnchors?> _anchors;
    private string? _activeReader;
    private ApduGuard? _guard;
    private CardSession? _session;

    public MyNumberCardReader(ICardTerminal terminal, CardOptions options, TimeProvider? clock = null, CardFaceTrustAnchors? trustAnchors = null)
    {
        _terminal = terminal ?? throw new ArgumentNullException(nameof(terminal));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _options.ValidateOrThrow();
        _clock = clock ?? TimeProvider.System;
        _anchors = new Lazy<CardFaceTrustAnchors?>(() => trustAnchors ?? LoadAnchors(_options.CardFaceTrustAnchorPath));
    }

    public MyNumberCardReader(ICardTerminal terminal, IOptions<CardOptions> options, TimeProvider clock)
        : this(terminal, options?.Value ?? throw new ArgumentNullException(nameof(options)), clock)
    {
    }

    /// <summary>The reader whose card the next <see cref="ReadAsync"/> uses (the latest arrival seen by <see cref="WatchAsync"/>).</summary>
    public string? ActiveReaderName
    {
        get { lock (_presence) { return _activeReader; } }
    }

    /// <summary>The last successful proof of possession (PIN path or iPhone confirmation) of this session.</summary>
    public PossessionProof? LastProof { get; private set; }

    public async IAsyncEnumerable<CardPresence> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var slot in _terminal.WatchAsync(cancellationToken).ConfigureAwait(false))
        {
            lock (_presence)
            {
                if (slot.CardPresent)
                {
                    _activeReader = slot.ReaderName;
                }
                else if (slot.ReaderName == _activeReader)
                {
                    _activeReader = null;
                }
            }

            yield return new CardPresence(slot.Role, slot.CardPresent);
        }
    }

    /// <summary>SELECT JPKI → token → certificate (not on Android) → PIN counter → 券面AP present. Sends no secret.</summary>
    public async Task<CardReadOutcome> ReadAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await ReadCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new CardReadOutcome.Unreadable($"unexpected error: {ex.Message}");
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<FacePhotoOutcome> ReadFacePhotoAsync(MatchingNumberB number, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(number);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await ReadFacePhotoCoreAsync(number, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new FacePhotoOutcome.Failed($"unexpected error: {ex.Message}");
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>VERIFY the PIN (one try), then sign a terminal nonce and check it against the certificate. Disposes <paramref name="pin"/>.</summary>
    public async Task<PinOutcome> VerifyPinAsync(Pin pin, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pin);
        using (pin)
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await VerifyPinCoreAsync(pin, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return new PinOutcome.Failed($"unexpected error: {ex.Message}");
            }
            finally
            {
                _gate.Release();
            }
        }
    }

    /// <summary>iPhone: the phone confirms with Face ID / Touch ID and signs the nonce (no PIN goes over the air).</summary>
    public async Task<PhoneOutcome> ConfirmOnPhoneAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await ConfirmOnPhoneCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new PhoneOutcome.Failed($"unexpected error: {ex.Message}");
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// 基本4情報 from the text AP (照合番号B on its own EF 0015 counter), only when
    /// <see cref="CardOptions.ReadBasicFourInformation"/> is on. Never the 個人番号.
    /// </summary>
    public async Task<BasicFourOutcome> ReadBasicFourInformationAsync(MatchingNumberB number, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(number);
        if (!_options.ReadBasicFourInformation)
        {
            return new BasicFourOutcome.Disabled();
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_guard is not { } guard || _session is not { Kind: CardKind.Card })
            {
                return new BasicFourOutcome.Failed(_session is null ? "no card has been read" : "no text AP on this credential");
            }

            var read = await new TextAssistApplet(guard, _options.MinimumMatchingNumberTries).ReadAsync(number, cancellationToken).ConfigureAwait(false);
            if (!read.IsOk)
            {
                return new BasicFourOutcome.Failed(Describe(read.Fault!));
            }

            return read.Value switch
            {
                BasicFourRead.Read r => new BasicFourOutcome.Read(r.Information),
                BasicFourRead.TooFewTries t => new BasicFourOutcome.Rejected(t.TriesLeft),
                BasicFourRead.Rejected r => new BasicFourOutcome.Rejected(r.TriesLeft),
                BasicFourRead.Blocked => new BasicFourOutcome.Rejected(0),
                _ => new BasicFourOutcome.Failed("no text AP on this credential"),
            };
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new BasicFourOutcome.Failed($"unexpected error: {ex.Message}");
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Unpowers the card (SCARD_UNPOWER_CARD) and forgets the session.</summary>
    public async Task ReleaseAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await DropConnectionAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Releases (unpowers) the card. The reader stays usable; a later read connects again.</summary>
    public async ValueTask DisposeAsync() => await ReleaseAsync(CancellationToken.None).ConfigureAwait(false);

    private async Task<CardReadOutcome> ReadCoreAsync(CancellationToken cancellationToken)
    {
        await DropConnectionAsync().ConfigureAwait(false);
        var readerName = ActiveReaderName;
        if (readerName is null)
        {
            return new CardReadOutcome.Removed();
        }

        var (guard, failure) = await ConnectAsync(readerName, cancellationToken).ConfigureAwait(false);
        if (guard is null)
        {
            return failure!;
        }

        _guard = guard;
        var jpki = new JpkiApplet(guard);
        var selected = await jpki.SelectAsync(cancellationToken).ConfigureAwait(false);
        if (!selected.IsOk)
        {
            return ToReadOutcome(selected.Fault!);
        }

        if (!selected.Value)
        {
            return new CardReadOutcome.NotMyNumberCard();
        }

        var token = await jpki.ReadTokenAsync(cancellationToken).ConfigureAwait(false);
        if (!token.IsOk)
        {
            return ToReadOutcome(token.Fault!);
        }

        if (token.Value.Kind is not { } kind)
        {
            return token.Value.Label == CardConstants.TokenLabel.ResidentRegistryCard
                ? new CardReadOutcome.NotMyNumberCard()
                : new CardReadOutcome.Unreadable($"unknown JPKI token label '{token.Value.Label}'");
        }

        CertificateInfo? certificate = null;
        if (kind != CardKind.Android)
        {
            var read = await jpki.ReadAuthCertificateAsync(cancellationToken).ConfigureAwait(false);
            if (!read.IsOk)
            {
                return ToReadOutcome(read.Fault!);
            }

            certificate = read.Value;
        }

        var pin = await jpki.ReadPinStatusAsync(cancellationToken).ConfigureAwait(false);
        if (!pin.IsOk)
        {
            return ToReadOutcome(pin.Fault!);
        }

        var hasFacePhoto = false;
        if (kind == CardKind.Card)
        {
            var face = await new CardFaceApplet(guard, null, _options.MinimumMatchingNumberTries).SelectAsync(cancellationToken).ConfigureAwait(false);
            if (!face.IsOk)
            {
                return ToReadOutcome(face.Fault!);
            }

            hasFacePhoto = face.Value;
        }

        _session = new CardSession(kind, certificate);
        return new CardReadOutcome.Read(new CardSnapshot(kind, certificate, pin.Value, hasFacePhoto));
    }

    private async Task<PinOutcome> VerifyPinCoreAsync(Pin pin, CancellationToken cancellationToken)
    {
        if (_guard is not { } guard || _session is not { } session)
        {
            return new PinOutcome.Failed("no card has been read");
        }

        var jpki = new JpkiApplet(guard);
        var selected = await jpki.EnsureSelectedAsync(cancellationToken).ConfigureAwait(false);
        if (!selected.IsOk || !selected.Value)
        {
            return new PinOutcome.Failed(selected.IsOk ? "the JPKI application is gone" : Describe(selected.Fault!));
        }

        var verify = await jpki.VerifyPinAsync(pin, cancellationToken).ConfigureAwait(false);
        if (!verify.IsOk)
        {
            return new PinOutcome.Failed(Describe(verify.Fault!));
        }

        switch (verify.Value)
        {
            case PinCheck.Wrong wrong:
                return new PinOutcome.Wrong(wrong.TriesLeft);
            case PinCheck.Blocked:
                return new PinOutcome.Blocked();
            case PinCheck.NotIssued:
                return new PinOutcome.Failed("this card has no PIN (顔認証マイナンバーカード)");
        }

        var certificate = session.Certificate;
        if (certificate is null)
        {
            // Android: the certificate can only be read after the PIN.
            var read = await jpki.ReadAuthCertificateAsync(cancellationToken).ConfigureAwait(false);
            if (!read.IsOk)
            {
                return new PinOutcome.Failed(Describe(read.Fault!));
            }

            certificate = read.Value;
            _session = session with { Certificate = certificate };
        }

        var proof = await ProveAsync(jpki, certificate, cancellationToken).ConfigureAwait(false);
        return proof switch
        {
            { Fault: { } fault } => new PinOutcome.Failed(fault),
            _ => new PinOutcome.Verified(session.Kind == CardKind.Android ? certificate : null),
        };
    }

    private async Task<PhoneOutcome> ConfirmOnPhoneCoreAsync(CancellationToken cancellationToken)
    {
        if (_guard is not { } guard || _session is not { } session)
        {
            return new PhoneOutcome.Failed("no credential has been read");
        }

        if (session.Kind != CardKind.IPhone || session.Certificate is not { } certificate)
        {
            return new PhoneOutcome.Failed("not an iPhone credential");
        }

        var jpki = new JpkiApplet(guard);
        var selected = await jpki.EnsureSelectedAsync(cancellationToken).ConfigureAwait(false);
        if (!selected.IsOk || !selected.Value)
        {
            return new PhoneOutcome.Failed(selected.IsOk ? "the JPKI application is gone" : Describe(selected.Fault!));
        }

        var proof = await ProveAsync(jpki, certificate, cancellationToken).ConfigureAwait(false);
        return proof switch
        {
            { Declined: true } => new PhoneOutcome.Declined(),
            { Fault: { } fault } => new PhoneOutcome.Failed(fault),
            _ => new PhoneOutcome.Confirmed(certificate),
        };
    }

    private async Task<FacePhotoOutcome> ReadFacePhotoCoreAsync(MatchingNumberB number, CancellationToken cancellationToken)
    {
        if (_guard is not { } guard || _session is not { } session)
        {
            return new FacePhotoOutcome.Failed("no card has been read");
        }

        if (session.Kind != CardKind.Card)
        {
            return new FacePhotoOutcome.Failed("no 券面AP on this credential");
        }

        CardFaceTrustAnchors? anchors;
        try
        {
            anchors = _anchors.Value;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or CryptographicException)
        {
            return new FacePhotoOutcome.Failed($"the 券面 trust anchor cannot be loaded: {ex.Message}");
        }

        var read = await new CardFaceApplet(guard, anchors, _options.MinimumMatchingNumberTries).ReadRecordAsync(number, cancellationToken).ConfigureAwait(false);
        if (!read.IsOk)
        {
            return new FacePhotoOutcome.Failed(Describe(read.Fault!));
        }

        switch (read.Value)
        {
            case CardFaceRead.TooFewTries few:
                return new FacePhotoOutcome.Rejected(few.TriesLeft);
            case CardFaceRead.Rejected rejected:
                return new FacePhotoOutcome.Rejected(rejected.TriesLeft);
            case CardFaceRead.Blocked:
                return new FacePhotoOutcome.Rejected(0);
            case CardFaceRead.NotPresent:
                return new FacePhotoOutcome.Failed("no 券面AP on this card");
        }

        var record = ((CardFaceRead.Read)read.Value).Record;
        try
        {
            return Jpeg2000Decoder.Decode(record.Photo) switch
            {
                Jpeg2000DecodeResult.Decoded decoded => new FacePhotoOutcome.Photo(decoded.Image),
                Jpeg2000DecodeResult.Failed failed => new FacePhotoOutcome.Failed($"the chip photo cannot be decoded: {failed.Reason}"),
                _ => new FacePhotoOutcome.Failed("the chip photo cannot be decoded"),
            };
        }
        finally
        {
            record.Clear();
        }
    }

    /// <summary>Signs a fresh nonce with the auth key and checks the signature with the certificate's public key.</summary>
    private async Task<ProofResult> ProveAsync(JpkiApplet jpki, CertificateInfo certificate, CancellationToken cancellationToken)
    {
        var nonce = RandomNumberGenerator.GetBytes(_options.NonceLength);
        var signed = await jpki.SignAsync(nonce, cancellationToken).ConfigureAwait(false);
        if (!signed.IsOk)
        {
            return new ProofResult(Describe(signed.Fault!), false);
        }

        switch (signed.Value)
        {
            case SignOutcome.PinRequired:
                return new ProofResult("the card refused to sign (the key needs the PIN)", false);
            case SignOutcome.Declined declined:
                return new ProofResult($"the credential declined to sign ({declined.Status})", true);
        }

        var signature = ((SignOutcome.Signed)signed.Value).Signature;
        if (!CertificateParser.VerifySignature(certificate, nonce, signature))
        {
            return new ProofResult("the card's signature does not verify against its certificate", false);
        }

        LastProof = new PossessionProof(nonce, signature, certificate);
        return new ProofResult(null, false);
    }

    private async Task<(ApduGuard? Guard, CardReadOutcome? Failure)> ConnectAsync(string readerName, CancellationToken cancellationToken)
    {
        var policy = new ApduGuardPolicy(AllowTextAssistAttributes: _options.ReadBasicFourInformation);
        for (var attempt = 1; ; attempt++)
        {
            ConnectResult result;
            try
            {
                result = await _terminal.ConnectAsync(readerName, exclusive: true, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return (null, new CardReadOutcome.Unreadable($"connect failed: {ex.Message}"));
            }

            switch (result)
            {
                case ConnectResult.Connected connected:
                    return (ApduGuard.Open(connected.Connection, policy), null);
                case ConnectResult.NoCard:
                    return (null, new CardReadOutcome.Removed());
                case ConnectResult.Busy when attempt < _options.ConnectAttempts:
                    await Task.Delay(_options.ConnectRetryDelay, _clock, cancellationToken).ConfigureAwait(false);
                    continue;
                case ConnectResult.Busy:
                    return (null, new CardReadOutcome.Unreadable("the card is held by another process"));
                case ConnectResult.Failed failed:
                    return (null, new CardReadOutcome.Unreadable($"connect failed: {failed.Detail}"));
                default:
                    return (null, new CardReadOutcome.Unreadable("connect failed"));
            }
        }
    }

    private async Task DropConnectionAsync()
    {
        LastProof = null;
        _session = null;
        if (_guard is { } guard)
        {
            _guard = null;
            await guard.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static CardReadOutcome ToReadOutcome(CardFault fault) => fault.Kind == CardFaultKind.Removed
        ? new CardReadOutcome.Removed()
        : new CardReadOutcome.Unreadable(fault.Detail);

    private static string Describe(CardFault fault) => fault.Kind == CardFaultKind.Removed ? "card removed" : fault.Detail;

    private static CardFaceTrustAnchors? LoadAnchors(string? path) =>
        string.IsNullOrWhiteSpace(path) ? null : CardFaceTrustAnchors.FromPemFile(path);

    private sealed record CardSession(CardKind Kind, CertificateInfo? Certificate);

    private readonly record struct ProofResult(string? Fault, bool Declined);
}
