namespace MynaTerminal.Pcsc.Tests.Fakes;

/// <summary>
/// A scripted pcscd behind <see cref="IPcscContextFactory"/>: readers plug in and out, cards go in and out,
/// the service stops and starts. Its contexts block in GetStatusChange until something changes or
/// <c>Cancel</c> is called while they wait (like pcsc-lite, a cancel with no wait pending does nothing).
/// Time-outs are ignored: waits end only on changes, so tests are deterministic.
/// </summary>
internal sealed class FakePcscService : IPcscContextFactory
{
    // A plain object: the fake uses Monitor.Wait/PulseAll on it.
    private readonly object _gate = new();
    private readonly List<FakeReader> _readers = [];
    private int _generation;
    private bool _running = true;
    private int _establishCalls;
    private TaskCompletionSource _waiting = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int EstablishCalls
    {
        get { lock (_gate) { return _establishCalls; } }
    }

    /// <summary>The card every reader connects to (one per reader, created on insert).</summary>
    public Func<string, FakeCard> CardFactory { get; set; } = reader => new FakeCard();

    public PcscResult<IPcscContext> Establish()
    {
        lock (_gate)
        {
            _establishCalls++;
            return _running
                ? PcscResult<IPcscContext>.Success(new FakeContext(this, _generation))
                : PcscResult<IPcscContext>.Fail(PcscError.NoService);
        }
    }

    public void AddReader(string name, bool cardPresent = false) => Change(() => _readers.Add(new FakeReader(name) { Present = cardPresent, Events = cardPresent ? 1 : 0 }));

    public void RemoveReader(string name) => Change(() => _readers.RemoveAll(reader => reader.Name == name));

    public void Insert(string name) => Change(() =>
    {
        var reader = Find(name)!;
        reader.Present = true;
        reader.Events++;
    });

    public void Remove(string name) => Change(() =>
    {
        var reader = Find(name)!;
        reader.Present = false;
        reader.Events++;
        reader.ExclusiveHolder = null;
    });

    /// <summary>pcscd stops: every context dies (waits return NO_SERVICE), new ones cannot be established.</summary>
    public void Stop() => Change(() =>
    {
        _running = false;
        _generation++;
    });

    public void Start() => Change(() => _running = true);

    /// <summary>Completes when a context is blocked in GetStatusChange after this call.</summary>
    public Task WaitingAsync()
    {
        lock (_gate)
        {
            return _waiting.Task;
        }
    }

    private void Change(Action change)
    {
        lock (_gate)
        {
            change();
            _waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Monitor.PulseAll(_gate);
        }
    }

    private FakeReader? Find(string name) => _readers.Find(reader => reader.Name == name);

    private sealed class FakeReader(string name)
    {
        public string Name { get; } = name;
        public bool Present { get; set; }
        public int Events { get; set; }
        public object? ExclusiveHolder { get; set; }
        public int SharedHolders { get; set; }
    }

    private sealed class FakeContext(FakePcscService service, int generation) : IPcscContext
    {
        private bool _waiting;
        private bool _cancelled;
        private bool _disposed;

        public PcscResult<IReadOnlyList<string>> ListReaders()
        {
            lock (service._gate)
            {
                return Alive()
                    ? PcscResult<IReadOnlyList<string>>.Success(service._readers.Select(reader => reader.Name).ToArray())
                    : PcscResult<IReadOnlyList<string>>.Fail(PcscError.NoService);
            }
        }

        public PcscError GetStatusChange(TimeSpan? timeout, IReadOnlyList<PcscReaderState> readers)
        {
            lock (service._gate)
            {
                while (true)
                {
                    if (!Alive())
                    {
                        return PcscError.NoService;
                    }

                    if (_cancelled)
                    {
                        _cancelled = false;
                        return PcscError.Cancelled;
                    }

                    var changed = false;
                    foreach (var state in readers)
                    {
                        var reported = Report(state.ReaderName);
                        var differs = (reported & ~PcscReaderStates.Changed) != (state.CurrentState & ~PcscReaderStates.Changed);
                        state.EventState = differs ? reported | PcscReaderStates.Changed : reported;
                        changed |= differs;
                    }

                    if (changed)
                    {
                        return PcscError.Success;
                    }

                    _waiting = true;
                    service._waiting.TrySetResult();
                    Monitor.Wait(service._gate);
                    _waiting = false;
                }
            }
        }

        public PcscError Cancel()
        {
            lock (service._gate)
            {
                if (_waiting)
                {
                    _cancelled = true;
                    Monitor.PulseAll(service._gate);
                }

                return Alive() ? PcscError.Success : PcscError.NoService;
            }
        }

