using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using MynaTerminal.ClinicLink.Internal;
using MynaTerminal.Core.Cards;
using MynaTerminal.Core.Results;

namespace MynaTerminal.ClinicLink.Gateway;

/// <summary>Settings of a <see cref="ClinicGateway"/>.</summary>
public sealed record ClinicGatewayOptions
{
    public string Host { get; init; } = "127.0.0.1";

    public int Port { get; init; } = 1883;

    /// <summary>Fixed, so the broker keeps the gateway's persistent session (and its verifications) while it is away.</summary>
    public string ClientId { get; init; } = "mynaterm-gateway";

    public string? Username { get; init; }

    public string? Password { get; init; }

    /// <summary>TLS to the broker; null = plain MQTT.</summary>
    public TlsSettings? Tls { get; init; }

    /// <summary>The SQLite file with the ids already counted and the terminals' keys (required).</summary>
    public required string StorePath { get; init; }

    /// <summary>Roster to answer eligibility from; null = log only, never answer.</summary>
    public string? RosterPath { get; init; }

    /// <summary>The terminals' <see cref="ClinicLinkOptions.RequestToken"/>, sent with every answer.</summary>
    public string? RequestToken { get; init; }

    /// <summary>How long the broker keeps the gateway's session (and queues verifications) while it is away.</summary>
    public TimeSpan SessionExpiry { get; init; } = TimeSpan.FromDays(7);

    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>One accepted verification as the gateway logs it: one JSON line, no name, no certificate body.</summary>
public sealed record GatewayLogEntry(
    DateTimeOffset ReceivedAt,
    string TerminalId,
    Guid Id,
    DateTimeOffset StartedAt,
    DateTimeOffset CompletedAt,
    CardKind CardKind,
    IdentityMethod Method,
    string CertificateSerial,
    CertificateExpiry CertificateExpiry,
    bool MedicalInformationShared,
    IReadOnlyList<ConsentDecisionPayload> Consents,
    PrescriptionForm? PrescriptionForm,
    string KeyId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] EligibilityStatus? Answered);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    Converters =
    [
        typeof(CamelCaseEnumConverter<CardKind>),
        typeof(CamelCaseEnumConverter<IdentityMethod>),
        typeof(CamelCaseEnumConverter<CertificateExpiry>),
        typeof(CamelCaseEnumConverter<PrescriptionForm>),
        typeof(CamelCaseEnumConverter<EligibilityStatus>),
    ])]
[JsonSerializable(typeof(GatewayLogEntry))]
internal sealed partial class GatewayJsonContext : JsonSerializerContext;

/// <summary>
/// The reference clinic gateway (<c>mynaterm gateway</c>): one MQTT client with a persistent session that
/// <list type="bullet">
/// <item>subscribes (QoS 1) to every terminal's retained <c>info</c> and remembers each terminal's device keys;</item>
/// <item>receives every <c>event/verification</c>, checks its signature against the key from that terminal's
/// <c>info</c> (a verification whose key has not arrived yet waits in the store), and counts each id once — the
/// ids are stored (SQLite) before the broker gets the PUBACK, so neither a re-delivery nor a gateway restart
/// counts one twice;</item>
/// <item>logs each accepted verification as one JSON line (<see cref="GatewayLogEntry"/>) and answers it on
/// <c>request/eligibility</c> from the <see cref="Roster"/>.</item>
/// </list>
/// A template for integrators: replace the roster with the clinic's eligibility system.
/// </summary>
public sealed partial class ClinicGateway : IAsyncDisposable
{
    private static readonly MqttClientFactory Factory = new();

    private readonly ClinicGatewayOptions _options;
    private readonly ILogger _logger;
    private readonly TextWriter? _log;
    private readonly TimeProvider _clock;
    private readonly IMqttClient _client;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _connectedLock = new();
    private readonly AsyncSignal _disconnected = new();
    private readonly Channel<(string Topic, byte[] Payload, byte[] CorrelationData)> _answers =
        Channel.CreateUnbounded<(string, byte[], byte[])>(new UnboundedChannelOptions { SingleReader = true });

