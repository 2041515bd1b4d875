using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using MynaTerminal.ClinicLink.Gateway;
using MynaTerminal.ClinicLink.Tests.Support;
using MynaTerminal.ClinicLink.Tools;
using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Results;

namespace MynaTerminal.ClinicLink.Tests;

/// <summary>The reference clinic gateway against a real mosquitto: signatures, de-duplication, roster answers.</summary>
public sealed class ClinicGatewayTests
{
    private const string RosterJson = """
        {
          "$comment": "test roster",
          "0a:1b:2c:3d": { "name": "山田 太郎", "status": "有効", "notices": ["お薬手帳をお持ちください"] },
          "FF01": { "name": "佐藤 花子", "status": "資格無効" }
        }
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A gateway and what it accepted, awaitable.</summary>
    private sealed class RunningGateway : IAsyncDisposable
    {
        private readonly ConcurrentQueue<GatewayLogEntry> _accepted = new();
        private readonly List<(Guid Id, TaskCompletionSource Done)> _waiters = [];

        public RunningGateway(ClinicGatewayOptions options)
        {
            Gateway = new ClinicGateway(options, Log, new TestLoggerProvider(TestContext.Current.TestOutputHelper).CreateLogger("gateway"));
            Gateway.Accepted += entry =>
            {
                _accepted.Enqueue(entry);
                lock (_waiters)
                {
                    foreach (var waiter in _waiters.Where(w => w.Id == entry.Id))
                    {
                        waiter.Done.TrySetResult();
                    }
                }
            };
        }

        public ClinicGateway Gateway { get; }

        public StringWriter Log { get; } = new();

        public IReadOnlyList<GatewayLogEntry> Accepted => [.. _accepted];

        public IReadOnlyList<JsonElement> LogLines =>
            [.. Log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone())];

        public static async Task<RunningGateway> StartAsync(int port, string store, string? roster = null)
        {
            var running = new RunningGateway(new ClinicGatewayOptions
            {
                Port = port,
                StorePath = store,
                RosterPath = roster,
                ClientId = "gateway-" + Path.GetFileName(Path.GetDirectoryName(store)),
                ReconnectDelay = TimeSpan.FromMilliseconds(100),
            });
            await running.Gateway.StartAsync(Ct);
            await running.Gateway.WaitUntilConnectedAsync(Ct).WaitAsync(TestClient.DefaultTimeout, Ct);
            return running;
        }

        public Task WaitForAcceptedAsync(Guid id)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_waiters)
            {
                if (_accepted.Any(a => a.Id == id))
                {
                    return Task.CompletedTask;
                }

                _waiters.Add((id, done));
            }

            return done.Task.WaitAsync(TestClient.DefaultTimeout, Ct);
        }

        public ValueTask DisposeAsync() => Gateway.DisposeAsync();
    }

    private static async Task<(PrivateMosquitto Broker, int Port)> StartBrokerAsync()
    {
        MosquittoBroker.SkipIfMissing();
        var port = FreePort.Next();
        var broker = PrivateMosquitto.CreatePlain(port);
        await broker.StartAsync(Ct);
        return (broker, port);
    }

    /// <summary>A clinic-side client that plays a terminal: retained info with its key, then signed verifications.</summary>
    private static async Task<TestClient> FakeTerminalAsync(int port, string terminalId, DeviceKey key)
    {
        var client = await TestClient.ConnectAsync(port, "fake-" + terminalId, cancellationToken: Ct);
        var info = ClinicLinkJson.Serialize(InfoPayload.Create(terminalId, "test", MqttClinicLink.Capabilities, key.PublicJwk));
        await client.PublishAsync($"mynaterm/{terminalId}/info", Encoding.UTF8.GetString(info), retain: true, cancellationToken: Ct);
        return client;
    }

    private static Task PublishAsync(TestClient client, string terminalId, byte[] message) =>
        client.PublishAsync($"mynaterm/{terminalId}/event/verification", Encoding.UTF8.GetString(message), cancellationToken: Ct);

    [Fact]
    public async Task A_terminals_verification_is_checked_logged_once_and_answered_from_the_roster()
    {
        var (broker, port) = await StartBrokerAsync();
        await using var _ = broker;
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("roster.json"), RosterJson);
        await using var gateway = await RunningGateway.StartAsync(port, dir.File("gateway.db"), dir.File("roster.json"));

        var settings = LinkHost.FastSettings("g-term");
        settings["Broker"] = "127.0.0.1";
        settings["Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var terminal = await LinkHost.StartAsync(settings, Ct);
        var result = Samples.FaceVerification();
        await terminal.Link.EnqueueVerificationAsync(result, Ct);

        await gateway.WaitForAcceptedAsync(result.Id);

        // The roster's answer reaches the terminal as its eligibility command.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TestClient.DefaultTimeout);
        await using var commands = terminal.Link.CommandsAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);
        Assert.True(await commands.MoveNextAsync());
        var answer = Assert.IsType<ClinicCommand.Eligibility>(commands.Current).Answer;
        Assert.Equal(result.Id, answer.VerificationId);
        Assert.Equal(EligibilityStatus.Valid, answer.Status);
        Assert.Equal("山田 太郎", answer.GreetingName);
        Assert.Equal(["お薬手帳をお持ちください"], answer.Notices);

        var line = Assert.Single(gateway.LogLines);
        Assert.Equal(result.Id, line.GetProperty("id").GetGuid());
        Assert.Equal("g-term", line.GetProperty("terminalId").GetString());
        Assert.Equal("face", line.GetProperty("method").GetString());
        Assert.Equal("0A1B2C3D", line.GetProperty("certificateSerial").GetString());
        Assert.Equal("valid", line.GetProperty("answered").GetString());
        Assert.Equal(terminal.Link.DeviceKey.KeyId, line.GetProperty("keyId").GetString());
        Assert.DoesNotContain("山田", gateway.Log.ToString(), StringComparison.Ordinal); // the log keeps no name
        Assert.Equal([result.Id], gateway.Gateway.Store.AcceptedIds());
        Assert.Equal(0, gateway.Gateway.RejectedCount);
    }

    [Fact]
    public async Task A_verification_delivered_again_even_after_a_gateway_restart_is_counted_once()
    {
        var (broker, port) = await StartBrokerAsync();
        await using var _ = broker;
        using var dir = new TempDirectory();
        using var key = DeviceKey.CreateEphemeral();
        await using var terminal = await FakeTerminalAsync(port, "g-dup", key);
        var first = VerificationPayload.From(Samples.FaceVerification(), "g-dup").Sign(key);
        var firstId = Samples.IdOf(first);

        await using (var gateway = await RunningGateway.StartAsync(port, dir.File("gateway.db")))
        {
            await PublishAsync(terminal, "g-dup", first);
            await PublishAsync(terminal, "g-dup", first); // a re-delivery (DUP, or the terminal re-sent after a crash)
            var marker = VerificationPayload.From(Samples.PinVerificationInGrace(), "g-dup").Sign(key);
            await PublishAsync(terminal, "g-dup", marker);
            await gateway.WaitForAcceptedAsync(Samples.IdOf(marker));

            Assert.Equal(2, gateway.Gateway.AcceptedCount);
            Assert.Equal(1, gateway.Gateway.DuplicateCount);
            Assert.Equal(2, gateway.LogLines.Count);
        }

        // A new gateway process on the same store: the old id is still known.
        await using var restarted = await RunningGateway.StartAsync(port, dir.File("gateway.db"));
        await PublishAsync(terminal, "g-dup", first);
        var marker2 = VerificationPayload.From(Samples.FaceVerification(), "g-dup").Sign(key);
        await PublishAsync(terminal, "g-dup", marker2);
        await restarted.WaitForAcceptedAsync(Samples.IdOf(marker2));

        Assert.Equal(1, restarted.Gateway.DuplicateCount);
        Assert.Equal(1, restarted.Gateway.AcceptedCount);
        Assert.Equal(3, restarted.Gateway.Store.AcceptedIds().Count);
        Assert.Equal(restarted.Gateway.Store.AcceptedIds().Distinct().Count(), restarted.Gateway.Store.AcceptedIds().Count);
    }

    [Fact]
    public async Task Forged_tampered_unsigned_or_misaddressed_verifications_are_refused_and_not_counted()
    {
        var (broker, port) = await StartBrokerAsync();
        await using var _ = broker;
        using var dir = new TempDirectory();
        using var key = DeviceKey.CreateEphemeral();
        using var stranger = DeviceKey.CreateEphemeral();
        await using var terminal = await FakeTerminalAsync(port, "g-forge", key);
        await using var gateway = await RunningGateway.StartAsync(port, dir.File("gateway.db"));

        var genuine = Encoding.UTF8.GetString(VerificationPayload.From(Samples.FaceVerification(), "g-forge").Sign(key));
        var tampered = genuine.Replace("\"method\":\"face\"", "\"method\":\"pin\"", StringComparison.Ordinal);
        var strangerSigned = Encoding.UTF8.GetString(VerificationPayload.From(Samples.FaceVerification(), "g-forge").Sign(stranger));
        var forgedKid = strangerSigned[..strangerSigned.LastIndexOf(",\"signature\":\"", StringComparison.Ordinal)] + ",\"signature\":\"" +
            Base64Url.Encode(Encoding.UTF8.GetBytes($$"""{"alg":"ES256","kid":"{{key.KeyId}}"}""")) + ".." +
            strangerSigned[(strangerSigned.LastIndexOf("..", StringComparison.Ordinal) + 2)..];
        var unsigned = Encoding.UTF8.GetString(ClinicLinkJson.Serialize(VerificationPayload.From(Samples.FaceVerification(), "g-forge")));
        foreach (var bad in new[] { tampered, forgedKid, unsigned, "not json", "{}" })
        {
            await terminal.PublishAsync("mynaterm/g-forge/event/verification", bad, cancellationToken: Ct);
        }

        // Signed by the right key, but published under another terminal's topic.
        await using var other = await FakeTerminalAsync(port, "g-other", stranger);
        await other.PublishAsync("mynaterm/g-other/event/verification", genuine, cancellationToken: Ct);

        var marker = VerificationPayload.From(Samples.PinVerificationInGrace(), "g-forge").Sign(key);
        await PublishAsync(terminal, "g-forge", marker);
        await gateway.WaitForAcceptedAsync(Samples.IdOf(marker));

        Assert.Equal(6, gateway.Gateway.RejectedCount);
        Assert.Equal([Samples.IdOf(marker)], gateway.Gateway.Store.AcceptedIds());
        Assert.Single(gateway.LogLines);
    }

    [Fact]
    public async Task A_verification_that_comes_before_its_terminals_key_waits_for_the_info_and_old_keys_stay_valid()
    {
        var (broker, port) = await StartBrokerAsync();
        await using var _ = broker;
        using var dir = new TempDirectory();
        using var oldKey = DeviceKey.CreateEphemeral();
        using var newKey = DeviceKey.CreateEphemeral();
        await using var gateway = await RunningGateway.StartAsync(port, dir.File("gateway.db"));
        await using var terminal = await TestClient.ConnectAsync(port, "early-terminal", cancellationToken: Ct);

        // No info yet: the gateway keeps it (stored, not counted) ...
        var early = VerificationPayload.From(Samples.FaceVerification(), "g-early").Sign(oldKey);
        await PublishAsync(terminal, "g-early", early);
        Assert.Empty(gateway.Accepted);

        // ... and accepts it once the terminal announces the key.
        var info = ClinicLinkJson.Serialize(InfoPayload.Create("g-early", "test", MqttClinicLink.Capabilities, oldKey.PublicJwk));
        await terminal.PublishAsync("mynaterm/g-early/info", Encoding.UTF8.GetString(info), retain: true, cancellationToken: Ct);
        await gateway.WaitForAcceptedAsync(Samples.IdOf(early));

        // A new key (the key file was replaced): a replay signed by the old key still verifies.
        var newInfo = ClinicLinkJson.Serialize(InfoPayload.Create("g-early", "test", MqttClinicLink.Capabilities, newKey.PublicJwk));
        await terminal.PublishAsync("mynaterm/g-early/info", Encoding.UTF8.GetString(newInfo), retain: true, cancellationToken: Ct);
        var replayed = VerificationPayload.From(Samples.PinVerificationInGrace(), "g-early").Sign(oldKey);
        var fresh = VerificationPayload.From(Samples.FaceVerification(), "g-early").Sign(newKey);
        await PublishAsync(terminal, "g-early", replayed);
        await PublishAsync(terminal, "g-early", fresh);
        await gateway.WaitForAcceptedAsync(Samples.IdOf(fresh));
        await gateway.WaitForAcceptedAsync(Samples.IdOf(replayed));
        Assert.Equal(2, gateway.Gateway.Store.KeysOf("g-early").Count);
        Assert.Equal(0, gateway.Gateway.RejectedCount);
    }

    [Fact]
    public void The_roster_reads_japanese_and_api_statuses_and_matches_serials_as_hex_numbers()
    {
        var roster = Gateway.Roster.Parse(Encoding.UTF8.GetBytes(RosterJson + "\n"));

        Assert.Equal(2, roster.Count);
        var yamada = roster.Lookup("0A1B2C3D");
        Assert.Equal(("山田 太郎", EligibilityStatus.Valid), (yamada.GreetingName, yamada.Status));
        Assert.Equal(yamada, roster.Lookup("00:0a:1b:2c:3d"));
        Assert.Equal(EligibilityStatus.Invalid, roster.Lookup("ff01").Status);
        var unknown = roster.Lookup("1234");
        Assert.Equal((null, EligibilityStatus.NotFound), (unknown.GreetingName, unknown.Status));

        var english = Gateway.Roster.Parse("""{"AB":{"status":"notFound"},"CD":{"name":null,"status":"valid"}}"""u8);
        Assert.Equal(EligibilityStatus.NotFound, english.Lookup("ab").Status);
        Assert.Equal(EligibilityStatus.Valid, english.Lookup("cd").Status);

        var sample = Path.Combine(AppContext.BaseDirectory, "mqtt", "examples", "roster.sample.json");
        Assert.True(Gateway.Roster.Load(sample).Count > 0, "docs/mqtt/examples/roster.sample.json must be a valid roster");
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("""{"XYZ":{"status":"有効"}}""")]
    [InlineData("""{"AB":{"status":"ok"}}""")]
    [InlineData("""{"AB":{"name":"x"}}""")]
    [InlineData("""{"AB":{"status":"有効","name":7}}""")]
    [InlineData("""{"AB":{"status":"有効","notices":"x"}}""")]
    [InlineData("""{"AB":{"status":"有効"},"0ab":{"status":"有効"}}""")]
    [InlineData("not json")]
    public void A_broken_roster_is_refused_with_a_reason(string json)
    {
        var error = Assert.Throws<FormatException>(() => Gateway.Roster.Parse(Encoding.UTF8.GetBytes(json), "roster.json"));
        Assert.StartsWith("roster.json:", error.Message, StringComparison.Ordinal);
    }
}
