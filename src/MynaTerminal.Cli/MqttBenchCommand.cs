using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using MynaTerminal.ClinicLink;
using MynaTerminal.ClinicLink.Tools;
using MynaTerminal.Core.Cards;
using MynaTerminal.Core.Results;

namespace MynaTerminal.Cli;

/// <summary>
/// <c>mynaterm mqtt bench</c>: publish→receive latency of signed verifications through a broker on loopback, and
/// the outbox drain rate after an outage (N verifications queued in the durable SQLite outbox while no broker
/// was reachable, then the terminal's real link delivers them). Without <c>--broker</c> it starts a private
/// mosquitto (or, when none is installed, the embedded broker). A measurement, not a test: the figures depend on
/// the machine.
/// </summary>
public static class MqttBenchCommand
{
    public sealed record BenchSettings(bool Json, string? Broker, int Count, int Outage);

    /// <summary>The figures; <c>--json</c> writes them with these snake_case keys.</summary>
    public sealed record BenchResult(
        string Broker,
        int Count,
        int PayloadBytes,
        double LatencyMsP50,
        double LatencyMsP99,
        double LatencyMsMax,
        int Outage,
        double EnqueuePerS,
        double DrainSeconds,
        double DrainPerS);

    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Write the figures as one JSON object (latency_ms_p50, latency_ms_p99, drain_per_s, …)." };
        var broker = new Option<string?>("--broker") { Description = "Measure through this broker, HOST[:PORT] (default: a private mosquitto on a free loopback port)." };
        var count = new Option<int>("--count") { Description = "Verifications for the latency measurement (sequential, each waits for its PUBACK and its delivery).", DefaultValueFactory = _ => 2000 };
        var outage = new Option<int>("--outage") { Description = "Verifications queued in the outbox during the outage, then drained.", DefaultValueFactory = _ => 5000 };
        var bench = new Command("bench", "Measure publish→receive latency and the outbox drain rate after an outage.") { json, broker, count, outage };
        bench.SetAction(async (parse, cancellationToken) =>
            await RunAsync(new BenchSettings(parse.GetValue(json), parse.GetValue(broker), parse.GetValue(count), parse.GetValue(outage)), Console.Out, cancellationToken));
        return new Command("mqtt", "MQTT link tools.") { bench };
    }

    public static async Task<int> RunAsync(BenchSettings settings, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Count < 1 || settings.Outage < 1)
        {
            await output.WriteLineAsync("error: --count and --outage must be at least 1");
            return 2;
        }

        string host;
        int port;
        string brokerName;
        PrivateMosquitto? mosquitto = null;
        EmbeddedBroker? embedded = null;
        if (settings.Broker is { } given)
        {
            if (!GatewayCommand.TryParseBroker(given, 1883, out host, out port))
            {
                await output.WriteLineAsync($"error: --broker '{given}' is not HOST[:PORT]");
                return 2;
            }

            brokerName = $"{host}:{port}";
        }
        else if (PrivateMosquitto.IsInstalled)
        {
            (host, port) = ("127.0.0.1", FreePort());
            mosquitto = PrivateMosquitto.CreatePlain(port);
            await mosquitto.StartAsync(cancellationToken);
            brokerName = $"private mosquitto 127.0.0.1:{port} (set_tcp_nodelay true)";
        }
        else
        {
            (host, port) = ("127.0.0.1", FreePort());
            embedded = new EmbeddedBroker(Options.Create(new ClinicLinkOptions { TerminalId = "bench", EmbeddedPort = port, OutboxPath = "" }), NullLogger<EmbeddedBroker>.Instance);
            await embedded.StartAsync(cancellationToken);
            brokerName = $"embedded MQTTnet broker 127.0.0.1:{port} (mosquitto is not installed)";
        }

        try
        {
            if (!settings.Json)
            {
                await output.WriteLineAsync($"Broker: {brokerName}");
            }

            using var key = DeviceKey.CreateEphemeral();
            var (p50, p99, max, bytes) = await MeasureLatencyAsync(host, port, key, settings.Count, cancellationToken);
            if (!settings.Json)
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Latency, publish → receive, {settings.Count} signed verifications of {bytes} bytes, QoS 1: p50 {p50:0.000} ms, p99 {p99:0.000} ms, max {max:0.000} ms"));
            }

            var (enqueuePerS, drainSeconds) = await MeasureDrainAsync(host, port, settings.Outage, cancellationToken);
            var result = new BenchResult(brokerName, settings.Count, bytes, Round(p50), Round(p99), Round(max), settings.Outage, Math.Round(enqueuePerS), Round(drainSeconds), Math.Round(settings.Outage / drainSeconds));
            if (settings.Json)
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["broker"] = result.Broker,
                    ["count"] = result.Count,
                    ["payload_bytes"] = result.PayloadBytes,
                    ["latency_ms_p50"] = result.LatencyMsP50,
                    ["latency_ms_p99"] = result.LatencyMsP99,
                    ["latency_ms_max"] = result.LatencyMsMax,
                    ["outage"] = result.Outage,
                    ["enqueue_per_s"] = result.EnqueuePerS,
                    ["drain_seconds"] = result.DrainSeconds,
                    ["drain_per_s"] = result.DrainPerS,
                }));
            }
            else
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Outage: {settings.Outage} verifications queued in the SQLite outbox ({result.EnqueuePerS:0}/s, one fsync each)"));
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Drain after the outage: {result.DrainSeconds:0.000} s, {result.DrainPerS:0}/s (each PUBACK awaited, deletes batched per {MqttClinicLink.DeliveryBatchSize})"));
            }

            return 0;
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException or MQTTnet.Exceptions.MqttCommunicationException or SocketException)
        {
            await output.WriteLineAsync($"error: {ex.Message}");
            return 1;
        }
        finally
        {
            if (mosquitto is not null)
            {
                await mosquitto.DisposeAsync();
            }

            if (embedded is not null)
            {
                await embedded.DisposeAsync();
            }
        }
    }

    private static double Round(double value) => Math.Round(value, 3);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static VerificationResult Sample(int i)
    {
        var start = DateTimeOffset.UtcNow;
        return new VerificationResult(
            Guid.NewGuid(),
            start,
            start.AddSeconds(30),
            CardKind.Card,
            IdentityMethod.Face,
            new CertificateInfo((0x1000 + i).ToString("X", CultureInfo.InvariantCulture), start.AddYears(3), "JPKI user-auth CA (bench)", new byte[1200]),
            CertificateExpiry.Valid,
            new ConsentSet(ConsentMode.All, [new ConsentDecision("treatment", true, start), new ConsentDecision("medication", true, start), new ConsentDecision("checkup", true, start)]),
            null,
            new FaceEvidence(FaceScoreBand.High, true, 1));
    }

    private static async Task<IMqttClient> ConnectAsync(MqttClientFactory factory, string host, int port, string clientId, CancellationToken cancellationToken)
    {
        var client = factory.CreateMqttClient();
        var options = factory.CreateClientOptionsBuilder()
            .WithTcpServer(host, port)
            .WithClientId(clientId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(true)
            .WithTimeout(TimeSpan.FromSeconds(10))
            .Build();
        var result = await client.ConnectAsync(options, cancellationToken);
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new InvalidOperationException($"the broker refused the bench client: {result.ResultCode}");
        }

        return client;
    }

    /// <summary>Sequential: publish one signed verification, wait for its PUBACK and for the subscriber to get it; repeat.</summary>
    private static async Task<(double P50, double P99, double Max, int Bytes)> MeasureLatencyAsync(string host, int port, DeviceKey key, int count, CancellationToken cancellationToken)
    {
        var factory = new MqttClientFactory();
        var topics = new MqttTopics("bench-" + Guid.NewGuid().ToString("N")[..8]);
        using var subscriber = await ConnectAsync(factory, host, port, "bench-sub-" + Guid.NewGuid().ToString("N"), cancellationToken);
        using var publisher = await ConnectAsync(factory, host, port, "bench-pub-" + Guid.NewGuid().ToString("N"), cancellationToken);
        TaskCompletionSource<long>? arrived = null;
        subscriber.ApplicationMessageReceivedAsync += _ =>
        {
            var at = Stopwatch.GetTimestamp();
            Volatile.Read(ref arrived)?.TrySetResult(at);
            return Task.CompletedTask;
        };
        await subscriber.SubscribeAsync(factory.CreateSubscribeOptionsBuilder().WithTopicFilter(topics.VerificationEvent, MqttQualityOfServiceLevel.AtLeastOnce).Build(), cancellationToken);

        const int warmUp = 200;
        var latencies = new double[count];
        var bytes = 0;
        for (var i = -warmUp; i < count; i++)
        {
            var payload = VerificationPayload.From(Sample(i), topics.TerminalId).Sign(key);
            bytes = payload.Length;
            var message = factory.CreateApplicationMessageBuilder()
                .WithTopic(topics.VerificationEvent)
                .WithPayload(payload)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .WithContentType("application/json")
                .Build();
            var done = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref arrived, done);
            var start = Stopwatch.GetTimestamp();
            var ack = await publisher.PublishAsync(message, cancellationToken);
            if (ack.ReasonCode != MqttClientPublishReasonCode.Success)
            {
                throw new InvalidOperationException($"the broker answered {ack.ReasonCode}");
            }

            var at = await done.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
            if (i >= 0)
            {
                latencies[i] = Stopwatch.GetElapsedTime(start, at).TotalMilliseconds;
            }
        }

        await subscriber.DisconnectAsync(cancellationToken: CancellationToken.None);
        await publisher.DisconnectAsync(cancellationToken: CancellationToken.None);
        Array.Sort(latencies);
        return (Percentile(latencies, 0.50), Percentile(latencies, 0.99), latencies[^1], bytes);
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    /// <summary>
    /// The outage: N verifications go into the durable outbox through the link's own path (signed, one committed
    /// transaction each) while the link cannot reach any broker. Then the link is pointed at the broker and the
    /// time from its connect to the last delivery is measured, with a QoS 1 subscriber taking every message.
    /// </summary>
    private static async Task<(double EnqueuePerS, double DrainSeconds)> MeasureDrainAsync(string host, int port, int outage, CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("mynaterm-bench-").FullName;
        try
        {
            var options = new ClinicLinkOptions
            {
                TerminalId = "bench-" + Guid.NewGuid().ToString("N")[..8],
                Broker = host,
                Port = port,
                OutboxPath = Path.Combine(directory, "outbox.db"),
                OutboxCapacity = Math.Clamp(outage * 2, InMemoryVerificationOutbox.DefaultCapacity, 1_000_000),
                ReconnectDelay = TimeSpan.FromMilliseconds(50),
                MaxReconnectDelay = TimeSpan.FromMilliseconds(200),
            };

            // During the outage: enqueue through a link that is not started (it would find no broker anyway).
            double enqueuePerS;
            using (var key = DeviceKey.LoadOrCreate(options.EffectiveDeviceKeyPath!))
            using (var outbox = new SqliteVerificationOutbox(options.OutboxPath, options.OutboxCapacity))
            {
                var offline = new MqttClinicLink(Options.Create(options), outbox, key, NullLogger<MqttClinicLink>.Instance);
                var fill = Stopwatch.StartNew();
                for (var i = 0; i < outage; i++)
                {
                    await offline.EnqueueVerificationAsync(Sample(i), cancellationToken);
                }

                enqueuePerS = outage / fill.Elapsed.TotalSeconds;
                offline.Dispose();
            }

            // The broker is back: a subscriber takes them; the terminal's link restarts on the same outbox and drains it.
            var factory = new MqttClientFactory();
            using var subscriber = await ConnectAsync(factory, host, port, "bench-drain-" + Guid.NewGuid().ToString("N"), cancellationToken);
            var received = 0;
            var all = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            subscriber.ApplicationMessageReceivedAsync += _ =>
            {
                if (Interlocked.Increment(ref received) == outage)
                {
                    all.TrySetResult(Stopwatch.GetTimestamp());
                }

                return Task.CompletedTask;
            };
            var topics = new MqttTopics(options.TerminalId);
            await subscriber.SubscribeAsync(factory.CreateSubscribeOptionsBuilder().WithTopicFilter(topics.VerificationEvent, MqttQualityOfServiceLevel.AtLeastOnce).Build(), cancellationToken);

            using var drainKey = DeviceKey.LoadOrCreate(options.EffectiveDeviceKeyPath!);
            using var drainOutbox = new SqliteVerificationOutbox(options.OutboxPath, options.OutboxCapacity);
            await using var link = new MqttClinicLink(Options.Create(options), drainOutbox, drainKey, NullLogger<MqttClinicLink>.Instance);
            var online = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            link.ConnectionChanged += up =>
            {
                if (up)
                {
                    online.TrySetResult(Stopwatch.GetTimestamp());
                }
            };
            var start = Stopwatch.GetTimestamp(); // includes the connect: a few ms
            await link.StartAsync(cancellationToken);
            await online.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            var end = await all.Task.WaitAsync(TimeSpan.FromSeconds(Math.Max(60, outage / 100.0)), cancellationToken);
            await link.StopAsync(CancellationToken.None);
            await subscriber.DisconnectAsync(cancellationToken: CancellationToken.None);
            return (enqueuePerS, Stopwatch.GetElapsedTime(start, end).TotalSeconds);
        }
        finally
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
