using System.Runtime.CompilerServices;
using System.Threading.Channels;
using MynaTerminal.Card.Transport;
using MynaTerminal.Core.Cards;

namespace MynaTerminal.Card.Emulator;

/// <summary>
/// An in-process <see cref="ICardTerminal"/> with named readers (roles card tray / phone) into which virtual cards are
/// inserted and removed. Insertion powers the card (as pcscd does); removal unpowers it. Connections honour exclusive
/// sharing, dispositions (Unpower clears verified keys; Reset does not) and the card's injected faults (pull after N
/// commands, slow responses).
/// </summary>
public sealed class VirtualCardTerminal : ICardTerminal
{
    public const string DefaultCardTrayReader = "MynaTerminal Virtual Card Tray 00";
    public const string DefaultPhoneReader = "MynaTerminal Virtual Phone Reader 01";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Slot> _slots;
    private readonly List<Channel<CardSlotEvent>> _watchers = [];
    private readonly TimeProvider _clock;

    /// <summary>Two readers: <see cref="DefaultCardTrayReader"/> (card tray) and <see cref="DefaultPhoneReader"/> (phone).</summary>
    public VirtualCardTerminal(TimeProvider? clock = null)
        : this([(DefaultCardTrayReader, ReaderRole.CardTray), (DefaultPhoneReader, ReaderRole.Phone)], clock)
    {
    }

    public VirtualCardTerminal(IEnumerable<(string Name, ReaderRole Role)> readers, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(readers);
        _slots = readers.ToDictionary(r => r.Name, r => new Slot(r.Name, r.Role), StringComparer.Ordinal);
        if (_slots.Count == 0)
        {
            throw new ArgumentException("At least one reader.", nameof(readers));
        }

        _clock = clock ?? TimeProvider.System;
    }

    public IReadOnlyList<string> ReaderNames => [.. _slots.Keys];

    /// <summary>The first reader with <paramref name="role"/>.</summary>
    public string ReaderFor(ReaderRole role) =>
        _slots.Values.FirstOrDefault(s => s.Role == role)?.Name ?? throw new InvalidOperationException($"No reader with role {role}.");

    /// <summary>Inserts the card into the first reader of its persona's role (phones to the phone reader); returns the reader name.</summary>
    public string Insert(VirtualCard card)
    {
        ArgumentNullException.ThrowIfNull(card);
        var reader = ReaderFor(card.Persona.Role);
        Insert(reader, card);
        return reader;
    }

    public void Insert(string readerName, VirtualCard card)
    {
        ArgumentNullException.ThrowIfNull(card);
        CardSlotEvent slotEvent;
        lock (_gate)
        {
            var slot = SlotOf(readerName);
            if (slot.Card is not null)
            {
                throw new InvalidOperationException($"A card is already in {readerName}.");
            }

            slot.Card = card;
            slot.Generation++;
            card.NoteInserted();
            card.PowerOn();
            slotEvent = new CardSlotEvent(slot.Name, slot.Role, true);
        }

        Publish(slotEvent);
    }

    /// <summary>Takes the card out (it leaves the field: unpowered). Returns it, or null when the reader was empty.</summary>
    public VirtualCard? Remove(string readerName)
    {
        VirtualCard? card;
        CardSlotEvent slotEvent;
        lock (_gate)
        {
            var slot = SlotOf(readerName);
            card = slot.Card;
            if (card is null)
            {
                return null;
            }

            slot.Card = null;
            slot.Generation++;
            slot.Exclusive = null;
            slot.Shared = 0;
            card.PowerOff();
            slotEvent = new CardSlotEvent(slot.Name, slot.Role, false);
        }

        Publish(slotEvent);
        return card;
    }

    public VirtualCard? CardIn(string readerName)
    {
        lock (_gate)
        {
            return SlotOf(readerName).Card;
        }
    }

    /// <summary>True while a connection holds the reader's card exclusively.</summary>
    public bool IsHeldExclusively(string readerName)
    {
        lock (_gate)
        {
            return SlotOf(readerName).Exclusive is not null;
        }
    }

    /// <summary>The current presence of every occupied reader first, then changes as they happen.</summary>
    public async IAsyncEnumerable<CardSlotEvent> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateUnbounded<CardSlotEvent>(new UnboundedChannelOptions { SingleReader = true });
        lock (_gate)
        {
            foreach (var slot in _slots.Values.Where(s => s.Card is not null))
            {
                channel.Writer.TryWrite(new CardSlotEvent(slot.Name, slot.Role, true));
            }

            _watchers.Add(channel);
        }