        public PcscResult<IPcscCard> Connect(string readerName, PcscShareMode shareMode, PcscProtocols preferredProtocols)
        {
            lock (service._gate)
            {
                if (!Alive())
                {
                    return PcscResult<IPcscCard>.Fail(PcscError.NoService);
                }

                var reader = service.Find(readerName);
                if (reader is null)
                {
                    return PcscResult<IPcscCard>.Fail(PcscError.UnknownReader);
                }

                if (!reader.Present)
                {
                    return PcscResult<IPcscCard>.Fail(PcscError.NoSmartcard);
                }

                if (reader.ExclusiveHolder is not null || (shareMode == PcscShareMode.Exclusive && reader.SharedHolders > 0))
                {
                    return PcscResult<IPcscCard>.Fail(PcscError.SharingViolation);
                }

                var card = service.CardFactory(readerName);
                card.ReaderName = readerName;
                if (shareMode == PcscShareMode.Exclusive)
                {
                    reader.ExclusiveHolder = card;
                }
                else
                {
                    reader.SharedHolders++;
                }

                card.OnDisconnect = () =>
                {
                    lock (service._gate)
                    {
                        if (reader.ExclusiveHolder == card)
                        {
                            reader.ExclusiveHolder = null;
                        }
                        else if (shareMode != PcscShareMode.Exclusive)
                        {
                            reader.SharedHolders--;
                        }
                    }
                };
                return PcscResult<IPcscCard>.Success(card);
            }
        }

        public void Dispose()
        {
            lock (service._gate)
            {
                _disposed = true;
            }
        }

        private bool Alive() => !_disposed && service._running && service._generation == generation;

        private PcscReaderStates Report(string name)
        {
            if (name == PcscContext.PnpNotificationReader)
            {
                // pcsc-lite 2.x style: the reader count in the upper 16 bits.
                return (PcscReaderStates)((uint)service._readers.Count << 16);
            }

            var reader = service.Find(name);
            if (reader is null)
            {
                return PcscReaderStates.Unknown;
            }

            var counter = (PcscReaderStates)((uint)(reader.Events & 0xFFFF) << 16);
            return counter | (reader.Present ? PcscReaderStates.Present : PcscReaderStates.Empty);
        }
    }
}

/// <summary>A scripted card: answers commands through <see cref="Responder"/> and records what it was told.</summary>
internal sealed class FakeCard : IPcscCard
{
    private readonly Lock _gate = new();
    private readonly List<byte[]> _commands = [];

    public string ReaderName { get; set; } = "Fake reader 00 00";

    public PcscProtocols ActiveProtocol { get; set; } = PcscProtocols.T1;

    public byte[] Atr { get; set; } = [0x3B, 0x80, 0x80, 0x01, 0x01];

    /// <summary>The answer to one command (default: 90 00).</summary>
    public Func<byte[], PcscResult<byte[]>> Responder { get; set; } = _ => PcscResult<byte[]>.Success([0x90, 0x00]);

    /// <summary>What <c>SCardStatus</c> answers; null = present and powered.</summary>
    public PcscError? StatusError { get; set; }

    public PcscDisposition? Disposition { get; private set; }

    public int DisconnectCalls { get; private set; }

    public bool Disposed { get; private set; }

    public Action? OnDisconnect { get; set; }

    public IReadOnlyList<byte[]> Commands
    {
        get { lock (_gate) { return _commands.ToArray(); } }
    }

    public PcscResult<int> Transmit(ReadOnlySpan<byte> command, Span<byte> response)
    {
        var copy = command.ToArray();
        lock (_gate)
        {
            _commands.Add(copy);
        }

        var answer = Responder(copy);
        if (!answer.TryGetValue(out var bytes))
        {
            return PcscResult<int>.Fail(answer.ErrorCode);
        }

        if (bytes.Length > response.Length)
        {
            return PcscResult<int>.Fail(PcscError.InsufficientBuffer);
        }

        bytes.CopyTo(response);
        return PcscResult<int>.Success(bytes.Length);
    }

    public PcscResult<PcscCardStatus> Status() => StatusError is { } error
        ? PcscResult<PcscCardStatus>.Fail(error)
        : PcscResult<PcscCardStatus>.Success(new PcscCardStatus(ReaderName, PcscCardStates.Present | PcscCardStates.Powered | PcscCardStates.Specific, ActiveProtocol, Atr));

    public PcscError Disconnect(PcscDisposition disposition)
    {
        if (Disposition is not null)
        {
            return PcscError.InvalidHandle;
        }

        DisconnectCalls++;
        Disposition = disposition;
        OnDisconnect?.Invoke();
        return PcscError.Success;
    }

    public void Dispose()
    {
        if (Disposition is null)
        {
            Disconnect(PcscDisposition.Unpower);
        }

        Disposed = true;
    }
}
