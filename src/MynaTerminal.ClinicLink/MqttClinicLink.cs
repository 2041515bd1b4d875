using System.Buffers;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using MynaTerminal.ClinicLink.Internal;
using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Results;
using MynaTerminal.Core.Session;

namespace MynaTerminal.ClinicLink;

/// <summary>
/// The terminal's MQTT 5 link to the clinic (MQTTnet client), to an external broker or the embedded one.
/// <list type="bullet">
/// <item>Connection: a supervising loop connects, reconnects with a capped, doubling delay, and pings as a
/// backstop (it never reconnects inside MQTTnet's <c>DisconnectedAsync</c>). The Last Will is a retained
/// <c>{"state":"offline"}</c> on <c>availability</c>.</item>
/// <item>On every connect: subscribe to <c>request/#</c>, then retained <c>availability</c> online and
/// <c>info</c>, then the last <c>state</c> and any alerts raised while offline.</item>
/// <item>Verifications: signed with the <see cref="DeviceKey"/> (<see cref="VerificationSignature"/>), queued in the
/// <see cref="IVerificationOutbox"/> as the exact bytes to publish, and delivered in order with QoS 1; an item
/// leaves the outbox only after a PUBACK that says a subscriber took it (deleted in batches: one fsync each).</item>
/// <item>Requests: parsed strictly into <see cref="ClinicCommand"/>s (<see cref="CommandsAsync"/>) and
/// <see cref="ClinicControl"/>s (<see cref="ControlRequestsAsync"/>, answered by the session loop); every
/// request gets a response, on the MQTT 5 response topic with the correlation data when given, else on
/// <c>response/&lt;name&gt;</c> with the <c>transaction</c> echoed.</item>
/// </list>
/// </summary>
public sealed partial class MqttClinicLink : IClinicLink, IClinicControlSource, IHostedService, IAsyncDisposable, IDisposable
{
    /// <summary>Most verifications published between two outbox deletions (one transaction, one fsync).</summary>
    public const int DeliveryBatchSize = 64;

    /// <summary>Commands waiting for the session; more are answered "busy".</summary>
    public const int CommandCapacity = 64;

    /// <summary>Alerts kept while offline; older ones are dropped (and logged) beyond this.</summary>
    public const int OfflineAlertCapacity = 64;

    private const string JsonContentType = "application/json";

    private static readonly MqttClientFactory Factory = new();

    private readonly ClinicLinkOptions _options;
    private readonly IVerificationOutbox _outbox;
    private readonly DeviceKey _deviceKey;
    private readonly ILogger<MqttClinicLink> _logger;
    private readonly EmbeddedBroker? _embeddedBroker;
    private readonly IMqttClient _client;
    private readonly MqttClientOptions _clientOptions;
    private readonly byte[] _onlinePayload = ClinicLinkJson.Serialize(AvailabilityPayload.Online);
    private readonly byte[] _offlinePayload = ClinicLinkJson.Serialize(AvailabilityPayload.Offline);
    private readonly byte[] _infoPayload;

    private readonly Channel<ClinicCommand> _commands = Channel.CreateBounded<ClinicCommand>(
        new BoundedChannelOptions(CommandCapacity) { SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });

    private readonly Channel<ClinicControlRequest> _controls = Channel.CreateBounded<ClinicControlRequest>(
        new BoundedChannelOptions(16) { SingleWriter = false, FullMode = BoundedChannelFullMode.Wait });

