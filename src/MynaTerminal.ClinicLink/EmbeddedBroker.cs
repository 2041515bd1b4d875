using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet.Protocol;
using MQTTnet.Server;
using MynaTerminal.ClinicLink.Internal;

namespace MynaTerminal.ClinicLink;

/// <summary>
/// An in-process MQTT broker (MQTTnet.Server) for the one-command simulation and for tests. It runs only
/// when no external broker is configured, listens on <see cref="ClinicLinkOptions.EmbeddedBindAddress"/>
/// (loopback by default) and keeps retained messages in memory, so ordinary clients work against it:
/// <c>mosquitto_sub -h 127.0.0.1 -p 1883 -t 'mynaterm/#' -v</c>.
/// </summary>
public sealed partial class EmbeddedBroker : IHostedService, IAsyncDisposable, IDisposable
{
    private readonly ClinicLinkOptions _options;
    private readonly ILogger<EmbeddedBroker> _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, HashSet<string>> _subscriptions = new(StringComparer.Ordinal);
    private readonly List<(string Prefix, TaskCompletionSource Completion)> _waiters = [];
    private MqttServer? _server;

    public EmbeddedBroker(IOptions<ClinicLinkOptions> options, ILogger<EmbeddedBroker> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _logger = logger;
        BindAddress = IPAddress.Parse(_options.EmbeddedBindAddress);
        Topics = new MqttTopics(_options.TerminalId);
    }

    /// <summary>
    /// Raised when a client other than the terminal itself subscribes: (client id, topic filter).
    /// Handlers run on the broker's thread; keep them short.
    /// </summary>
    public event Action<string, string>? ClientSubscribed;

    /// <summary>False when an external broker is configured; then <see cref="StartAsync"/> does nothing.</summary>
    public bool IsEnabled => _options.UsesEmbeddedBroker;

    public bool IsRunning => _server?.IsStarted == true;

    public IPAddress BindAddress { get; }

    public int Port => _options.EmbeddedPort;

    /// <summary>The address the terminal's own client connects to (loopback when bound to "any").</summary>
    public IPAddress ConnectAddress => ConnectAddressFor(BindAddress);

    public MqttTopics Topics { get; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!IsEnabled)
        {
            LogDisabled(_options.Broker);
            return;
        }

        if (_server is not null)
        {
            return;
        }

        var factory = new MqttServerFactory();
        var builder = factory.CreateServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointPort(Port)
            .WithPersistentSessions(false);
        builder = BindAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? builder.WithDefaultEndpointBoundIPAddress(IPAddress.None).WithDefaultEndpointBoundIPV6Address(BindAddress)
            : builder.WithDefaultEndpointBoundIPAddress(BindAddress).WithDefaultEndpointBoundIPV6Address(IPAddress.None);

        // Clients that vanish are normal for a broker, and MQTTnet logs each as an error (also while
        // shutting down): its messages go no higher than Information. Start failures still throw.
        var server = factory.CreateMqttServer(builder.Build(), new MqttNetLoggerAdapter(_logger, LogLevel.Information));
        server.ValidatingConnectionAsync += OnValidatingConnectionAsync;
        server.ClientSubscribedTopicAsync += OnClientSubscribedAsync;
        server.ClientUnsubscribedTopicAsync += OnClientUnsubscribedAsync;
        server.ClientDisconnectedAsync += OnClientDisconnectedAsync;

        try
        {
            await server.StartAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            server.Dispose();
            throw;
        }

        _server = server;
        LogStarted(BindAddress, Port);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var server = Interlocked.Exchange(ref _server, null);
        if (server is null)
        {
            return;
        }