    private readonly Dictionary<(string Terminal, string Kid), DeviceKeyJwk> _keys = [];
    private Roster? _roster;
    private DateTime _rosterWrittenAt;
    private TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource? _stopping;
    private Task _loops = Task.CompletedTask;
    private long _accepted;
    private long _duplicates;
    private long _rejected;

    /// <param name="options">Broker, store, roster.</param>
    /// <param name="log">Where the JSON lines go (a file or standard output); null = nowhere.</param>
    /// <param name="logger">Diagnostics.</param>
    /// <param name="clock">Time of <see cref="GatewayLogEntry.ReceivedAt"/>.</param>
    public ClinicGateway(ClinicGatewayOptions options, TextWriter? log = null, ILogger? logger = null, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _log = log is null ? null : TextWriter.Synchronized(log);
        _logger = logger ?? NullLogger.Instance;
        _clock = clock ?? TimeProvider.System;
        if (options.RosterPath is { } rosterPath)
        {
            _roster = Roster.Load(rosterPath);
            _rosterWrittenAt = File.GetLastWriteTimeUtc(rosterPath);
        }

        Store = new GatewayStore(options.StorePath);
        _client = Factory.CreateMqttClient(new MqttNetLoggerAdapter(_logger, LogLevel.Debug));
        _client.ApplicationMessageReceivedAsync += OnMessageAsync;
        _client.DisconnectedAsync += _ =>
        {
            _disconnected.Set();
            return Task.CompletedTask;
        };
    }

    /// <summary>Raised after a verification was accepted, stored and logged (on the client's thread).</summary>
    public event Action<GatewayLogEntry>? Accepted;

    public GatewayStore Store { get; }

    /// <summary>Verifications accepted since start (each id once, also across restarts).</summary>
    public long AcceptedCount => Interlocked.Read(ref _accepted);

    /// <summary>Re-deliveries of verifications already accepted (ignored).</summary>
    public long DuplicateCount => Interlocked.Read(ref _duplicates);

