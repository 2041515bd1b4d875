using MynaTerminal.Card.Emulator;
using MynaTerminal.Core.Cards;
using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Results;
using MynaTerminal.Core.Session;

namespace MynaTerminal.Simulation;

/// <summary>
/// Puts APDU-level virtual My Number Cards (<see cref="VirtualCard"/>) into an in-process
/// <see cref="VirtualCardTerminal"/>, so the terminal reads them through the real card stack
/// (MyNumberCardReader, ApduGuard, applets). One card per persona for the life of the process, so PIN and
/// 照合番号B counters carry over from visit to visit as on a real card. With a <see cref="FaceGallery"/> the cards carry
/// real faces as chip photos (for the ONNX engine); without one, the emulator's synthetic faces.
/// </summary>
public sealed class VirtualCardSlot(VirtualCardTerminal terminal, TimeProvider clock, FaceGallery? gallery = null) : ICardSlotSimulator
{
    private readonly Dictionary<string, VirtualCard> _cards = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _gate = new();
    private (Persona Persona, VirtualCard Card, string Reader)? _current;

    public Persona? Current
    {
        get { lock (_gate) { return _current?.Persona; } }
    }

    public string? CurrentMatchingNumberB
    {
        get
        {
            lock (_gate)
            {
                return _current is { } c && c.Card.Persona.Kind == VirtualCardKind.Card ? c.Card.Persona.MatchingNumberB : null;
            }
        }
    }

    public void Insert(Persona persona)
    {
        lock (_gate)
        {
            if (_current is not null)
            {
                throw new InvalidOperationException("A card is already in the reader.");
            }

            if (!_cards.TryGetValue(persona.Id, out var card))
            {
                var cardPersona = VirtualCardPersonas.Get(persona.Id);
                if (gallery?.ChipPhotoFor(persona.Id) is { } photo)
                {
                    cardPersona = cardPersona with { Photo = photo };
                }

                card = new VirtualCard(cardPersona, clock);
                _cards[persona.Id] = card;
            }

            var reader = terminal.Insert(card);
            _current = (persona, card, reader);
        }
    }

    public void Remove()
    {
        lock (_gate)
        {
            if (_current is { } c)
            {
                terminal.Remove(c.Reader);
                _current = null;
            }
        }
    }

    public Persona? HolderOf(string certificateSerialNumber)
    {
        lock (_gate)
        {
            foreach (var (id, card) in _cards)
            {
                using var certificate = card.AuthenticationCertificate;
                if (certificate is not null && string.Equals(certificate.SerialNumber, certificateSerialNumber, StringComparison.OrdinalIgnoreCase))
                {
                    return Persona.Get(id);
                }
            }

            return null;
        }
    }
}

/// <summary>
/// The card reader of the simulation on the virtual card: the real <see cref="ICardReader"/> (APDUs through
/// the guard) with one simulation-only addition — the chip photo it decoded is tagged with the holder, so the
/// stand-in face engine knows whose face it is (the ONNX engine compares the pixels instead).
/// </summary>
public sealed class VirtualCardSimulationReader(ICardReader inner, ICardSlotSimulator slot) : ICardReader
{
    public IAsyncEnumerable<CardPresence> WatchAsync(CancellationToken cancellationToken) => inner.WatchAsync(cancellationToken);

    public Task<CardReadOutcome> ReadAsync(CancellationToken cancellationToken) => inner.ReadAsync(cancellationToken);

    public async Task<FacePhotoOutcome> ReadFacePhotoAsync(MatchingNumberB number, CancellationToken cancellationToken)
    {
        var outcome = await inner.ReadFacePhotoAsync(number, cancellationToken);
        return outcome is FacePhotoOutcome.Photo photo && slot.Current is { } holder
            ? new FacePhotoOutcome.Photo(new FaceImage(photo.Image.Width, photo.Image.Height, photo.Image.Bgr) { SimulationTag = holder.FaceId })
            : outcome;
    }

    public Task<PinOutcome> VerifyPinAsync(Pin pin, CancellationToken cancellationToken) => inner.VerifyPinAsync(pin, cancellationToken);

    public Task<PhoneOutcome> ConfirmOnPhoneAsync(CancellationToken cancellationToken) => inner.ConfirmOnPhoneAsync(cancellationToken);

    public Task ReleaseAsync(CancellationToken cancellationToken) => inner.ReleaseAsync(cancellationToken);
}
