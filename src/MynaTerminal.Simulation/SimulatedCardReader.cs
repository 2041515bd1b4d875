using System.Runtime.CompilerServices;
using System.Threading.Channels;
using MynaTerminal.Core.Cards;
using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Results;
using MynaTerminal.Core.Session;

namespace MynaTerminal.Simulation;

/// <summary>
/// An in-process virtual reader holding one simulated card at a time. Scripts insert and remove cards.
/// PIN and 照合番号B counters behave like the card's (kept per persona for the life of the process:
/// two misses today and one tomorrow is a lock), and nothing here reads a 個人番号 — there is none.
/// </summary>
public sealed class SimulatedCardReader(TimeProvider clock) : ICardReader, ICardSlotSimulator, IDisposable
{
    private readonly Channel<CardPresence> _presence = Channel.CreateUnbounded<CardPresence>();
    private readonly Dictionary<string, int> _pinTries = new();
    private readonly Dictionary<string, int> _matchingTries = new();
    private readonly Dictionary<string, Persona> _holders = new(StringComparer.OrdinalIgnoreCase);
    private readonly TestCertificateAuthority _ca = new();
    private readonly Lock _gate = new();
    private Persona? _card;
    private CertificateInfo? _certificate;
    private int _verifiedPins;

    /// <summary>The persona whose card is in the reader (the card-face camera looks at it).</summary>
    public Persona? Current
    {
        get { lock (_gate) { return _card; } }
    }

    /// <inheritdoc />
    public string? CurrentMatchingNumberB => Current is { MatchingNumberB.Length: > 0 } card ? card.MatchingNumberB : null;

    /// <summary>How many PIN VERIFYs reached the card in total (tests check none is sent unasked).</summary>
    public int PinVerifyCount
    {
        get { lock (_gate) { return _verifiedPins; } }
    }

    /// <summary>
    /// Who a certificate issued by this simulator belongs to: the simulated clinic's eligibility system
    /// (オンライン資格確認) knows the insured person by the certificate, as the real one does.
    /// </summary>
    public Persona? HolderOf(string certificateSerialNumber)
    {
        lock (_gate)
        {
            return _holders.GetValueOrDefault(certificateSerialNumber);
        }
    }

    public void Insert(Persona persona)
    {
        lock (_gate)
        {
            if (_card is not null)
            {
                throw new InvalidOperationException("A card is already in the reader.");
            }

            _card = persona;
            _certificate = persona.Kind is null ? null : _ca.Issue(clock.GetUtcNow() + persona.ExpiresIn, clock.GetUtcNow());
            if (_certificate is not null)
            {
                _holders[_certificate.SerialNumberHex] = persona;
            }
        }

        var role = persona.Kind is CardKind.Android or CardKind.IPhone ? ReaderRole.Phone : ReaderRole.CardTray;
        _presence.Writer.TryWrite(new CardPresence(role, true));
    }

    public void Remove()
    {
        ReaderRole role;
        lock (_gate)
        {
            if (_card is null)
            {
                return;
            }

            role = _card.Kind is CardKind.Android or CardKind.IPhone ? ReaderRole.Phone : ReaderRole.CardTray;
            _card = null;
            _certificate = null;
        }

        _presence.Writer.TryWrite(new CardPresence(role, false));
    }

    public async IAsyncEnumerable<CardPresence> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var presence in _presence.Reader.ReadAllAsync(cancellationToken))
        {
            yield return presence;
        }
    }

    public Task<CardReadOutcome> ReadAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_card is null)
            {
                return Task.FromResult<CardReadOutcome>(new CardReadOutcome.Removed());
            }

            if (_card.Kind is not { } kind)
            {
                return Task.FromResult<CardReadOutcome>(new CardReadOutcome.NotMyNumberCard());
            }

            var certificate = kind == CardKind.Android ? null : _certificate; // Android: only after the PIN
            var snapshot = new CardSnapshot(kind, certificate, PinState(_card), _card.HasFacePhoto);
            return Task.FromResult<CardReadOutcome>(new CardReadOutcome.Read(snapshot));
        }
    }

    public Task<FacePhotoOutcome> ReadFacePhotoAsync(MatchingNumberB number, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_card is null)
            {
                return Task.FromResult<FacePhotoOutcome>(new FacePhotoOutcome.Failed("card removed"));
            }

            if (!_card.HasFacePhoto)
            {
                return Task.FromResult<FacePhotoOutcome>(new FacePhotoOutcome.Failed("no 券面AP on this credential"));
            }

            var tries = _matchingTries.GetValueOrDefault(_card.Id, 10);
            if (tries == 0)
            {
                return Task.FromResult<FacePhotoOutcome>(new FacePhotoOutcome.Rejected(0));
            }

            if (System.Text.Encoding.ASCII.GetString(number.ToAscii()) != _card.MatchingNumberB)
            {
                _matchingTries[_card.Id] = tries - 1;
                return Task.FromResult<FacePhotoOutcome>(new FacePhotoOutcome.Rejected(tries - 1));
            }

            _matchingTries[_card.Id] = 10;
            var photo = new FaceImage(4, 4, new byte[4 * 4 * 3]) { SimulationTag = _card.FaceId };
            return Task.FromResult<FacePhotoOutcome>(new FacePhotoOutcome.Photo(photo));
        }
    }

    public Task<PinOutcome> VerifyPinAsync(Pin pin, CancellationToken cancellationToken)
    {
        Span<byte> ascii = stackalloc byte[Pin.Length];
        try
        {
            pin.CopyAsciiTo(ascii);
            lock (_gate)
            {
                if (_card is null)
                {
                    return Task.FromResult<PinOutcome>(new PinOutcome.Failed("card removed"));
                }

                _verifiedPins++;
                if (PinState(_card) is not PinStatus.Ready { TriesLeft: > 0 } ready)
                {
                    return Task.FromResult<PinOutcome>(new PinOutcome.Blocked());
                }

                if (_card.Pin is { } expected && ascii.SequenceEqual(System.Text.Encoding.ASCII.GetBytes(expected)))
                {
                    _pinTries[_card.Id] = 3;
                    return Task.FromResult<PinOutcome>(new PinOutcome.Verified(_card.Kind == CardKind.Android ? _certificate : null));
                }

                var left = ready.TriesLeft - 1;
                _pinTries[_card.Id] = left;
                return Task.FromResult<PinOutcome>(left == 0 ? new PinOutcome.Blocked() : new PinOutcome.Wrong(left));
            }
        }
        finally
        {
            ascii.Clear();
        }
    }

    public Task<PhoneOutcome> ConfirmOnPhoneAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<PhoneOutcome>(_card is { Kind: CardKind.IPhone } && _certificate is { } c
                ? new PhoneOutcome.Confirmed(c)
                : new PhoneOutcome.Failed("no iPhone on the reader"));
        }
    }

    public Task ReleaseAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private PinStatus PinState(Persona card) => card.PinState switch
    {
        PinStatus.Ready r => _pinTries.GetValueOrDefault(card.Id, r.TriesLeft) is var left && left > 0 ? new PinStatus.Ready(left) : new PinStatus.Blocked(),
        var other => other,
    };

    public void Dispose() => _ca.Dispose();
}