        try
        {
            await server.StopAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            server.Dispose();
            lock (_lock)
            {
                _subscriptions.Clear();
                foreach (var (_, completion) in _waiters)
                {
                    completion.TrySetCanceled(CancellationToken.None);
                }

                _waiters.Clear();
            }

            LogStopped();
        }
    }

    /// <summary>
    /// Completes when a client other than the terminal's own subscribes to a filter that matches topics
    /// under <paramref name="topicFilterPrefix"/> (e.g. <c>mynaterm/terminal-1/</c>; <c>mynaterm/#</c>,
    /// <c>#</c> or <c>mynaterm/+/event/verification</c> all count). Completes at once when such a
    /// subscriber is already there.
    /// </summary>
    public Task WaitForSubscriberAsync(string topicFilterPrefix, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(topicFilterPrefix);
        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (_subscriptions.Values.Any(filters => filters.Any(f => FilterCoversPrefix(f, topicFilterPrefix))))
            {
                return Task.CompletedTask;
            }

            _waiters.Add((topicFilterPrefix, completion));
        }

        return WaitAsync(completion, cancellationToken);

        async Task WaitAsync(TaskCompletionSource tcs, CancellationToken ct)
        {
            try
            {
                await tcs.Task.WaitAsync(ct).ConfigureAwait(false);
            }
            finally
            {
                lock (_lock)
                {
                    _waiters.RemoveAll(w => ReferenceEquals(w.Completion, tcs));
                }
            }
        }
    }

    /// <summary>Waits for an observer of this terminal's topics (<see cref="MqttTopics.Base"/>).</summary>
    public Task WaitForSubscriberAsync(CancellationToken cancellationToken) =>
        WaitForSubscriberAsync(Topics.Base, cancellationToken);

    /// <summary>The client ids, other than the terminal's, with their current subscriptions.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> GetSubscriptions()
    {
        lock (_lock)
        {
            return _subscriptions.ToDictionary(p => p.Key, p => (IReadOnlyList<string>)[.. p.Value], StringComparer.Ordinal);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogStopFailed(ex);
        }
    }

    /// <summary>Synchronous disposal: closes the listener and every client at once.</summary>
    public void Dispose()
    {
        var server = Interlocked.Exchange(ref _server, null);
        server?.Dispose();
        lock (_lock)
        {
            _subscriptions.Clear();
            foreach (var (_, completion) in _waiters)
            {
                completion.TrySetCanceled(CancellationToken.None);
            }

            _waiters.Clear();
        }
    }

    /// <summary>
    /// True when an MQTT topic filter can match some topic that starts with <paramref name="prefix"/>
    /// (a topic-level prefix such as <c>mynaterm/t1/</c>). <c>$share/&lt;group&gt;/</c> is ignored.
    /// </summary>
    internal static bool FilterCoversPrefix(string filter, string prefix)
    {
        if (filter.StartsWith("$share/", StringComparison.Ordinal))
        {
            var groupEnd = filter.IndexOf('/', "$share/".Length);
            if (groupEnd < 0)
            {
                return false;
            }

            filter = filter[(groupEnd + 1)..];
        }

        var prefixLevels = prefix.TrimEnd('/').Split('/');
        var filterLevels = filter.Split('/');
        for (var i = 0; i < prefixLevels.Length; i++)
        {
            if (i >= filterLevels.Length)
            {
                return false;
            }

            var level = filterLevels[i];
            if (level == "#")
            {
                // '#' at the top level does not match topics starting with '$'; ours never do.
                return true;
            }

            if (level != "+" && level != prefixLevels[i])
            {
                return false;
            }
        }

        // The filter goes deeper than the prefix: some topic below the prefix matches it.
        return filterLevels.Length > prefixLevels.Length;
    }

    internal static IPAddress ConnectAddressFor(IPAddress bindAddress)
    {
        if (bindAddress.Equals(IPAddress.Any))
        {
            return IPAddress.Loopback;
        }

        return bindAddress.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback : bindAddress;
    }

    private Task OnValidatingConnectionAsync(ValidatingConnectionEventArgs e)
    {
        if (string.IsNullOrEmpty(e.ClientId) && e.CleanSession != false)
        {
            AssignClientId(e);
        }

        if (string.IsNullOrEmpty(_options.Username))
        {
            return Task.CompletedTask;
        }

        var userOk = FixedTimeEquals(e.UserName, _options.Username);
        var passwordOk = FixedTimeEquals(e.Password, _options.Password ?? string.Empty);
        if (!userOk || !passwordOk)
        {
            e.ReasonCode = MqttConnectReasonCode.BadUserNameOrPassword;
            LogRejected(e.ClientId);
        }

        return Task.CompletedTask;
    }

    private static readonly System.Reflection.FieldInfo? ConnectPacketField =
        typeof(ValidatingConnectionEventArgs).GetField("_connectPacket", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic);

    /// <summary>
    /// MQTT 3.1.1 §3.1.3-6: a clean-session client may leave its id empty and the server assigns one.
    /// mosquitto_sub does exactly that by default. MQTTnet assigns ids only for MQTT 5, so for 3.1.1 the id
    /// is set on the CONNECT packet before MQTTnet checks it (if a future MQTTnet hides the packet, such
    /// clients are refused as before and must pass <c>-i</c>).
    /// </summary>
    private static void AssignClientId(ValidatingConnectionEventArgs e)
    {
        var id = "anonymous-" + Guid.NewGuid().ToString("N");
        e.AssignedClientIdentifier = id;
        if (e.ProtocolVersion != MQTTnet.Formatter.MqttProtocolVersion.V500
            && ConnectPacketField?.GetValue(e) is MQTTnet.Packets.MqttConnectPacket packet)
        {
            packet.ClientId = id;
        }
    }

    private static bool FixedTimeEquals(string? given, string expected) =>
        CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(given ?? string.Empty)),
            SHA256.HashData(Encoding.UTF8.GetBytes(expected)));

    private Task OnClientSubscribedAsync(ClientSubscribedTopicEventArgs e)
    {
        var filter = e.TopicFilter?.Topic;
        if (filter is null || e.ClientId == _options.EffectiveClientId)
        {
            return Task.CompletedTask;
        }

        List<TaskCompletionSource> ready = [];
        lock (_lock)
        {
            if (!_subscriptions.TryGetValue(e.ClientId, out var filters))
            {
                filters = new HashSet<string>(StringComparer.Ordinal);
                _subscriptions[e.ClientId] = filters;
            }

            filters.Add(filter);
            foreach (var (prefix, completion) in _waiters)
            {
                if (FilterCoversPrefix(filter, prefix))
                {
                    ready.Add(completion);
                }
            }
        }

        LogSubscribed(e.ClientId, filter);
        foreach (var completion in ready)
        {
            completion.TrySetResult();
        }

        var handlers = ClientSubscribed;
        if (handlers is not null)
        {
            foreach (var handler in handlers.GetInvocationList().Cast<Action<string, string>>())
            {
                try
                {
                    handler(e.ClientId, filter);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    LogHandlerFailed(ex);
                }
            }
        }

        return Task.CompletedTask;
    }

    private Task OnClientUnsubscribedAsync(ClientUnsubscribedTopicEventArgs e)
    {
        lock (_lock)
        {
            if (_subscriptions.TryGetValue(e.ClientId, out var filters))
            {
                filters.Remove(e.TopicFilter);
                if (filters.Count == 0)
                {
                    _subscriptions.Remove(e.ClientId);
                }
            }
        }

        return Task.CompletedTask;
    }

    private Task OnClientDisconnectedAsync(ClientDisconnectedEventArgs e)
    {
        lock (_lock)
        {
            _subscriptions.Remove(e.ClientId);
        }

        return Task.CompletedTask;
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Embedded MQTT broker listening on {Address}:{Port}")]
    private partial void LogStarted(IPAddress address, int port);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Embedded MQTT broker stopped")]
    private partial void LogStopped();

    [LoggerMessage(EventId = 2003, Level = LogLevel.Debug, Message = "Embedded MQTT broker not started: external broker {Broker} is configured")]
    private partial void LogDisabled(string? broker);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "Client {ClientId} subscribed to {TopicFilter}")]
    private partial void LogSubscribed(string clientId, string topicFilter);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "Client {ClientId} rejected: bad user name or password")]
    private partial void LogRejected(string clientId);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "A ClientSubscribed handler threw")]
    private partial void LogHandlerFailed(Exception exception);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Warning, Message = "Stopping the embedded MQTT broker failed")]
    private partial void LogStopFailed(Exception exception);
}
