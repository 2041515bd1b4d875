using System.Text;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace MynaTerminal.ClinicLink.Tests.Support;

/// <summary>A message a <see cref="TestClient"/> received.</summary>
internal sealed record ReceivedMessage(
    string Topic,
    string Payload,
    bool Retain,
    MqttQualityOfServiceLevel QualityOfService,
    byte[]? CorrelationData);

/// <summary>A clinic-side MQTT client for tests: records what arrives and waits for it without sleeping.</summary>
internal sealed class TestClient : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    private readonly IMqttClient _client;
    private readonly Lock _lock = new();
    private readonly List<ReceivedMessage> _received = [];
    private readonly List<(Func<ReceivedMessage, bool> Predicate, TaskCompletionSource<ReceivedMessage> Completion)> _waiters = [];

    private TestClient(IMqttClient client)
    {
        _client = client;
        _client.ApplicationMessageReceivedAsync += e =>
        {
            var m = e.ApplicationMessage;
            var message = new ReceivedMessage(
                m.Topic,
                Encoding.UTF8.GetString(m.Payload),
                m.Retain,
                m.QualityOfServiceLevel,
                m.CorrelationData);
            List<TaskCompletionSource<ReceivedMessage>> ready = [];
            lock (_lock)
            {
                _received.Add(message);
                foreach (var waiter in _waiters.Where(w => w.Predicate(message)).ToList())
                {
                    _waiters.Remove(waiter);
                    ready.Add(waiter.Completion);
                }
            }

            foreach (var completion in ready)
            {
                completion.TrySetResult(message);
            }

            return Task.CompletedTask;
        };
    }

    public IReadOnlyList<ReceivedMessage> Received
    {
        get
        {
            lock (_lock)
            {
                return [.. _received];
            }
        }
    }

    public bool IsConnected => _client.IsConnected;

    public static async Task<TestClient> ConnectAsync(
        int port,
        string clientId,
        MqttProtocolVersion protocolVersion = MqttProtocolVersion.V500,
        CancellationToken cancellationToken = default,
        string? username = null,
        string? password = null)
    {
        var factory = new MqttClientFactory();
        var client = factory.CreateMqttClient();
        var builder = factory.CreateClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithClientId(clientId)
            .WithProtocolVersion(protocolVersion)
            .WithCleanStart(true)
            .WithTimeout(TimeSpan.FromSeconds(10));
        if (username is not null)
        {
            builder = builder.WithCredentials(username, password ?? string.Empty);
        }

        var options = builder.Build();
        try
        {
            var result = await client.ConnectAsync(options, cancellationToken);
            Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        }
        catch
        {
            client.Dispose();
            throw;
        }

        return new TestClient(client);
    }

    public async Task SubscribeAsync(string topicFilter, CancellationToken cancellationToken = default)
    {
        var result = await _client.SubscribeAsync(
            new MqttClientSubscribeOptionsBuilder()
                .WithTopicFilter(f => f.WithTopic(topicFilter).WithAtLeastOnceQoS())
                .Build(),
            cancellationToken);
        Assert.All(result.Items, item => Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, item.ResultCode));
    }

    /// <summary>Subscribes and returns the broker's answer instead of insisting on a grant.</summary>
    public async Task<MqttClientSubscribeResultCode> TrySubscribeAsync(string topicFilter, CancellationToken cancellationToken = default)
    {
        var result = await _client.SubscribeAsync(
            new MqttClientSubscribeOptionsBuilder().WithTopicFilter(f => f.WithTopic(topicFilter).WithAtLeastOnceQoS()).Build(),
            cancellationToken);
        return Assert.Single(result.Items).ResultCode;
    }

    public Task<MqttClientPublishResult> PublishAsync(
        string topic,
        string payload,
        string? responseTopic = null,
        byte[]? correlationData = null,
        bool retain = false,
        CancellationToken cancellationToken = default)
    {
        var builder = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(retain);
        if (responseTopic is not null)
        {
            builder = builder.WithResponseTopic(responseTopic);
        }

        if (correlationData is not null)
        {
            builder = builder.WithCorrelationData(correlationData);
        }

        return _client.PublishAsync(builder.Build(), cancellationToken);
    }

    /// <summary>The first message (already received or still to come) that matches.</summary>
    public Task<ReceivedMessage> WaitForAsync(Func<ReceivedMessage, bool> predicate, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        WaitForAsync(predicate, skip: 0, timeout, cancellationToken);

    /// <summary>The first matching message after the first <paramref name="skip"/> received ones.</summary>
    public Task<ReceivedMessage> WaitForAsync(Func<ReceivedMessage, bool> predicate, int skip, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var completion = new TaskCompletionSource<ReceivedMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            var existing = _received.Skip(skip).FirstOrDefault(predicate);
            if (existing is not null)
            {
                return Task.FromResult(existing);
            }

            _waiters.Add((predicate, completion));
        }

        return completion.Task.WaitAsync(timeout ?? DefaultTimeout, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_client.IsConnected)
            {
                await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build());
            }
        }
        catch (Exception)
        {
            // Best effort.
        }

        _client.Dispose();
    }
}