        try
        {
            await foreach (var slotEvent in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return slotEvent;
            }
        }
        finally
        {
            lock (_gate)
            {
                _watchers.Remove(channel);
            }
        }
    }

    public Task<ConnectResult> ConnectAsync(string readerName, bool exclusive, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_slots.TryGetValue(readerName, out var slot))
            {
                return Task.FromResult<ConnectResult>(new ConnectResult.Failed($"unknown reader '{readerName}'"));
            }

            if (slot.Card is not { } card)
            {
                return Task.FromResult<ConnectResult>(new ConnectResult.NoCard());
            }

            if (slot.Exclusive is not null || (exclusive && slot.Shared > 0))
            {
                return Task.FromResult<ConnectResult>(new ConnectResult.Busy());
            }

            if (!card.IsPowered)
            {
                card.PowerOn();
            }

            var connection = new VirtualCardConnection(this, slot, card, slot.Generation, exclusive);
            if (exclusive)
            {
                slot.Exclusive = connection;
            }
            else
            {
                slot.Shared++;
            }

            return Task.FromResult<ConnectResult>(new ConnectResult.Connected(connection));
        }
    }

    private Slot SlotOf(string readerName) =>
        _slots.TryGetValue(readerName, out var slot) ? slot : throw new ArgumentException($"Unknown reader '{readerName}'.", nameof(readerName));

    private void Publish(CardSlotEvent slotEvent)
    {
        lock (_gate)
        {
            foreach (var watcher in _watchers)
            {
                watcher.Writer.TryWrite(slotEvent);
            }
        }
    }

    private sealed class Slot(string name, ReaderRole role)
    {
        public string Name { get; } = name;

        public ReaderRole Role { get; } = role;

        public VirtualCard? Card { get; set; }

        /// <summary>Bumped on every insertion and removal: a connection belongs to one insertion.</summary>
        public long Generation { get; set; }

        public VirtualCardConnection? Exclusive { get; set; }

        public int Shared { get; set; }
    }

    private sealed class VirtualCardConnection(VirtualCardTerminal terminal, Slot slot, VirtualCard card, long generation, bool exclusive)
        : ICardConnection, IApduTransport
    {
        private bool _closed;

        public string ReaderName => slot.Name;

        public ReadOnlyMemory<byte> Atr => card.Atr;

        public IApduTransport Transport => this;

        public async ValueTask<TransportResult> TransmitAsync(ReadOnlyMemory<byte> command, CancellationToken cancellationToken)
        {
            if (!StillInserted(out var closed))
            {
                return closed ? new TransportResult.Failed("the connection is closed") : new TransportResult.CardRemoved();
            }

            if (card.PullDue)
            {
                terminal.Remove(slot.Name);
                return new TransportResult.CardRemoved();
            }

            if (card.Faults.ResponseDelay > TimeSpan.Zero)
            {
                await Task.Delay(card.Faults.ResponseDelay, terminal._clock, cancellationToken).ConfigureAwait(false);
                if (!StillInserted(out _))
                {
                    return new TransportResult.CardRemoved();
                }
            }

            var response = card.Process(command.Span);
            if (card.PullDue)
            {
                terminal.Remove(slot.Name); // pulled right after answering
            }

            return new TransportResult.Response(response);
        }

        public ValueTask DisconnectAsync(CardDisposition disposition, CancellationToken cancellationToken)
        {
            lock (terminal._gate)
            {
                if (_closed)
                {
                    return ValueTask.CompletedTask;
                }

                _closed = true;
                if (slot.Generation == generation && ReferenceEquals(slot.Card, card))
                {
                    switch (disposition)
                    {
                        case CardDisposition.Unpower:
                            card.PowerOff();
                            break;
                        case CardDisposition.Reset:
                            card.WarmReset();
                            break;
                    }

                    if (exclusive)
                    {
                        slot.Exclusive = null;
                    }
                    else
                    {
                        slot.Shared = Math.Max(0, slot.Shared - 1);
                    }
                }
            }

            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync() => DisconnectAsync(CardDisposition.Unpower, CancellationToken.None);

        private bool StillInserted(out bool closed)
        {
            lock (terminal._gate)
            {
                closed = _closed;
                return !_closed && slot.Generation == generation && ReferenceEquals(slot.Card, card);
            }
        }
    }
}