    /// <summary>Messages refused: unsigned, malformed, a bad signature, or a terminal id that does not match the topic.</summary>
    public long RejectedCount => Interlocked.Read(ref _rejected);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_stopping is not null)
        {
            throw new InvalidOperationException("The gateway was already started.");
        }

        _stopping = new CancellationTokenSource();
        var token = _stopping.Token;
        _loops = Task.WhenAll(
            Task.Run(() => SuperviseAsync(token), CancellationToken.None),
            Task.Run(() => SendAnswersAsync(token), CancellationToken.None));
        return Task.CompletedTask;
    }

    /// <summary>Completes once connected and subscribed.</summary>
    public Task WaitUntilConnectedAsync(CancellationToken cancellationToken)
    {
        lock (_connectedLock)
        {
            return _connected.Task.WaitAsync(cancellationToken);
        }
    }

    public async Task StopAsync()
    {
        if (_stopping is null || _stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _answers.Writer.TryComplete();
        try
        {
            await _loops.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        if (_client.IsConnected)
        {
            try
            {
                using var timeout = new CancellationTokenSource(_options.OperationTimeout);
                await _client.DisconnectAsync(Factory.CreateClientDisconnectOptionsBuilder().Build(), timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogDisconnectFailed(ex.Message);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _client.Dispose();
        Store.Dispose();
        _stopping?.Dispose();
        _gate.Dispose();
    }

    // ---- connection ---------------------------------------------------------------------------------

    private async Task SuperviseAsync(CancellationToken stopping)
    {
        var delay = _options.ReconnectDelay;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                if (!_client.IsConnected)
                {
                    await ConnectAsync(stopping).ConfigureAwait(false);
                    delay = _options.ReconnectDelay;
                }

                var signalled = await _disconnected.WaitAsync(_options.KeepAlive, stopping).ConfigureAwait(false);
                if (!signalled && _client.IsConnected && !await _client.TryPingAsync(CancellationToken.None).WaitAsync(stopping).ConfigureAwait(false))
                {
                    await _client.DisconnectAsync(Factory.CreateClientDisconnectOptionsBuilder().Build(), CancellationToken.None).ConfigureAwait(false);
                }

                if (!_client.IsConnected)
                {
                    LogDisconnected();
                    lock (_connectedLock)
                    {
                        if (_connected.Task.IsCompleted)
                        {
                            _connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogConnectFailed(_options.Host, _options.Port, ex.Message, delay);
                if (_client.IsConnected)
                {
                    // Connected but not subscribed (a refused subscription): start over with a new connection.
                    try
                    {
                        await _client.DisconnectAsync(Factory.CreateClientDisconnectOptionsBuilder().Build(), CancellationToken.None).ConfigureAwait(false);
                    }
                    catch (Exception disconnect) when (disconnect is not OutOfMemoryException)
                    {
                        LogDisconnectFailed(disconnect.Message);
                    }
                }

                await Task.Delay(delay, stopping).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxReconnectDelay.Ticks));
            }
        }
    }

    private async Task ConnectAsync(CancellationToken stopping)
    {
        var builder = Factory.CreateClientOptionsBuilder()
            .WithTcpServer(_options.Host, _options.Port)
            .WithClientId(_options.ClientId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(false)
            .WithSessionExpiryInterval((uint)_options.SessionExpiry.TotalSeconds)
            .WithKeepAlivePeriod(_options.KeepAlive)
            .WithTimeout(_options.OperationTimeout);
        if (_options.Username is { Length: > 0 } user)
        {
            builder = builder.WithCredentials(user, _options.Password ?? string.Empty);
        }

        if (_options.Tls is { } tls)
        {
            builder = tls.Apply(builder, _options.Host, LogCertificateRejected);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(_options.OperationTimeout * 2);
        var result = await _client.ConnectAsync(builder.Build(), timeout.Token).ConfigureAwait(false);
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new InvalidOperationException($"broker refused the connection: {result.ResultCode} {result.ReasonString}");
        }

        // info first: its retained messages come before verifications published later.
        var subscribe = Factory.CreateSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic($"{MqttTopics.Root}/+/info").WithAtLeastOnceQoS())
            .WithTopicFilter(f => f.WithTopic($"{MqttTopics.Root}/+/event/verification").WithAtLeastOnceQoS())
            .WithTopicFilter(f => f.WithTopic($"{MqttTopics.Root}/+/response/{MqttTopics.Requests.Eligibility}").WithAtLeastOnceQoS())
            .Build();
        var subscribed = await _client.SubscribeAsync(subscribe, CancellationToken.None).WaitAsync(timeout.Token).ConfigureAwait(false);
        foreach (var item in subscribed.Items.Where(i => i.ResultCode > MqttClientSubscribeResultCode.GrantedQoS2))
        {
            throw new InvalidOperationException($"broker refused the subscription to {item.TopicFilter.Topic}: {item.ResultCode}");
        }

        LogConnected(_options.Host, _options.Port, result.IsSessionPresent);
        lock (_connectedLock)
        {
            _connected.TrySetResult();
        }
    }

    // ---- messages -----------------------------------------------------------------------------------

    private async Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        var message = e.ApplicationMessage;
        var parts = message.Topic.Split('/');
        if (parts.Length < 3 || parts[0] != MqttTopics.Root || !MqttTopics.IsValidTerminalId(parts[1]))
        {
            return;
        }

        var terminalId = parts[1];
        var payload = System.Buffers.BuffersExtensions.ToArray(message.Payload);
        var kind = string.Join('/', parts[2..]);

        // One message at a time: the store and the key cache are shared. The PUBACK goes out when this returns,
        // i.e. after the id is committed.
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            switch (kind)
            {
                case "info" when payload.Length > 0:
                    OnInfo(terminalId, payload);
                    break;
                case "event/verification" when !message.Retain:
                    OnVerification(terminalId, payload, fromStore: false);
                    break;
                case "event/verification":
                    LogIgnored(message.Topic, "retained copy of an event");
                    break;
                case "response/eligibility":
                    OnResponse(message.Topic, payload);
                    break;
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // No PUBACK, and reconnect: the broker sends it again from the persistent session (the store
            // failed, say). Never let it kill the client.
            LogHandlingFailed(message.Topic, ex);
            e.AutoAcknowledge = false;
            _ = Task.Run(() => _client.DisconnectAsync(Factory.CreateClientDisconnectOptionsBuilder().Build(), CancellationToken.None));
        }
        finally
        {
            _gate.Release();
        }
    }

    private void OnInfo(string terminalId, byte[] payload)
    {
        InfoPayload? info;
        try
        {
            info = JsonSerializer.Deserialize(payload, ClinicLinkJsonContext.Default.InfoPayload);
        }
        catch (JsonException ex)
        {
            LogIgnored($"{terminalId}/info", $"unreadable info: {ex.Message}");
            return;
        }

        if (info is null || info.TerminalId != terminalId || info.DeviceKey is not { } key || !key.IsConsistent())
        {
            LogIgnored($"{terminalId}/info", "info without a consistent P-256 device key for this terminal");
            return;
        }

        var known = _keys.Keys.Where(k => k.Terminal == terminalId).Select(k => k.Kid).ToList();
        foreach (var stored in Store.KeysOf(terminalId))
        {
            _keys[(terminalId, stored.Kid)] = stored;
        }

        if (Store.RememberKey(terminalId, key, _clock.GetUtcNow()))
        {
            if (known.Count > 0 || Store.KeysOf(terminalId).Count > 1)
            {
                LogKeyChanged(terminalId, key.Kid);
            }
            else
            {
                LogKeyLearned(terminalId, key.Kid);
            }
        }

        _keys[(terminalId, key.Kid)] = key;
        foreach (var (id, message) in Store.Waiting(terminalId))
        {
            if (!OnVerification(terminalId, message, fromStore: true))
            {
                Store.DropWaiting(id);
            }
        }
    }

    /// <summary>Checks, de-duplicates, stores, logs and answers one verification. False when it was refused.</summary>
    private bool OnVerification(string terminalId, byte[] message, bool fromStore)
    {
        if (!VerificationSignature.TrySplit(message, out var signed, out var jws))
        {
            return Reject(terminalId, null, "no signature");
        }

        VerificationPayload? verification;
        try
        {
            verification = JsonSerializer.Deserialize(signed, ClinicLinkJsonContext.Default.VerificationPayload);
        }
        catch (JsonException ex)
        {
            return Reject(terminalId, null, $"unreadable: {ex.Message}");
        }

        if (verification is null || verification.Schema != PayloadSchemas.Verification)
        {
            return Reject(terminalId, null, "not a mynaterm.verification/1");
        }

        if (verification.TerminalId != terminalId)
        {
            return Reject(terminalId, verification.Id, $"its terminalId '{verification.TerminalId}' is not the topic's");
        }

        var status = Store.StatusOf(verification.Id);
        if (status == ReceivedStatus.Accepted)
        {
            Interlocked.Increment(ref _duplicates);
            LogDuplicate(terminalId, verification.Id);
            return true;
        }

        var kid = VerificationSignature.KeyIdOf(jws);
        if (kid is null)
        {
            return Reject(terminalId, verification.Id, "malformed signature");
        }

        if (!TryGetKey(terminalId, kid, out var key))
        {
            if (!fromStore)
            {
                Store.KeepWaiting(verification.Id, terminalId, kid, message, _clock.GetUtcNow());
                LogWaiting(terminalId, verification.Id, kid);
            }

            return true;
        }

        var check = VerificationSignature.VerifyDetached(signed, jws, key);
        if (check != SignatureStatus.Valid)
        {
            return Reject(terminalId, verification.Id, $"signature {check}");
        }

        if (!Store.TryAccept(verification.Id, terminalId, kid, _clock.GetUtcNow()))
        {
            Interlocked.Increment(ref _duplicates);
            LogDuplicate(terminalId, verification.Id);
            return true;
        }

        Interlocked.Increment(ref _accepted);
        var answer = Answer(terminalId, verification);
        var entry = new GatewayLogEntry(
            _clock.GetUtcNow(),
            terminalId,
            verification.Id,
            verification.StartedAt,
            verification.CompletedAt,
            verification.CardKind,
            verification.Method,
            verification.Certificate.SerialNumber,
            verification.Certificate.Expiry,
            verification.MedicalInformationShared,
            verification.Consents.Decisions,
            verification.PrescriptionForm,
            kid,
            answer);
        _log?.WriteLine(JsonSerializer.Serialize(entry, GatewayJsonContext.Default.GatewayLogEntry));
        _log?.Flush();
        LogAccepted(terminalId, verification.Id, verification.Method);
        Accepted?.Invoke(entry);
        return true;
    }

    private bool TryGetKey(string terminalId, string kid, out DeviceKeyJwk key)
    {
        if (_keys.TryGetValue((terminalId, kid), out key!))
        {
            return true;
        }

        foreach (var stored in Store.KeysOf(terminalId))
        {
            _keys[(terminalId, stored.Kid)] = stored;
        }

        return _keys.TryGetValue((terminalId, kid), out key!);
    }

    private bool Reject(string terminalId, Guid? id, string why)
    {
        Interlocked.Increment(ref _rejected);
        LogRejected(terminalId, id, why);
        return false;
    }

    /// <summary>Queues the roster's answer for the verification; null when there is no roster.</summary>
    private EligibilityStatus? Answer(string terminalId, VerificationPayload verification)
    {
        var roster = CurrentRoster();
        if (roster is null)
        {
            return null;
        }

        var entry = roster.Lookup(verification.Certificate.SerialNumber);
        var request = new EligibilityRequestPayload(verification.Id, entry.Status, entry.GreetingName, entry.Notices)
        {
            Transaction = verification.Id.ToString("D"),
            Token = _options.RequestToken,
        };
        _answers.Writer.TryWrite((
            new MqttTopics(terminalId).Request(MqttTopics.Requests.Eligibility),
            ClinicLinkJson.Serialize(request),
            verification.Id.ToByteArray()));
        return entry.Status;
    }

    /// <summary>The roster, read again when its file changed (a broken edit keeps the previous one).</summary>
    private Roster? CurrentRoster()
    {
        if (_options.RosterPath is not { } path)
        {
            return null;
        }

        try
        {
            var written = File.GetLastWriteTimeUtc(path);
            if (written != _rosterWrittenAt)
            {
                _roster = Roster.Load(path);
                _rosterWrittenAt = written;
                LogRosterReloaded(path, _roster.Count);
            }
        }
        catch (Exception ex) when (ex is IOException or FormatException or UnauthorizedAccessException)
        {
            LogRosterUnreadable(path, ex.Message);
        }

        return _roster;
    }

    private void OnResponse(string topic, byte[] payload)
    {
        try
        {
            var response = JsonSerializer.Deserialize(payload, ClinicLinkJsonContext.Default.ResponsePayload);
            if (response is { Ok: false })
            {
                LogAnswerRefused(topic, response.Transaction, response.Error);
            }
        }
        catch (JsonException)
        {
            LogIgnored(topic, "unreadable response");
        }
    }

    private async Task SendAnswersAsync(CancellationToken stopping)
    {
        await foreach (var (topic, payload, correlation) in _answers.Reader.ReadAllAsync(stopping).ConfigureAwait(false))
        {
            try
            {
                await WaitUntilConnectedAsync(stopping).ConfigureAwait(false);
                var message = Factory.CreateApplicationMessageBuilder()
                    .WithTopic(topic)
                    .WithPayload(payload)
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                    .WithContentType("application/json")
                    .WithCorrelationData(correlation)
                    .Build();
                await _client.PublishAsync(message, CancellationToken.None).WaitAsync(stopping).ConfigureAwait(false);
            }
            catch (Exception ex) when (!stopping.IsCancellationRequested && ex is not OutOfMemoryException)
            {
                // An answer is only useful while the patient waits: no retry.
                LogAnswerFailed(topic, ex.Message);
            }
        }
    }

    [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "Gateway connected to {Host}:{Port} (session kept: {SessionPresent})")]
    private partial void LogConnected(string host, int port, bool sessionPresent);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Warning, Message = "Gateway: connecting to {Host}:{Port} failed ({Reason}); next try in {Delay}")]
    private partial void LogConnectFailed(string host, int port, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Warning, Message = "Gateway: connection to the broker lost")]
    private partial void LogDisconnected();

    [LoggerMessage(EventId = 1304, Level = LogLevel.Debug, Message = "Gateway: disconnect failed: {Reason}")]
    private partial void LogDisconnectFailed(string reason);

    [LoggerMessage(EventId = 1305, Level = LogLevel.Information, Message = "Verification {Id} from {TerminalId} accepted ({Method})")]
    private partial void LogAccepted(string terminalId, Guid id, IdentityMethod method);

    [LoggerMessage(EventId = 1306, Level = LogLevel.Information, Message = "Verification {Id} from {TerminalId} received again; counted once")]
    private partial void LogDuplicate(string terminalId, Guid id);

    [LoggerMessage(EventId = 1307, Level = LogLevel.Warning, Message = "Verification {Id} from {TerminalId} refused: {Reason}")]
    private partial void LogRejected(string terminalId, Guid? id, string reason);

    [LoggerMessage(EventId = 1308, Level = LogLevel.Information, Message = "Verification {Id} from {TerminalId} waits for the terminal's key {KeyId} (info)")]
    private partial void LogWaiting(string terminalId, Guid id, string keyId);

    [LoggerMessage(EventId = 1309, Level = LogLevel.Information, Message = "Terminal {TerminalId}: device key {KeyId}")]
    private partial void LogKeyLearned(string terminalId, string keyId);

    [LoggerMessage(EventId = 1310, Level = LogLevel.Warning, Message = "Terminal {TerminalId} announces a new device key {KeyId}; earlier keys stay valid for its earlier verifications")]
    private partial void LogKeyChanged(string terminalId, string keyId);

    [LoggerMessage(EventId = 1311, Level = LogLevel.Debug, Message = "Gateway ignored {Topic}: {Reason}")]
    private partial void LogIgnored(string topic, string reason);

    [LoggerMessage(EventId = 1312, Level = LogLevel.Error, Message = "Gateway could not handle {Topic}; the broker will send it again")]
    private partial void LogHandlingFailed(string topic, Exception exception);

    [LoggerMessage(EventId = 1313, Level = LogLevel.Warning, Message = "The terminal refused the eligibility answer on {Topic} (transaction {Transaction}): {Error}")]
    private partial void LogAnswerRefused(string topic, string? transaction, string? error);

    [LoggerMessage(EventId = 1314, Level = LogLevel.Warning, Message = "Eligibility answer on {Topic} not sent: {Reason}")]
    private partial void LogAnswerFailed(string topic, string reason);

    [LoggerMessage(EventId = 1315, Level = LogLevel.Information, Message = "Roster {Path} read again: {Count} entries")]
    private partial void LogRosterReloaded(string path, int count);

    [LoggerMessage(EventId = 1316, Level = LogLevel.Error, Message = "Roster {Path} cannot be read ({Reason}); the previous one stays in use")]
    private partial void LogRosterUnreadable(string path, string reason);

    [LoggerMessage(EventId = 1317, Level = LogLevel.Error, Message = "Gateway TLS: refused the broker's certificate: {Reason}")]
    private partial void LogCertificateRejected(string reason);
}