    private readonly Channel<OutgoingMessage> _responses = Channel.CreateBounded<OutgoingMessage>(
        new BoundedChannelOptions(256) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.DropOldest });

    private readonly AsyncSignal _disconnectedSignal = new();
    private readonly AsyncSignal _outboxSignal = new();
    private readonly SemaphoreSlim _stateLock = new(1, 1);
    private readonly Lock _gateLock = new();
    private readonly Lock _alertLock = new();
    private readonly Queue<byte[]> _offlineAlerts = new();

    private TaskCompletionSource _online = NewGate();
    private TerminalState? _lastState;
    private CancellationTokenSource? _stopping;
    private Task _loops = Task.CompletedTask;
    private int _started;
    private bool _reconnectRequested;
    private bool _reportedOnline;
    private int _mode = (int)TerminalMode.Automatic;
    private int _controlReaders;

    public MqttClinicLink(
        IOptions<ClinicLinkOptions> options,
        IVerificationOutbox outbox,
        DeviceKey deviceKey,
        ILogger<MqttClinicLink> logger,
        EmbeddedBroker? embeddedBroker = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(outbox);
        ArgumentNullException.ThrowIfNull(deviceKey);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options.Value;
        _outbox = outbox;
        _deviceKey = deviceKey;
        _logger = logger;
        _embeddedBroker = embeddedBroker;
        Topics = new MqttTopics(_options.TerminalId);
        Version = ReadVersion();
        _infoPayload = ClinicLinkJson.Serialize(InfoPayload.Create(Topics.TerminalId, Version, Capabilities, deviceKey.PublicJwk));
        _clientOptions = BuildClientOptions();

        // The client's own errors (refused connects, broken links) are handled and logged here.
        _client = Factory.CreateMqttClient(new MqttNetLoggerAdapter(logger, LogLevel.Debug));
        _client.ApplicationMessageReceivedAsync += OnMessageReceivedAsync;
        _client.DisconnectedAsync += OnDisconnectedAsync;

        if (_embeddedBroker is not null)
        {
            // An observer appeared: retry a verification that nobody was listening for.
            _embeddedBroker.ClientSubscribed += OnBrokerClientSubscribed;
        }

        // Staff learn about outbox trouble as a deviceFault alert (kept while offline, sent once connected).
        if (_outbox is SqliteVerificationOutbox { CorruptFileMovedTo: { } movedTo })
        {
            RaiseOutboxAlert($"The verification outbox file could not be opened and was moved aside to {movedTo}; a new outbox was started.");
        }

        if (_outbox is IVerificationOutboxCapacity capacity)
        {
            capacity.NearlyFullChanged += OnOutboxNearlyFullChanged;
            if (capacity.NearlyFull)
            {
                OnOutboxNearlyFullChanged(true);
            }
        }
    }

    /// <summary>
    /// Every message the terminal published and the broker accepted: (topic, UTF-8 JSON payload). For
    /// local observers such as the CLI. Raised on a background thread; handlers must be quick and must
    /// not throw (exceptions are logged and ignored).
    /// </summary>
    public event Action<string, string>? Published;

    /// <summary>
    /// Raised with true once the link is up and fully announced (subscribed; availability, info and the last
    /// state published; alerts kept while offline sent), and with false when it drops.
    /// </summary>
    public event Action<bool>? ConnectionChanged;

    /// <summary>What <c>info</c> announces besides the version.</summary>
    public static IReadOnlyList<string> Capabilities { get; } =
    [
        "event/verification",
        "event/alert",
        .. MqttTopics.Requests.All.Select(name => "request/" + name),
        "mqtt5-response-topic",
        "verification-signature-es256",
    ];

    /// <summary>The key that signs verifications; its public half is in <c>info</c>.</summary>
    public DeviceKey DeviceKey => _deviceKey;

    /// <summary>The mode the session loop last reported (shown in the retained <c>state</c>).</summary>
    public TerminalMode Mode => (TerminalMode)Volatile.Read(ref _mode);

    public MqttTopics Topics { get; }

    /// <summary>The version announced in <c>info</c> (informational version of this assembly).</summary>
    public string Version { get; }

    /// <summary>True while connected, subscribed and announced online.</summary>
    public bool IsOnline
    {
        get
        {
            lock (_gateLock)
            {
                return _online.Task.IsCompleted;
            }
        }
    }

    /// <summary>Host and port the client connects to.</summary>
    public (string Host, int Port) BrokerEndpoint => ResolveEndpoint();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("The clinic link was already started.");
        }

        _stopping = new CancellationTokenSource();
        var token = _stopping.Token;
        var (host, port) = ResolveEndpoint();
        LogStarting(Topics.TerminalId, host, port, _options.UsesEmbeddedBroker);
        _loops = Task.WhenAll(
            Task.Run(() => RunLoopAsync(nameof(SuperviseConnectionAsync), SuperviseConnectionAsync, token), CancellationToken.None),
            Task.Run(() => RunLoopAsync(nameof(DeliverVerificationsAsync), DeliverVerificationsAsync, token), CancellationToken.None),
            Task.Run(() => RunLoopAsync(nameof(SendResponsesAsync), SendResponsesAsync, token), CancellationToken.None));
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var stopping = _stopping;
        if (stopping is null || stopping.IsCancellationRequested)
        {
            return;
        }

        await stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loops.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host gave up waiting; go on with the goodbye.
        }

        _commands.Writer.TryComplete();
        _controls.Writer.TryComplete();
        _responses.Writer.TryComplete();

        if (_client.IsConnected)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.OperationTimeout);
            var saidOffline = false;
            try
            {
                await PublishAsync(Topics.Availability, _offlinePayload, retain: true, timeout.Token).ConfigureAwait(false);
                saidOffline = true;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogGoodbyeFailed(ex);
            }

            try
            {
                // Without our own "offline", let the broker publish the Last Will instead.
                var reason = saidOffline
                    ? MqttClientDisconnectOptionsReason.NormalDisconnection
                    : MqttClientDisconnectOptionsReason.DisconnectWithWillMessage;
                await _client.DisconnectAsync(
                    Factory.CreateClientDisconnectOptionsBuilder().WithReason(reason).Build(),
                    timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogGoodbyeFailed(ex);
            }
        }

        SetOffline();
        LogStopped();
    }

    public async ValueTask DisposeAsync()
    {
        if (_embeddedBroker is not null)
        {
            _embeddedBroker.ClientSubscribed -= OnBrokerClientSubscribed;
        }

        if (_outbox is IVerificationOutboxCapacity capacity)
        {
            capacity.NearlyFullChanged -= OnOutboxNearlyFullChanged;
        }

        try
        {
            await StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogGoodbyeFailed(ex);
        }

        _client.Dispose();
        _stopping?.Dispose();
        _stateLock.Dispose();
    }

    /// <summary>
    /// Synchronous disposal (for containers disposed with <c>Dispose()</c>): stops the loops and drops the
    /// connection without the goodbye, so the broker publishes the Last Will. Prefer stopping the host.
    /// </summary>
    public void Dispose()
    {
        if (_embeddedBroker is not null)
        {
            _embeddedBroker.ClientSubscribed -= OnBrokerClientSubscribed;
        }

        if (_outbox is IVerificationOutboxCapacity capacity)
        {
            capacity.NearlyFullChanged -= OnOutboxNearlyFullChanged;
        }

        try
        {
            _stopping?.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }

        _commands.Writer.TryComplete();
        _controls.Writer.TryComplete();
        _responses.Writer.TryComplete();
        _client.Dispose();
        SetOffline();
    }

    /// <summary>
    /// Completes once the link is online: connected, subscribed, availability and info published. (The
    /// last state follows right after; <see cref="ConnectionChanged"/> reports when that is done too.)
    /// </summary>
    public Task WaitUntilOnlineAsync(CancellationToken cancellationToken)
    {
        Task gate;
        lock (_gateLock)
        {
            gate = _online.Task;
        }

        return gate.WaitAsync(cancellationToken);
    }

    /// <summary>How many verifications wait in the outbox.</summary>
    public ValueTask<int> CountPendingVerificationsAsync(CancellationToken cancellationToken) =>
        _outbox.CountPendingAsync(cancellationToken);

    /// <inheritdoc />
    /// <remarks>Remembered and republished (retained) on every reconnect; while offline it only updates the memory.</remarks>
    public async Task PublishStateAsync(TerminalState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        Volatile.Write(ref _lastState, state);
        if (!IsOnline)
        {
            return;
        }

        try
        {
            await PublishLatestStateAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogStateDeferred(ex);
        }
    }

    /// <inheritdoc />
    public async Task EnqueueVerificationAsync(VerificationResult result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);

        // Signed once, here: the outbox keeps exactly these bytes, so every (re)delivery carries the same valid signature.
        var payload = VerificationPayload.From(result, Topics.TerminalId).Sign(_deviceKey);
        var added = await _outbox.EnqueueAsync(new OutboxItem(result.Id, DateTimeOffset.UtcNow, payload), cancellationToken)
            .ConfigureAwait(false);
        if (added)
        {
            LogVerificationQueued(result.Id);
        }
        else
        {
            LogVerificationDuplicate(result.Id);
        }

        _outboxSignal.Set();
    }

    /// <inheritdoc />
    /// <remarks>QoS 1, not retained. Offline, the alert is kept (up to <see cref="OfflineAlertCapacity"/>) and sent after reconnecting.</remarks>
    public async Task PublishAlertAsync(TerminalAlert alert, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var payload = ClinicLinkJson.Serialize(AlertPayload.From(alert, Guid.CreateVersion7()));
        if (IsOnline)
        {
            try
            {
                await PublishAsync(Topics.AlertEvent, payload, retain: false, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogAlertDeferred(alert.Kind, ex);
            }
        }

        KeepOfflineAlert(payload, alert.Kind);
    }

    /// <inheritdoc />
    /// <remarks>One reader at a time. The sequence ends when the link stops.</remarks>
    public IAsyncEnumerable<ClinicCommand> CommandsAsync(CancellationToken cancellationToken) =>
        _commands.Reader.ReadAllAsync(cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// While nobody reads them, <c>mode</c> and <c>selftest</c> are answered with an error at once. A request the
    /// reader does not answer within <see cref="ClinicLinkOptions.OperationTimeout"/> gets an error response.
    /// </remarks>
    public async IAsyncEnumerable<ClinicControlRequest> ControlRequestsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _controlReaders);
        try
        {
            await foreach (var request in _controls.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return request;
            }
        }
        finally
        {
            Interlocked.Decrement(ref _controlReaders);
        }
    }

    /// <inheritdoc />
    public void ReportMode(TerminalMode mode) => Volatile.Write(ref _mode, (int)mode);

    private static TaskCompletionSource NewGate() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static string ReadVersion()
    {
        var assembly = typeof(MqttClinicLink).Assembly;
        return assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString()
            ?? "0.0.0";
    }

    private (string Host, int Port) ResolveEndpoint() =>
        _options.UsesEmbeddedBroker
            ? (EmbeddedBroker.ConnectAddressFor(System.Net.IPAddress.Parse(_options.EmbeddedBindAddress)).ToString(), _options.EmbeddedPort)
            : (_options.Broker!.Trim(), _options.Port);

    private MqttClientOptions BuildClientOptions()
    {
        var (host, port) = ResolveEndpoint();
        var builder = Factory.CreateClientOptionsBuilder()
            .WithTcpServer(host, port)
            .WithClientId(_options.EffectiveClientId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(true)
            .WithSessionExpiryInterval(0)
            .WithKeepAlivePeriod(_options.KeepAlive)
            .WithTimeout(_options.OperationTimeout)
            .WithWillTopic(Topics.Availability)
            .WithWillPayload(_offlinePayload)
            .WithWillRetain(true)
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithWillContentType(JsonContentType)
            .WithWillPayloadFormatIndicator(MqttPayloadFormatIndicator.CharacterData);

        if (!string.IsNullOrEmpty(_options.Username))
        {
            builder = builder.WithCredentials(_options.Username, _options.Password ?? string.Empty);
        }

        if (_options.Tls is { } tls)
        {
            builder = tls.Apply(builder, host, LogCertificateRejected);
        }

        return builder.Build();
    }

    private async Task RunLoopAsync(string name, Func<CancellationToken, Task> loop, CancellationToken stopping)
    {
        try
        {
            await loop(stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogLoopFailed(name, ex);
        }
    }

    // ---- connection ---------------------------------------------------------------------------------

    private async Task SuperviseConnectionAsync(CancellationToken stopping)
    {
        var delay = _options.ReconnectDelay;
        while (!stopping.IsCancellationRequested)
        {
            if (!_client.IsConnected || !IsOnline)
            {
                SetOffline();
                try
                {
                    await ConnectAndAnnounceAsync(stopping).ConfigureAwait(false);
                    delay = _options.ReconnectDelay;
                }
                catch (Exception ex) when (!stopping.IsCancellationRequested && ex is not OutOfMemoryException)
                {
                    LogConnectFailed(ResolveEndpoint().Host, ResolveEndpoint().Port, ex.Message, delay);
                    await DisconnectQuietlyAsync().ConfigureAwait(false);
                    await Task.Delay(delay, stopping).ConfigureAwait(false);
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxReconnectDelay.Ticks));
                    continue;
                }
            }

            // Online: wait for MQTTnet to report a disconnect; ping now and then as a backstop, because a
            // dead link is not always reported while publishing (dotnet/MQTTnet#2244).
            var signalled = await _disconnectedSignal.WaitAsync(_options.KeepAlive, stopping).ConfigureAwait(false);
            if (Volatile.Read(ref _reconnectRequested))
            {
                Volatile.Write(ref _reconnectRequested, false);
                if (_client.IsConnected)
                {
                    LogRequestTimedOut();
                    await DisconnectQuietlyAsync().ConfigureAwait(false);
                }
            }
            else if (!signalled && _client.IsConnected && !await PingAsync(stopping).ConfigureAwait(false))
            {
                LogPingFailed();
                await DisconnectQuietlyAsync().ConfigureAwait(false);
            }

            if (!_client.IsConnected)
            {
                SetOffline();
                await Task.Delay(delay, stopping).ConfigureAwait(false);
            }
        }
    }

    private async Task ConnectAndAnnounceAsync(CancellationToken stopping)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(_options.OperationTimeout * 2);
        var ct = timeout.Token;

        if (!_client.IsConnected)
        {
            var result = await _client.ConnectAsync(_clientOptions, ct).ConfigureAwait(false);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                throw new InvalidOperationException($"broker refused the connection: {result.ResultCode} {result.ReasonString}");
            }
        }

        var subscribe = Factory.CreateSubscribeOptionsBuilder()
            .WithTopicFilter(f => f
                .WithTopic(Topics.RequestFilter)
                .WithAtLeastOnceQoS()
                .WithNoLocal(true)
                .WithRetainHandling(MqttRetainHandling.DoNotSendOnSubscribe))
            .Build();
        var subscribed = await WithoutCancellingAsync(_client.SubscribeAsync(subscribe, CancellationToken.None), ct).ConfigureAwait(false);
        foreach (var item in subscribed.Items)
        {
            if (item.ResultCode > MqttClientSubscribeResultCode.GrantedQoS2)
            {
                throw new InvalidOperationException($"broker refused the subscription to {item.TopicFilter.Topic}: {item.ResultCode}");
            }
        }

        await PublishAsync(Topics.Availability, _onlinePayload, retain: true, ct).ConfigureAwait(false);
        await PublishAsync(Topics.Info, _infoPayload, retain: true, ct).ConfigureAwait(false);

        SetOnline();
        var (host, port) = ResolveEndpoint();
        LogOnline(host, port);

        // After the gate opened, so a state set meanwhile is either seen here or published by its caller.
        await PublishLatestStateAsync(ct).ConfigureAwait(false);
        await FlushOfflineAlertsAsync(ct).ConfigureAwait(false);
        _outboxSignal.Set();
        ReportOnline();
    }

    private async Task<bool> PingAsync(CancellationToken stopping)
    {
        // TryPingAsync is bounded by MQTTnet's timeout and reports failures as false.
        return await WithoutCancellingAsync(_client.TryPingAsync(CancellationToken.None), stopping).ConfigureAwait(false);
    }

    private async Task DisconnectQuietlyAsync()
    {
        try
        {
            if (_client.IsConnected)
            {
                using var timeout = new CancellationTokenSource(_options.OperationTimeout);
                // Reason "with will": the link is broken, so observers should see offline until we are back.
                await _client.DisconnectAsync(
                    Factory.CreateClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.DisconnectWithWillMessage).Build(),
                    timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogDisconnectFailed(ex.Message);
        }
    }

    private Task OnDisconnectedAsync(MqttClientDisconnectedEventArgs e)
    {
        if (e.ClientWasConnected)
        {
            SetOffline();
            if (_stopping?.IsCancellationRequested != true)
            {
                LogConnectionLost(e.Reason, e.ReasonString ?? e.Exception?.Message ?? "connection closed");
            }

            _disconnectedSignal.Set();
        }

        return Task.CompletedTask;
    }

    /// <summary>Opens the gate: publishing may start (state and alerts of the announce go through it too).</summary>
    private void SetOnline()
    {
        lock (_gateLock)
        {
            _online.TrySetResult();
        }
    }

    /// <summary>Tells observers once the announce is complete (state republished, offline alerts sent).</summary>
    private void ReportOnline()
    {
        bool changed;
        lock (_gateLock)
        {
            changed = _online.Task.IsCompleted && !_reportedOnline;
            _reportedOnline |= changed;
        }

        if (changed)
        {
            RaiseConnectionChanged(true);
        }
    }

    private void SetOffline()
    {
        bool changed;
        lock (_gateLock)
        {
            if (_online.Task.IsCompleted)
            {
                _online = NewGate();
            }

            changed = _reportedOnline;
            _reportedOnline = false;
        }

        if (changed)
        {
            RaiseConnectionChanged(false);
        }
    }

    private void RaiseConnectionChanged(bool online)
    {
        var handlers = ConnectionChanged;
        if (handlers is null)
        {
            return;
        }

        foreach (var handler in handlers.GetInvocationList().Cast<Action<bool>>())
        {
            try
            {
                handler(online);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogObserverFailed(ex);
            }
        }
    }

    // ---- publishing ---------------------------------------------------------------------------------

    /// <summary>
    /// Runs an MQTTnet request without handing it <paramref name="cancellationToken"/>: cancelling a packet
    /// half-written would corrupt the stream for every later packet (a PUBACK then never comes). The token
    /// only ends the wait; MQTTnet's own timeout (<see cref="ClinicLinkOptions.OperationTimeout"/>) bounds
    /// the request, and a timeout makes the supervisor reconnect.
    /// </summary>
    private async Task<T> WithoutCancellingAsync<T>(Task<T> request, CancellationToken cancellationToken)
    {
        try
        {
            return await request.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !request.IsCompleted)
        {
            _ = request.ContinueWith(
                static t => _ = t.Exception,
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            throw;
        }
        catch (MqttCommunicationTimedOutException)
        {
            RequestReconnect();
            throw;
        }
    }

    private void RequestReconnect()
    {
        Volatile.Write(ref _reconnectRequested, true);
        _disconnectedSignal.Set();
    }

    /// <summary>Publishes with QoS 1 and waits for the PUBACK; throws unless the broker accepted it.</summary>
    private async Task<MqttClientPublishReasonCode> PublishAsync(
        string topic,
        byte[] payload,
        bool retain,
        CancellationToken cancellationToken,
        byte[]? correlationData = null,
        bool acceptNoSubscribers = true,
        bool raisePublished = true)
    {
        var builder = Factory.CreateApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(retain)
            .WithContentType(JsonContentType)
            .WithPayloadFormatIndicator(MqttPayloadFormatIndicator.CharacterData);
        if (correlationData is { Length: > 0 })
        {
            builder = builder.WithCorrelationData(correlationData);
        }

        var result = await WithoutCancellingAsync(_client.PublishAsync(builder.Build(), CancellationToken.None), cancellationToken)
            .ConfigureAwait(false);
        var accepted = result.ReasonCode == MqttClientPublishReasonCode.Success
            || (acceptNoSubscribers && result.ReasonCode == MqttClientPublishReasonCode.NoMatchingSubscribers);
        if (accepted && raisePublished)
        {
            RaisePublished(topic, payload);
        }

        return result.ReasonCode;
    }

    private async Task PublishLatestStateAsync(CancellationToken cancellationToken)
    {
        await _stateLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Always the latest state, whoever calls: the retained message ends up current.
            var state = Volatile.Read(ref _lastState);
            if (state is null)
            {
                return;
            }

            var code = await PublishAsync(Topics.State, ClinicLinkJson.Serialize(StatePayload.From(state, Mode)), retain: true, cancellationToken)
                .ConfigureAwait(false);
            ThrowIfRefused(code, Topics.State);
        }
        finally
        {
            _stateLock.Release();
        }
    }

    private static void ThrowIfRefused(MqttClientPublishReasonCode code, string topic)
    {
        if (code is not (MqttClientPublishReasonCode.Success or MqttClientPublishReasonCode.NoMatchingSubscribers))
        {
            throw new InvalidOperationException($"broker refused the publish to {topic}: {code}");
        }
    }

    private void KeepOfflineAlert(byte[] payload, AlertKind kind)
    {
        lock (_alertLock)
        {
            if (_offlineAlerts.Count >= OfflineAlertCapacity)
            {
                _offlineAlerts.Dequeue();
                LogAlertDropped();
            }

            _offlineAlerts.Enqueue(payload);
        }

        LogAlertKept(kind);
    }

    private async Task FlushOfflineAlertsAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            byte[] payload;
            lock (_alertLock)
            {
                if (!_offlineAlerts.TryPeek(out payload!))
                {
                    return;
                }
            }

            var code = await PublishAsync(Topics.AlertEvent, payload, retain: false, cancellationToken).ConfigureAwait(false);
            ThrowIfRefused(code, Topics.AlertEvent);
            lock (_alertLock)
            {
                if (_offlineAlerts.TryPeek(out var head) && ReferenceEquals(head, payload))
                {
                    _offlineAlerts.Dequeue();
                }
            }
        }
    }

    private void RaisePublished(string topic, byte[] payload)
    {
        var handlers = Published;
        if (handlers is null)
        {
            return;
        }

        var text = Encoding.UTF8.GetString(payload);
        foreach (var handler in handlers.GetInvocationList().Cast<Action<string, string>>())
        {
            try
            {
                handler(topic, text);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogObserverFailed(ex);
            }
        }
    }

    // ---- verifications ------------------------------------------------------------------------------

    /// <summary>
    /// Publishes pending verifications one after the other, in outbox order (so the clinic sees them in order),
    /// each awaiting its PUBACK, and deletes the acknowledged ones from the outbox in one transaction per batch.
    /// A crash between a PUBACK and that deletion re-sends those items after the restart (the clinic de-duplicates
    /// on the id); nothing is ever deleted before its PUBACK.
    /// </summary>
    private async Task DeliverVerificationsAsync(CancellationToken stopping)
    {
        Guid? warnedAbout = null;
        while (!stopping.IsCancellationRequested)
        {
            IReadOnlyList<OutboxItem> batch;
            try
            {
                batch = await _outbox.PeekPendingAsync(DeliveryBatchSize, stopping).ConfigureAwait(false);
            }
            catch (Exception ex) when (!stopping.IsCancellationRequested && ex is not OutOfMemoryException)
            {
                LogOutboxFailed(ex);
                await Task.Delay(_options.UndeliveredRetryDelay, stopping).ConfigureAwait(false);
                continue;
            }

            if (batch.Count == 0)
            {
                await _outboxSignal.WaitAsync(stopping).ConfigureAwait(false);
                continue;
            }

            await WaitUntilOnlineAsync(stopping).ConfigureAwait(false);

            var delivered = new List<(Guid Id, byte[] Payload)>(batch.Count);
            (Guid Id, MqttClientPublishReasonCode Code)? notTaken = null;
            var failed = false;
            foreach (var item in batch)
            {
                var payload = item.Payload.ToArray();
                MqttClientPublishReasonCode code;
                try
                {
                    code = await PublishAsync(
                        Topics.VerificationEvent,
                        payload,
                        retain: false,
                        stopping,
                        acceptNoSubscribers: false,
                        raisePublished: false).ConfigureAwait(false);
                }
                catch (Exception ex) when (!stopping.IsCancellationRequested && ex is not OutOfMemoryException)
                {
                    // Not acknowledged (link lost, timeout): it stays pending and goes again once online.
                    LogVerificationRetry(item.Id, ex.Message);
                    failed = true;
                    break;
                }

                if (code != MqttClientPublishReasonCode.Success)
                {
                    // "No matching subscribers" means nobody got it (a clinic system with a persistent session
                    // counts as a subscriber even while away), so it is not delivered. Refusals likewise.
                    notTaken = (item.Id, code);
                    break;
                }

                delivered.Add((item.Id, payload));
            }

            if (delivered.Count > 0)
            {
                await MarkDeliveredAsync([.. delivered.Select(d => d.Id)], stopping).ConfigureAwait(false);
                foreach (var (id, payload) in delivered)
                {
                    LogVerificationDelivered(id);
                    RaisePublished(Topics.VerificationEvent, payload);
                }

                warnedAbout = null;
            }

            if (failed)
            {
                if (IsOnline)
                {
                    await Task.Delay(_options.UndeliveredRetryDelay, stopping).ConfigureAwait(false);
                }
            }
            else if (notTaken is { } refused)
            {
                if (warnedAbout != refused.Id)
                {
                    LogVerificationNotTaken(refused.Id, refused.Code);
                    warnedAbout = refused.Id;
                }

                await _outboxSignal.WaitAsync(_options.UndeliveredRetryDelay, stopping).ConfigureAwait(false);
            }
        }
    }

    private async Task MarkDeliveredAsync(IReadOnlyCollection<Guid> ids, CancellationToken stopping)
    {
        while (true)
        {
            try
            {
                await _outbox.MarkDeliveredAsync(ids, stopping).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (!stopping.IsCancellationRequested && ex is not OutOfMemoryException)
            {
                // They would go out again; the clinic de-duplicates on the id, but do not loop on a broken store.
                LogOutboxFailed(ex);
                await Task.Delay(_options.UndeliveredRetryDelay, stopping).ConfigureAwait(false);
            }
        }
    }

    private void OnBrokerClientSubscribed(string clientId, string topicFilter) => _outboxSignal.Set();

    private void OnOutboxNearlyFullChanged(bool nearlyFull)
    {
        if (nearlyFull && _outbox is IVerificationOutboxCapacity capacity)
        {
            RaiseOutboxAlert($"The verification outbox is nearly full (capacity {capacity.Capacity}); verifications are refused once it is full.");
        }
    }

    private void RaiseOutboxAlert(string detail) =>
        _ = PublishAlertAsync(new TerminalAlert(AlertKind.DeviceFault, null, DateTimeOffset.UtcNow, detail), CancellationToken.None);

    // ---- requests -----------------------------------------------------------------------------------

    private Task OnMessageReceivedAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        try
        {
            HandleRequest(e.ApplicationMessage);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Never let a request take the client down.
            LogRequestFailed(e.ApplicationMessage?.Topic, ex);
        }

        return Task.CompletedTask;
    }

    private void HandleRequest(MqttApplicationMessage message)
    {
        if (!Topics.TryGetRequestName(message.Topic, out var name))
        {
            LogRequestIgnored(message.Topic, "not a request topic");
            return;
        }

        if (message.Retain)
        {
            // A retained request would be replayed on every reconnect: refuse to act on it.
            LogRequestIgnored(message.Topic, "retained");
            return;
        }

        var result = ClinicRequestParser.Parse(name, message.Payload, _options.RequestToken);
        var topic = ResponseTopicFor(name, message);
        if (result.Control is { } control)
        {
            _ = AnswerControlAsync(name, control, result.Transaction, topic, message.CorrelationData);
            return;
        }

        var error = result.Error;
        if (result.Command is { } command && !_commands.Writer.TryWrite(command))
        {
            error = _commands.Reader.Completion.IsCompleted ? "terminal is stopping" : "terminal busy: too many pending commands";
        }

        if (error is null)
        {
            LogRequestAccepted(name);
        }
        else
        {
            LogRequestRefused(name, error);
        }

        var response = error is null
            ? ResponsePayload.Success(result.Transaction)
            : ResponsePayload.Failure(error, result.Transaction);
        _responses.Writer.TryWrite(new OutgoingMessage(topic, ClinicLinkJson.Serialize(response), message.CorrelationData));
    }

    /// <summary>Hands a <c>mode</c> or <c>selftest</c> to the session loop and answers with what it reports.</summary>
    private async Task AnswerControlAsync(string name, ClinicControl control, string? transaction, string topic, byte[]? correlationData)
    {
        ResponsePayload response;
        try
        {
            response = await RunControlAsync(control, transaction).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            response = ResponsePayload.Failure(ex.Message, transaction);
        }

        if (response.Ok)
        {
            LogRequestAccepted(name);
        }
        else
        {
            LogRequestRefused(name, response.Error ?? "failed");
        }

        _responses.Writer.TryWrite(new OutgoingMessage(topic, ClinicLinkJson.Serialize(response), correlationData));
    }

    private async Task<ResponsePayload> RunControlAsync(ClinicControl control, string? transaction)
    {
        if (Volatile.Read(ref _controlReaders) == 0)
        {
            return ResponsePayload.Failure("the terminal's session loop is not running", transaction);
        }

        var request = new ClinicControlRequest(control);
        if (!_controls.Writer.TryWrite(request))
        {
            return ResponsePayload.Failure(_controls.Reader.Completion.IsCompleted ? "terminal is stopping" : "terminal busy: too many pending requests", transaction);
        }

        ClinicControlReply reply;
        try
        {
            reply = await request.Reply.WaitAsync(_options.OperationTimeout, _stopping?.Token ?? CancellationToken.None).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return ResponsePayload.Failure("the session loop did not answer in time", transaction);
        }
        catch (InvalidOperationException ex)
        {
            return ResponsePayload.Failure(ex.Message, transaction);
        }

        if (reply.Checks is not { } checks)
        {
            return ResponsePayload.Success(transaction) with { Mode = reply.Mode, Phase = reply.Phase };
        }

        var failedChecks = checks.Where(c => !c.Ok).Select(c => c.Name).ToList();
        var response = failedChecks.Count == 0
            ? ResponsePayload.Success(transaction)
            : ResponsePayload.Failure($"self-test failed: {string.Join(", ", failedChecks)}", transaction);
        return response with { Mode = reply.Mode, Phase = reply.Phase, Checks = [.. checks.Select(c => new SelfTestCheckPayload(c.Name, c.Ok, c.Detail))] };
    }

    /// <summary>The request's MQTT 5 response topic when allowed, else <c>response/&lt;name&gt;</c>.</summary>
    private string ResponseTopicFor(string name, MqttApplicationMessage message)
    {
        var topic = Topics.Response(name);
        if (!string.IsNullOrEmpty(message.ResponseTopic))
        {
            if (IsAllowedResponseTopic(message.ResponseTopic))
            {
                topic = message.ResponseTopic;
            }
            else
            {
                LogRequestIgnored(message.ResponseTopic, "response topic not allowed; answering on the default one");
            }
        }

        return topic;
    }

    /// <summary>
    /// A response topic must be a plain topic name, and inside <c>mynaterm/</c> only this terminal's
    /// <c>response/</c> tree: a request must not make the terminal publish onto another terminal's (or its
    /// own) state, availability or event topics, which its broker account may be allowed to write.
    /// </summary>
    private bool IsAllowedResponseTopic(string topic) =>
        topic.Length is > 0 and <= 1024
        && !topic.Contains('+')
        && !topic.Contains('#')
        && !topic.Contains('\0')
        && !topic.StartsWith('$')
        && (!topic.StartsWith(MqttTopics.Root + "/", StringComparison.Ordinal)
            || topic.StartsWith(Topics.ResponsePrefix, StringComparison.Ordinal));

    private async Task SendResponsesAsync(CancellationToken stopping)
    {
        await foreach (var response in _responses.Reader.ReadAllAsync(stopping).ConfigureAwait(false))
        {
            if (!IsOnline)
            {
                LogResponseDropped(response.Topic);
                continue;
            }

            try
            {
                await PublishAsync(response.Topic, response.Payload, retain: false, stopping, response.CorrelationData).ConfigureAwait(false);
            }
            catch (Exception ex) when (!stopping.IsCancellationRequested && ex is not OutOfMemoryException)
            {
                LogResponseFailed(response.Topic, ex.Message);
            }
        }
    }

    private sealed record OutgoingMessage(string Topic, byte[] Payload, byte[]? CorrelationData);

    // ---- logging ------------------------------------------------------------------------------------

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Clinic link {TerminalId} starting: broker {Host}:{Port} (embedded: {Embedded})")]
    private partial void LogStarting(string terminalId, string host, int port, bool embedded);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Clinic link online at {Host}:{Port}")]
    private partial void LogOnline(string host, int port);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Connecting to {Host}:{Port} failed ({Reason}); next try in {Delay}")]
    private partial void LogConnectFailed(string host, int port, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "Connection to the broker lost ({Reason}: {Detail})")]
    private partial void LogConnectionLost(MqttClientDisconnectReason reason, string? detail);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Warning, Message = "The broker did not answer a ping; reconnecting")]
    private partial void LogPingFailed();

    [LoggerMessage(EventId = 1011, Level = LogLevel.Warning, Message = "The broker did not acknowledge in time; reconnecting")]
    private partial void LogRequestTimedOut();

    [LoggerMessage(EventId = 1006, Level = LogLevel.Debug, Message = "Disconnect failed: {Reason}")]
    private partial void LogDisconnectFailed(string reason);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Information, Message = "Clinic link stopped")]
    private partial void LogStopped();

    [LoggerMessage(EventId = 1008, Level = LogLevel.Warning, Message = "Could not say goodbye to the broker")]
    private partial void LogGoodbyeFailed(Exception exception);

    [LoggerMessage(EventId = 1009, Level = LogLevel.Critical, Message = "Clinic link loop {Loop} failed; the link no longer works")]
    private partial void LogLoopFailed(string loop, Exception exception);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Warning, Message = "A clinic link observer threw")]
    private partial void LogObserverFailed(Exception exception);

    [LoggerMessage(EventId = 1020, Level = LogLevel.Information, Message = "Verification {Id} queued")]
    private partial void LogVerificationQueued(Guid id);

    [LoggerMessage(EventId = 1021, Level = LogLevel.Information, Message = "Verification {Id} is already queued")]
    private partial void LogVerificationDuplicate(Guid id);

    [LoggerMessage(EventId = 1022, Level = LogLevel.Information, Message = "Verification {Id} delivered")]
    private partial void LogVerificationDelivered(Guid id);

    [LoggerMessage(EventId = 1023, Level = LogLevel.Warning, Message = "Verification {Id} not acknowledged ({Reason}); it stays queued")]
    private partial void LogVerificationRetry(Guid id, string reason);

    [LoggerMessage(EventId = 1024, Level = LogLevel.Warning, Message = "Verification {Id} not taken by the broker ({Code}); retrying until a subscriber takes it")]
    private partial void LogVerificationNotTaken(Guid id, MqttClientPublishReasonCode code);

    [LoggerMessage(EventId = 1025, Level = LogLevel.Error, Message = "The verification outbox failed")]
    private partial void LogOutboxFailed(Exception exception);

    [LoggerMessage(EventId = 1030, Level = LogLevel.Debug, Message = "State not published now; it is republished on reconnect")]
    private partial void LogStateDeferred(Exception exception);

    [LoggerMessage(EventId = 1031, Level = LogLevel.Warning, Message = "Alert {Kind} not published now; it is kept for the reconnect")]
    private partial void LogAlertDeferred(AlertKind kind, Exception exception);

    [LoggerMessage(EventId = 1032, Level = LogLevel.Information, Message = "Offline: alert {Kind} kept for the reconnect")]
    private partial void LogAlertKept(AlertKind kind);

    [LoggerMessage(EventId = 1033, Level = LogLevel.Warning, Message = "Offline alert queue full: the oldest alert was dropped")]
    private partial void LogAlertDropped();

    [LoggerMessage(EventId = 1040, Level = LogLevel.Information, Message = "Request {Name} accepted")]
    private partial void LogRequestAccepted(string name);

    [LoggerMessage(EventId = 1041, Level = LogLevel.Warning, Message = "Request {Name} refused: {Error}")]
    private partial void LogRequestRefused(string name, string error);

    [LoggerMessage(EventId = 1042, Level = LogLevel.Debug, Message = "Message on {Topic} ignored: {Reason}")]
    private partial void LogRequestIgnored(string? topic, string reason);

    [LoggerMessage(EventId = 1043, Level = LogLevel.Error, Message = "Handling the message on {Topic} failed")]
    private partial void LogRequestFailed(string? topic, Exception exception);

    [LoggerMessage(EventId = 1044, Level = LogLevel.Warning, Message = "Offline: response on {Topic} dropped")]
    private partial void LogResponseDropped(string topic);

    [LoggerMessage(EventId = 1045, Level = LogLevel.Warning, Message = "Response on {Topic} failed: {Reason}")]
    private partial void LogResponseFailed(string topic, string reason);

    [LoggerMessage(EventId = 1050, Level = LogLevel.Error, Message = "TLS: refused the broker's certificate: {Reason}")]
    private partial void LogCertificateRejected(string reason);
}
