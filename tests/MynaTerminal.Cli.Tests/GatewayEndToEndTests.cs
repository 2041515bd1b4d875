using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MynaTerminal.ClinicLink;
using MynaTerminal.ClinicLink.Tools;
using MynaTerminal.Core.Cards;
using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Results;

namespace MynaTerminal.Cli.Tests;

/// <summary><c>mynaterm gateway</c> and <c>mynaterm mqtt bench</c> as commands.</summary>
public sealed class GatewayEndToEndTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static GatewayCommand.GatewaySettings Settings(string broker, string work) => new(
        broker, null, null, new FileInfo(Path.Combine(work, "gateway.db")), "gateway-" + Path.GetFileName(work),
        null, null, false, null, null, null, [], null, false);

    [Fact]
    public async Task The_gateway_command_logs_a_json_line_per_verification_and_answers_from_the_roster()
    {
        if (!PrivateMosquitto.IsInstalled)
        {
            Assert.Skip($"mosquitto is not installed ({PrivateMosquitto.DefaultExecutable}).");
        }

        var port = SimulateEndToEndTests.FreePort();
        await using var broker = PrivateMosquitto.CreatePlain(port);
        await broker.StartAsync(Ct);
        var work = Directory.CreateTempSubdirectory("mynaterm-gateway-").FullName;
        var roster = Path.Combine(work, "roster.json");
        await File.WriteAllTextAsync(roster, """{ "0C0FFEE": { "name": "山田 花子", "status": "資格無効", "notices": ["受付へお越しください"] } }""", Ct);
        var log = Path.Combine(work, "logs", "verifications.jsonl");
        var console = new StringWriter();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var settings = Settings($"127.0.0.1:{port}", work) with { Roster = new FileInfo(roster), Log = new FileInfo(log) };
        var gateway = Task.Run(() => GatewayCommand.RunAsync(settings, console, TextWriter.Null, stop.Token), Ct);

        // A terminal: the real link with its device key, publishing one verification.
        using var key = DeviceKey.CreateEphemeral();
        await using var link = new MqttClinicLink(
            Options.Create(new ClinicLinkOptions { TerminalId = "e2e-1", Broker = "127.0.0.1", Port = port, OutboxPath = "", ReconnectDelay = TimeSpan.FromMilliseconds(100) }),
            new InMemoryVerificationOutbox(),
            key,
            NullLogger<MqttClinicLink>.Instance);
        await link.StartAsync(Ct);
        var now = DateTimeOffset.Now;
        var result = new VerificationResult(
            Guid.NewGuid(), now.AddSeconds(-30), now, CardKind.Card, IdentityMethod.Pin,
            new CertificateInfo("00c0ffee", now.AddYears(2), "JPKI (TEST)", new byte[] { 0x30, 0x00 }),
            CertificateExpiry.Valid, ConsentSet.NotAsked, null, null);
        await link.EnqueueVerificationAsync(result, Ct);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        await using var commands = link.CommandsAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);
        Assert.True(await commands.MoveNextAsync());
        var answer = Assert.IsType<ClinicCommand.Eligibility>(commands.Current).Answer;
        Assert.Equal((result.Id, EligibilityStatus.Invalid, "山田 花子"), (answer.VerificationId, answer.Status, answer.GreetingName));

        await stop.CancelAsync();
        Assert.Equal(0, await gateway.WaitAsync(TimeSpan.FromSeconds(30), Ct));
        var line = JsonDocument.Parse(Assert.Single(await File.ReadAllLinesAsync(log, Ct))).RootElement;
        Assert.Equal(result.Id, line.GetProperty("id").GetGuid());
        Assert.Equal("e2e-1", line.GetProperty("terminalId").GetString());
        Assert.Equal("pin", line.GetProperty("method").GetString());
        Assert.Equal("invalid", line.GetProperty("answered").GetString());
        Assert.Equal(key.KeyId, line.GetProperty("keyId").GetString());
        Assert.Contains("1 accepted, 0 duplicates, 0 refused", console.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mqtt.clinic.lan", "mqtt.clinic.lan", 1883)]
    [InlineData("10.0.0.5:8883", "10.0.0.5", 8883)]
    [InlineData("[::1]:1884", "::1", 1884)]
    [InlineData("[fe80::1]", "fe80::1", 1883)]
    public void Broker_addresses_are_host_and_optional_port(string text, string host, int port)
    {
        Assert.True(GatewayCommand.TryParseBroker(text, 1883, out var h, out var p));
        Assert.Equal((host, port), (h, p));
    }

    [Theory]
    [InlineData("")]
    [InlineData("host:0")]
    [InlineData("host:99999")]
    [InlineData("host:x")]
    [InlineData("bad host!:1883")]
    [InlineData("[::1")]
    public void Bad_broker_addresses_are_refused(string text)
    {
        Assert.False(GatewayCommand.TryParseBroker(text, 1883, out _, out _));
    }

    [Fact]
    public async Task Gateway_usage_errors_exit_with_2_and_say_why()
    {
        var work = Directory.CreateTempSubdirectory("mynaterm-gateway-").FullName;
        var console = new StringWriter();
        Assert.Equal(2, await GatewayCommand.RunAsync(Settings("no good:port", work), console, TextWriter.Null, Ct));
        Assert.Equal(2, await GatewayCommand.RunAsync(Settings("127.0.0.1", work) with { CaFile = new FileInfo("/etc/hostname") }, console, TextWriter.Null, Ct));
        Assert.Equal(2, await GatewayCommand.RunAsync(Settings("127.0.0.1", work) with { Tls = true, CaFile = new FileInfo(Path.Combine(work, "missing.crt")) }, console, TextWriter.Null, Ct));
        var roster = Path.Combine(work, "bad-roster.json");
        await File.WriteAllTextAsync(roster, "{\"AB\":{\"status\":\"maybe\"}}", Ct);
        Assert.Equal(2, await GatewayCommand.RunAsync(Settings("127.0.0.1", work) with { Roster = new FileInfo(roster) }, console, TextWriter.Null, Ct));
        var text = console.ToString();
        Assert.Contains("is not HOST[:PORT]", text, StringComparison.Ordinal);
        Assert.Contains("need --tls", text, StringComparison.Ordinal);
        Assert.Contains("does not exist", text, StringComparison.Ordinal);
        Assert.Contains("'maybe' is not", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_bench_writes_its_figures_as_json()
    {
        // Only the shape: the figures themselves depend on the machine (docs/mqtt/README.md has them).
        var console = new StringWriter();
        var code = await MqttBenchCommand.RunAsync(new MqttBenchCommand.BenchSettings(Json: true, Broker: null, Count: 20, Outage: 20), console, Ct);

        Assert.True(code == 0, console.ToString());
        var json = JsonDocument.Parse(console.ToString()).RootElement;
        foreach (var key in new[] { "latency_ms_p50", "latency_ms_p99", "drain_per_s" })
        {
            Assert.True(json.GetProperty(key).GetDouble() > 0, key);
        }

        Assert.True(json.GetProperty("latency_ms_p50").GetDouble() <= json.GetProperty("latency_ms_p99").GetDouble());
        Assert.Equal(20, json.GetProperty("outage").GetInt32());
        Assert.Equal(20, json.GetProperty("count").GetInt32());
        Assert.Equal(2, await MqttBenchCommand.RunAsync(new MqttBenchCommand.BenchSettings(true, null, 0, 5), TextWriter.Null, Ct));
    }
}
