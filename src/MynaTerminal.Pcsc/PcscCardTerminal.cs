using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MynaTerminal.Card.Transport;
using MynaTerminal.Core.Cards;

namespace MynaTerminal.Pcsc;

/// <summary>A reader as the terminal sees it.</summary>
/// <param name="Name">The name pcscd gives the reader (e.g. <c>Virtual PCD 00 00</c>).</param>
/// <param name="Role">Its role, or null when no rule gives it one (then it raises no events).</param>
/// <param name="CardPresent">True when the monitor last saw a card in it.</param>
public sealed record PcscReaderInfo(string Name, ReaderRole? Role, bool CardPresent);

/// <summary>
/// The terminal's readers through pcscd (<see cref="ICardTerminal"/> over libpcsclite).
/// <list type="bullet">
/// <item>A reader monitor runs on its own thread from the first <see cref="WatchAsync"/>: it waits in
/// <c>SCardGetStatusChange</c> on every reader that has a role plus <c>\\?PnP?\Notification</c>, and turns
/// insertions and removals into <see cref="CardSlotEvent"/>s. Readers plugged in or out are picked up; a reader
/// unplugged with a card in it reports the card removed.</item>
/// <item>When pcscd is not running (boot) or goes away (restart: <c>SCARD_E_NO_SERVICE</c>,
/// <c>SCARD_E_SERVICE_STOPPED</c>, an invalid context) the monitor reports every card removed, then establishes
/// a new context with capped exponential back-off (<see cref="PcscOptions.ReconnectDelay"/>,
/// <see cref="PcscOptions.MaxReconnectDelay"/>) and carries on.</item>
/// <item>Each <see cref="ConnectAsync"/> gets its own context: connections never queue behind the monitor.</item>
/// <item>Every blocking native call runs off the caller's thread; <see cref="DisposeAsync"/> ends a pending wait
/// with <c>SCardCancel</c>.</item>
/// </list>
/// </summary>
public sealed partial class PcscCardTerminal : ICardTerminal, IAsyncDisposable, IDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly PcscOptions _options;
    private readonly IPcscContextFactory _factory;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ReaderRoleMap _roleMap;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _monitorStopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Guarded by _gate: watchers, the published presence, the monitor's reader list, its context (for cancel).
    private readonly Lock _gate = new();
    private readonly List<Channel<CardSlotEvent>> _watchers = [];
    private readonly Dictionary<string, CardSlotEvent> _present = new(StringComparer.Ordinal);
    private IReadOnlyList<PcscReaderInfo> _readers = [];
    private IPcscContext? _monitorContext;
    private Thread? _monitor;
    private bool _serviceAvailable;
    private bool _disposed;

    // Owned by the monitor thread.
    private int _failures;

    /// <summary>Creates the terminal over libpcsclite. Nothing runs until the first <see cref="WatchAsync"/>.</summary>
    public PcscCardTerminal(IOptions<PcscOptions> options, ILogger<PcscCardTerminal>? logger = null, TimeProvider? timeProvider = null)
        : this((options ?? throw new ArgumentNullException(nameof(options))).Value, new PcscLiteContextFactory(), logger, timeProvider)
    {
    }

    internal PcscCardTerminal(PcscOptions options, IPcscContextFactory factory, ILogger? logger, TimeProvider? timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(factory);
        _options = options;
        _factory = factory;
        _logger = logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
        _roleMap = new ReaderRoleMap(options.Readers);
    }

    /// <summary>True while the monitor holds a working context (pcscd reachable).</summary>
    public bool IsServiceAvailable
    {
        get { lock (_gate) { return _serviceAvailable; } }
    }

    /// <summary>The readers the monitor knows, with roles and card presence (empty before it runs).</summary>
    public IReadOnlyList<PcscReaderInfo> Readers
    {
        get { lock (_gate) { return _readers; } }
    }

    /// <summary>
    /// Card events of the readers that have a role, until cancelled or disposed. A new watcher first gets a
    /// <c>CardPresent = true</c> event for every card already in a reader, then the changes as they happen.
    /// Starts the reader monitor on first use.
    /// </summary>
    public async IAsyncEnumerable<CardSlotEvent> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateUnbounded<CardSlotEvent>(new UnboundedChannelOptions { SingleReader = true });
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            foreach (var present in _present.Values)
            {
                channel.Writer.TryWrite(present);
            }

            _watchers.Add(channel);
            StartMonitorLocked();
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

    /// <summary>
    /// Connects to the card in <paramref name="readerName"/> with T=0 or T=1: SCARD_SHARE_EXCLUSIVE when
    /// <paramref name="exclusive"/>, else SCARD_SHARE_SHARED. No card → <see cref="ConnectResult.NoCard"/>;
    /// held by someone else → <see cref="ConnectResult.Busy"/>; anything else (pcscd down, unknown reader, mute
    /// card) → <see cref="ConnectResult.Failed"/> with the SCARD_* name.
    /// </summary>
    public Task<ConnectResult> ConnectAsync(string readerName, bool exclusive, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(readerName);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
        }

        cancellationToken.ThrowIfCancellationRequested();
        return Task.Run(() => Connect(readerName, exclusive), cancellationToken);
    }

    /// <summary>
    /// Lists the readers pcscd has now (its own short-lived context), with the roles they have or would get.
    /// </summary>
    public Task<PcscResult<IReadOnlyList<PcscReaderInfo>>> ListReadersAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.Run(ListReadersNow, cancellationToken);
    }

    /// <summary>Stops the monitor (SCardCancel on its wait) and ends every <see cref="WatchAsync"/> enumeration.</summary>
    public async ValueTask DisposeAsync()
    {
        Thread? monitor;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            monitor = _monitor;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        if (monitor is not null)
        {
            // SCardCancel only ends a wait that has begun: repeat it until the thread is out (real time, not _time).
            var started = Stopwatch.GetTimestamp();
            while (!_monitorStopped.Task.IsCompleted)
            {
                CancelMonitorWait();
                await Task.WhenAny(_monitorStopped.Task, Task.Delay(TimeSpan.FromMilliseconds(100))).ConfigureAwait(false);
                if (!_monitorStopped.Task.IsCompleted && Stopwatch.GetElapsedTime(started) > StopTimeout)
                {
                    LogMonitorDidNotStop();
                    break;
                }
            }
        }

        CompleteWatchers();
    }

    /// <summary>Synchronous <see cref="DisposeAsync"/> (for containers disposed synchronously).</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private ConnectResult Connect(string readerName, bool exclusive)
    {
        var established = _factory.Establish();
        if (!established.TryGetValue(out var context))
        {
            return new ConnectResult.Failed(established.ErrorCode.ToNativeName());
        }

        var share = exclusive ? PcscShareMode.Exclusive : PcscShareMode.Shared;
        var connected = context.Connect(readerName, share, PcscProtocols.Any);
        if (!connected.TryGetValue(out var card))
        {
            context.Dispose();
            LogConnectFailed(readerName, share, connected.ErrorCode.ToNativeName());
            return PcscMapping.ToConnectResult(connected.ErrorCode);
        }

        var status = card.Status();
        if (!status.TryGetValue(out var cardStatus))
        {
            card.Dispose();
            context.Dispose();
            return PcscMapping.ToConnectResult(status.ErrorCode);
        }

        LogConnected(readerName, share, card.ActiveProtocol, Convert.ToHexString(cardStatus.Atr.Span));
        return new ConnectResult.Connected(new PcscCardConnection(readerName, cardStatus.Atr, context, card, _logger));
    }

    private PcscResult<IReadOnlyList<PcscReaderInfo>> ListReadersNow()
    {
        var established = _factory.Establish();
        if (!established.TryGetValue(out var context))
        {
            return PcscResult<IReadOnlyList<PcscReaderInfo>>.Fail(established.ErrorCode);
        }

        using (context)
        {
            var listed = context.ListReaders();
            if (!listed.TryGetValue(out var names))
            {
                return PcscResult<IReadOnlyList<PcscReaderInfo>>.Fail(listed.ErrorCode);
            }

            Dictionary<string, ReaderRole> known;
            HashSet<string> present;
            lock (_gate)
            {
                known = _readers.Where(reader => reader.Role is not null).ToDictionary(reader => reader.Name, reader => reader.Role!.Value, StringComparer.Ordinal);
                present = [.. _present.Keys];
            }

            var roles = _roleMap.Assign(names, known);
            IReadOnlyList<PcscReaderInfo> readers = names
                .Select(name => new PcscReaderInfo(name, roles.TryGetValue(name, out var role) ? role : null, present.Contains(name)))
                .ToArray();
            return PcscResult<IReadOnlyList<PcscReaderInfo>>.Success(readers);
        }
    }

    private void StartMonitorLocked()
    {
        if (_monitor is not null)
        {
            return;
        }

        _monitor = new Thread(RunMonitor) { IsBackground = true, Name = "pcsc-reader-monitor" };
        _monitor.Start();
    }

    private void CancelMonitorWait()
    {
        lock (_gate)
        {
            _monitorContext?.Cancel();
        }
    }

    private void CompleteWatchers()
    {
        lock (_gate)
        {
            foreach (var watcher in _watchers)
            {
                watcher.Writer.TryComplete();
            }

            _watchers.Clear();
        }
    }

    // ───────────────────────── the monitor thread ─────────────────────────

    private void RunMonitor()
    {
        try
        {
            while (!_stopping.IsCancellationRequested)
            {
                var lost = MonitorOneContext();
                if (_stopping.IsCancellationRequested)
                {
                    break;
                }

                var delay = ReconnectBackoff.Delay(_failures++, _options.ReconnectDelay, _options.MaxReconnectDelay);
                LogServiceUnavailable(lost.ToNativeName(), delay);
                if (!Sleep(delay))
                {
                    break;
                }
            }
        }
        finally
        {
            _monitorStopped.TrySetResult();
        }
    }

    /// <summary>Establishes a context and watches with it until it dies; returns why it ended.</summary>
    private PcscError MonitorOneContext()
    {
        var established = _factory.Establish();
        if (!established.TryGetValue(out var context))
        {
            return established.ErrorCode;
        }

        lock (_gate)
        {
            _monitorContext = context;
        }

        var readers = new Dictionary<string, TrackedReader>(StringComparer.Ordinal);
        try
        {
            return Watch(context, readers);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // A bug here must not end card detection for the life of the process: log, back off, start over.
            LogMonitorFault(exception);
            return PcscError.InternalError;
        }
        finally
        {
            lock (_gate)
            {
                _monitorContext = null;
                _serviceAvailable = false;
            }

            context.Dispose();
            if (!_stopping.IsCancellationRequested)
            {
                foreach (var reader in readers.Values.Where(reader => reader.CardPresent))
                {
                    Publish(reader, cardPresent: false);
                }
            }

            PublishReaderList([]);
        }
    }

    private PcscError Watch(IPcscContext context, Dictionary<string, TrackedReader> readers)
    {
        var error = Relist(context, readers);
        if (error != PcscError.Success)
        {
            return error;
        }

        _failures = 0;
        lock (_gate)
        {
            _serviceAvailable = true;
        }

        LogServiceAvailable(readers.Count);
        var pnp = new PcscReaderState(PcscContext.PnpNotificationReader);
        var readerErrors = 0;
        while (!_stopping.IsCancellationRequested)
        {
            var states = new List<PcscReaderState>(readers.Count + 1) { pnp };
            states.AddRange(readers.Values.Select(reader => reader.State));
            error = context.GetStatusChange(_options.RescanInterval, states);
            if (_stopping.IsCancellationRequested)
            {
                return PcscError.Cancelled;
            }

            var relist = false;
            switch (error)
            {
                case PcscError.Success:
                    readerErrors = 0;
                    if (pnp.HasChanged)
                    {
                        pnp.Acknowledge();
                        relist = true;
                    }

                    foreach (var reader in readers.Values)
                    {
                        relist |= Apply(reader);
                    }

                    break;
                case PcscError.Timeout:
                    // The safety net: a reader plugged in between ListReaders and the wait is found here.
                    relist = true;
                    break;
                case PcscError.Cancelled:
                    break;
                case PcscError.UnknownReader or PcscError.ReaderUnavailable or PcscError.NoReadersAvailable:
                    // A reader vanished between two calls. Relist; if that keeps happening, do not spin.
                    if (++readerErrors > 3 && !Sleep(_options.RescanInterval < TimeSpan.FromSeconds(1) ? _options.RescanInterval : TimeSpan.FromSeconds(1)))
                    {
                        return PcscError.Cancelled;
                    }

                    relist = true;
                    break;
                default:
                    return error;
            }

            if (relist && (error = Relist(context, readers)) != PcscError.Success)
            {
                return error;
            }
        }

        return PcscError.Cancelled;
    }

    /// <summary>Applies one reader's reported state; true when the reader seems to be gone (relist).</summary>
    private bool Apply(TrackedReader reader)
    {
        var state = reader.State;
        if (!state.HasChanged)
        {
            return false;
        }

        var firstLook = state.CurrentState == PcscReaderStates.Unaware;
        var previousCount = (int)((uint)(state.CurrentState & PcscReaderStates.EventCounterMask) >> 16);
        state.Acknowledge();
        if ((state.EventState & (PcscReaderStates.Unknown | PcscReaderStates.Unavailable)) != 0)
        {
            if (reader.CardPresent)
            {
                Publish(reader, cardPresent: false);
            }

            return true;
        }

        var present = state.IsCardPresent;
        if (present != reader.CardPresent)
        {
            Publish(reader, present);
        }
        else if (present && !firstLook && ((state.EventCount - previousCount) & 0xFFFF) >= 2)
        {
            // Out and in again between two looks (the event counter moved twice): a different card, maybe.
            Publish(reader, cardPresent: false);
            Publish(reader, cardPresent: true);
        }

        return false;
    }

    /// <summary>Lists the readers again: new ones are tracked (state unknown), vanished ones report their card gone.</summary>
    private PcscError Relist(IPcscContext context, Dictionary<string, TrackedReader> readers)
    {
        var listed = context.ListReaders();
        if (!listed.TryGetValue(out var names))
        {
            return listed.ErrorCode;
        }

        var current = readers.Values.ToDictionary(reader => reader.Name, reader => reader.Role, StringComparer.Ordinal);
        var roles = _roleMap.Assign(names, current);
        foreach (var reader in readers.Values.ToArray())
        {
            if (!roles.TryGetValue(reader.Name, out var role) || role != reader.Role)
            {
                if (reader.CardPresent)
                {
                    Publish(reader, cardPresent: false);
                }

                readers.Remove(reader.Name);
                LogReaderRemoved(reader.Name);
            }
        }

        foreach (var name in names)
        {
            if (roles.TryGetValue(name, out var role) && !readers.ContainsKey(name))
            {
                readers[name] = new TrackedReader(name, role);
                LogReaderAdded(name, role);
            }
        }

        PublishReaderList(names.Select(name => readers.TryGetValue(name, out var reader)
            ? new PcscReaderInfo(name, reader.Role, reader.CardPresent)
            : new PcscReaderInfo(name, null, false)).ToArray());
        return PcscError.Success;
    }

    private void Publish(TrackedReader reader, bool cardPresent)
    {
        reader.CardPresent = cardPresent;
        var slotEvent = new CardSlotEvent(reader.Name, reader.Role, cardPresent);
        lock (_gate)
        {
            if (cardPresent)
            {
                _present[reader.Name] = slotEvent;
            }
            else
            {
                _present.Remove(reader.Name);
            }

            _readers = _readers.Select(info => info.Name == reader.Name ? info with { CardPresent = cardPresent } : info).ToArray();
            foreach (var watcher in _watchers)
            {
                watcher.Writer.TryWrite(slotEvent);
            }
        }

        LogCardEvent(reader.Name, reader.Role, cardPresent ? "inserted" : "removed");
    }

    private void PublishReaderList(IReadOnlyList<PcscReaderInfo> readers)
    {
        lock (_gate)
        {
            _readers = readers;
        }
    }

    /// <summary>Waits on the injected clock; false when stopping.</summary>
    private bool Sleep(TimeSpan delay)
    {
        try
        {
            Task.Delay(delay, _time, _stopping.Token).GetAwaiter().GetResult();
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>A reader the monitor waits on.</summary>
    private sealed class TrackedReader(string name, ReaderRole role)
    {
        public string Name { get; } = name;

        public ReaderRole Role { get; } = role;

        public PcscReaderState State { get; } = new(name);

        public bool CardPresent { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Card {Change} in reader {Reader} ({Role})")]
    private partial void LogCardEvent(string reader, ReaderRole role, string change);

    [LoggerMessage(Level = LogLevel.Information, Message = "PC/SC reader {Reader} added as {Role}")]
    private partial void LogReaderAdded(string reader, ReaderRole role);

    [LoggerMessage(Level = LogLevel.Information, Message = "PC/SC reader {Reader} removed")]
    private partial void LogReaderRemoved(string reader);

    [LoggerMessage(Level = LogLevel.Information, Message = "pcscd reachable; {Count} reader(s) with a role")]
    private partial void LogServiceAvailable(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "pcscd not available ({Error}); next attempt in {Delay}")]
    private partial void LogServiceUnavailable(string error, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Error, Message = "The PC/SC reader monitor failed; it starts over")]
    private partial void LogMonitorFault(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The PC/SC reader monitor did not stop in time")]
    private partial void LogMonitorDidNotStop();

    [LoggerMessage(Level = LogLevel.Debug, Message = "Connected to {Reader} ({Share}, {Protocol}), ATR {Atr}")]
    private partial void LogConnected(string reader, PcscShareMode share, PcscProtocols protocol, string atr);

    [LoggerMessage(Level = LogLevel.Debug, Message = "SCardConnect to {Reader} ({Share}) failed: {Error}")]
    private partial void LogConnectFailed(string reader, PcscShareMode share, string error);
}
