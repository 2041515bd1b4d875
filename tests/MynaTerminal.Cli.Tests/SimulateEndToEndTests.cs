using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Protocol;
using MynaTerminal.Cli;

namespace MynaTerminal.Cli.Tests;

/// <summary>
/// Runs <c>mynaterm simulate</c> as a technician would (embedded broker, simulated devices, scripted patients)
/// and watches it from outside over MQTT, the way a clinic system or <c>mosquitto_sub</c> does.
/// </summary>
public sealed class SimulateEndToEndTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(90);

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static SimulateCommand.SimulationSettings Settings(string patients, int port, string screens) =>
        new(patients, null, false, false, true, TimeSpan.FromSeconds(60), new DirectoryInfo(screens), port, null, false);

    /// <summary>Connects an observer to the simulator's broker once it is up and records everything.</summary>
    private static async Task<(IMqttClient Client, ConcurrentQueue<(string Topic, string Payload, bool Retain)> Messages)> ObserveAsync(int port, CancellationToken ct)
    {
        var factory = new MqttClientFactory();
        var client = factory.CreateMqttClient();
        var messages = new ConcurrentQueue<(string, string, bool)>();
        client.ApplicationMessageReceivedAsync += e =>
        {
            messages.Enqueue((e.ApplicationMessage.Topic, Encoding.UTF8.GetString(e.ApplicationMessage.Payload), e.ApplicationMessage.Retain));
            return Task.CompletedTask;
        };
        var options = factory.CreateClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId("observer-" + Guid.NewGuid().ToString("N")).Build();
        while (true)
        {
            try
            {
                await client.ConnectAsync(options, ct);
                break;
            }
            catch (Exception) when (!ct.IsCancellationRequested)
            {
                await Task.Delay(100, ct); // the simulator's broker is not listening yet
            }
        }

        await client.SubscribeAsync(factory.CreateSubscribeOptionsBuilder().WithTopicFilter("mynaterm/#", MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct);
        return (client, messages);
    }

    /// <summary>The simulator's embedded broker may already be gone when the observer leaves: that is not a failure.</summary>
    private static async Task DisconnectQuietlyAsync(IMqttClient client)
    {
        try
        {
            await client.DisconnectAsync(cancellationToken: TestContext.Current.CancellationToken);
        }
        catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or IOException or ObjectDisposedException)
        {
            // Broken pipe after the broker stopped: everything to be checked was received before.
        }
    }

    [Fact]
    public async Task Pin_and_face_patients_publish_two_verifications_and_a_pulled_card_publishes_none()
    {
        using var cts = new CancellationTokenSource(Generous);
        var port = FreePort();
        var screens = Directory.CreateTempSubdirectory("mynaterm-e2e-").FullName;
        var console = new StringWriter();

        var run = Task.Run(() => SimulateCommand.RunAsync(Settings("pin,face,pulled", port, screens), console, TextReader.Null, cts.Token));
        var (client, messages) = await ObserveAsync(port, cts.Token);
        var exitCode = await run;
        var output = console.ToString();
        await DisconnectQuietlyAsync(client);
        client.Dispose();

        Assert.True(exitCode == 0, output);
        var all = messages.ToArray();
        var availability = all.Where(m => m.Topic == "mynaterm/terminal-1/availability").ToArray();
        Assert.Contains(availability, m => m.Payload.Contains("\"online\""));
        Assert.Contains(all, m => m.Topic == "mynaterm/terminal-1/state");

        var verifications = all.Where(m => m.Topic == "mynaterm/terminal-1/event/verification").Select(m => JsonDocument.Parse(m.Payload).RootElement).ToArray();
        Assert.Equal(2, verifications.Length);
        Assert.Equal(["pin", "face"], verifications.Select(v => v.GetProperty("method").GetString()));
        Assert.All(verifications, v => Assert.Equal("mynaterm.verification/1", v.GetProperty("schema").GetString()));
        Assert.Equal(2, verifications.Select(v => v.GetProperty("id").GetGuid()).Distinct().Count());

        // The face patient consented individually: yes, yes, no.
        var face = verifications[1];
        Assert.Equal("individual", face.GetProperty("consents").GetProperty("mode").GetString());
        Assert.Equal([true, true, false], face.GetProperty("consents").GetProperty("decisions").EnumerateArray().Select(d => d.GetProperty("agreed").GetBoolean()));

        // Nothing personal leaves the terminal: no PIN, no name, no My Number field.
        foreach (var (_, payload, _) in all.Where(m => !m.Topic.Contains("/request/")))
        {
            Assert.DoesNotContain("1234", payload);
            Assert.DoesNotContain("山田", payload);
            Assert.DoesNotContain("myNumber", payload, StringComparison.OrdinalIgnoreCase);
        }

        // The pulled card left the terminal idle, with the notice, and a screen printed for it.
        Assert.Contains("--- screen idle", output);
        Assert.Contains("確認は完了していません", output);
        Assert.Contains("=== mqtt mynaterm/terminal-1/event/verification", output);
        Assert.True(File.Exists(Path.Combine(screens, "current.png")));
        Assert.Contains(all, m => m.Topic == "mynaterm/terminal-1/state" && m.Payload.Contains("\"idle\""));
    }

    [Fact]
    public async Task Pulled_card_alone_publishes_no_verification_and_ends_idle()
    {
        using var cts = new CancellationTokenSource(Generous);
        var port = FreePort();
        var console = new StringWriter();
        var run = Task.Run(() => SimulateCommand.RunAsync(Settings("pulled", port, Directory.CreateTempSubdirectory("mynaterm-e2e-").FullName), console, TextReader.Null, cts.Token));
        var (client, messages) = await ObserveAsync(port, cts.Token);
        Assert.Equal(0, await run);
        await DisconnectQuietlyAsync(client);
        client.Dispose();

        Assert.DoesNotContain(messages, m => m.Topic.EndsWith("/event/verification", StringComparison.Ordinal));
        var states = messages.Where(m => m.Topic.EndsWith("/state", StringComparison.Ordinal)).Select(m => JsonDocument.Parse(m.Payload).RootElement.GetProperty("phase").GetString()).ToArray();
        Assert.NotEmpty(states);
        Assert.Equal("idle", states[^1]);
        Assert.Contains("--- screen pin", console.ToString());
    }

    [Fact]
    public async Task Every_built_in_patient_finishes_its_path()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var port = FreePort();
        var console = new StringWriter();
        var patients = "expiring,grace,expired,face-only,android,iphone,unknown";
        var settings = Settings(patients, port, Directory.CreateTempSubdirectory("mynaterm-e2e-").FullName) with { WaitSubscriber = TimeSpan.Zero };
        var exitCode = await SimulateCommand.RunAsync(settings, console, TextReader.Null, cts.Token);
        var output = console.ToString();
        Assert.True(exitCode == 0, output);
        Assert.Contains("--- screen failed-certificate-expired", output);
        Assert.Contains("--- screen failed-not-my-number-card", output);
        Assert.Contains("--- screen staff-visual", output);
        Assert.Contains("All patients done.", output);
    }

    [Fact]
    public async Task Mosquitto_sub_sees_availability_state_and_two_verifications()
    {
        if (!File.Exists("/usr/bin/mosquitto_sub"))
        {
            Assert.Skip("mosquitto_sub is not installed (Debian package mosquitto-clients; ./scripts/install-deps.sh installs it).");
        }

        using var cts = new CancellationTokenSource(Generous);
        var port = FreePort();
        var console = new StringWriter();
        var run = Task.Run(() => SimulateCommand.RunAsync(Settings("pin,face", port, Directory.CreateTempSubdirectory("mynaterm-e2e-").FullName), console, TextReader.Null, cts.Token));

        // Exactly the README's command, started once the simulator prints its banner.
        while (!console.ToString().Contains("Watch it with:"))
        {
            await Task.Delay(50, cts.Token);
        }

        var psi = new ProcessStartInfo("/usr/bin/mosquitto_sub", ["-h", "127.0.0.1", "-p", port.ToString(), "-t", "mynaterm/#", "-v", "-W", "60"])
        {
            RedirectStandardOutput = true,
        };
        using var sub = Process.Start(psi)!;
        var lines = new ConcurrentQueue<string>();
        var twoVerifications = new TaskCompletionSource();
        sub.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lines.Enqueue(e.Data);
            if (lines.Count(l => l.StartsWith("mynaterm/terminal-1/event/verification ", StringComparison.Ordinal)) == 2)
            {
                twoVerifications.TrySetResult();
            }
        };
        sub.BeginOutputReadLine();
        try
        {
            await twoVerifications.Task.WaitAsync(cts.Token);
            Assert.Equal(0, await run);
        }
        finally
        {
            sub.Kill();
        }

        Assert.Contains(lines, l => l.StartsWith("mynaterm/terminal-1/availability {\"state\":\"online\"}", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("mynaterm/terminal-1/state ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unknown_patient_name_is_a_usage_error()
    {
        var console = new StringWriter();
        var code = await SimulateCommand.RunAsync(Settings("nobody-like-this", FreePort(), Path.GetTempPath()), console, TextReader.Null, CancellationToken.None);
        Assert.Equal(2, code);
        Assert.Contains("unknown patient", console.ToString());
    }
}

public sealed class SimulateErrorTests
{
    [Fact]
    public async Task Busy_broker_port_is_reported_in_plain_words()
    {
        using var blocker = new TcpListener(IPAddress.Loopback, 0);
        blocker.Start();
        var port = ((IPEndPoint)blocker.LocalEndpoint).Port;
        var console = new StringWriter();
        var settings = new SimulateCommand.SimulationSettings("pin", null, false, false, true, TimeSpan.Zero, new DirectoryInfo(Path.GetTempPath()), port, null, false);
        var code = await SimulateCommand.RunAsync(settings, console, TextReader.Null, TestContext.Current.CancellationToken);
        Assert.Equal(2, code);
        Assert.Contains($"port {port} is already in use", console.ToString());
    }

    [Fact]
    public async Task Script_errors_name_the_line()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("mynaterm-script-").FullName, "bad.txt");
        await File.WriteAllTextAsync(file, "insert normal\nwait MethodChoice\npin 12\n", TestContext.Current.CancellationToken);
        var console = new StringWriter();
        var settings = new SimulateCommand.SimulationSettings("pin", new FileInfo(file), false, false, true, TimeSpan.Zero, null, SimulateEndToEndTests.FreePort(), null, false);
        Assert.Equal(2, await SimulateCommand.RunAsync(settings, console, TextReader.Null, TestContext.Current.CancellationToken));
        Assert.Contains("script line 3: pin takes exactly four digits", console.ToString());
    }

    [Fact]
    public async Task Interactive_patient_drives_a_session_from_standard_input()
    {
        var port = SimulateEndToEndTests.FreePort();
        var input = new StringReader("insert normal\nwait MethodChoice\nchoose pin\nwait Pin\npin 1234\nwait Consent\nconsent all\nwait Done\nbogus command\nremove\nwait Idle\nquit\n");
        var console = new StringWriter();
        var settings = new SimulateCommand.SimulationSettings("pin", null, true, false, true, TimeSpan.Zero, Directory.CreateTempSubdirectory("mynaterm-e2e-"), port, null, false);
        Assert.Equal(0, await SimulateCommand.RunAsync(settings, console, input, TestContext.Current.CancellationToken));
        var output = console.ToString();
        Assert.Contains("--- screen done", output);
        Assert.Contains("error: script line 9: unknown command 'bogus'", output);
        Assert.Contains("=== mqtt mynaterm/terminal-1/event/verification", output);
    }
}
