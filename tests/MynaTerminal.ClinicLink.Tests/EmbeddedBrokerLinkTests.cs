using System.Diagnostics;
using System.Text;
using System.Text.Json;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using MynaTerminal.ClinicLink.Tests.Support;
using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Results;
using MynaTerminal.Core.Session;

namespace MynaTerminal.ClinicLink.Tests;

/// <summary>The link against the embedded MQTTnet broker, each test on its own free port.</summary>
public sealed class EmbeddedBrokerLinkTests
{
    private static readonly TimeSpan Timeout = TestClient.DefaultTimeout;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(LinkHost Host, int Port)> StartEmbeddedAsync(string terminalId)
    {
        var port = FreePort.Next();
        var settings = LinkHost.FastSettings(terminalId);
        settings["EmbeddedPort"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var host = await LinkHost.StartAsync(settings, Ct);
        await host.Link.WaitUntilOnlineAsync(Ct).WaitAsync(Timeout, Ct);
        return (host, port);
    }

    private static async Task<LinkHost> StartAgainstAsync(string terminalId, int brokerPort, Action<MqttClinicLink>? beforeStart = null)
    {
        var settings = LinkHost.FastSettings(terminalId);
        settings["Broker"] = "127.0.0.1";
        settings["Port"] = brokerPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await LinkHost.StartAsync(settings, Ct, beforeStart);
    }

    private static async Task<ClinicCommand> NextCommandAsync(MqttClinicLink link)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(Timeout);
        await using var commands = link.CommandsAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);
        Assert.True(await commands.MoveNextAsync());
        return commands.Current;
    }

    private static JsonElement Json(string payload) => JsonDocument.Parse(payload).RootElement.Clone();

    [Fact]
    public async Task Availability_online_and_info_are_retained_on_connect()
    {
        var (host, port) = await StartEmbeddedAsync("t-avail");
        await using var _ = host;
        await using var observer = await TestClient.ConnectAsync(port, "observer", cancellationToken: Ct);

        await observer.SubscribeAsync("mynaterm/t-avail/#", Ct);

        var availability = await observer.WaitForAsync(m => m.Topic == "mynaterm/t-avail/availability", cancellationToken: Ct);
        Assert.True(availability.Retain);
        Assert.Equal("""{"state":"online"}""", availability.Payload);
        var info = await observer.WaitForAsync(m => m.Topic == "mynaterm/t-avail/info", cancellationToken: Ct);
        Assert.True(info.Retain);
        var json = Json(info.Payload);
        Assert.Equal("mynaterm.info/1", json.GetProperty("schema").GetString());
        Assert.Equal("t-avail", json.GetProperty("terminalId").GetString());
        Assert.Equal(host.Link.Version, json.GetProperty("version").GetString());
        Assert.False(string.IsNullOrEmpty(host.Link.Version));
        Assert.Empty(host.Logs.Errors);
    }

    [Fact]
    public async Task Stopping_publishes_offline_retained_and_disconnects_cleanly()
    {
        var port = FreePort.Next();
        await using var broker = await StandaloneBroker.StartAsync("t-stop", port, Ct);
        var host = await StartAgainstAsync("t-stop", port);
        await using (host)
        {
            await host.Link.WaitUntilOnlineAsync(Ct).WaitAsync(Timeout, Ct);
            await using var observer = await TestClient.ConnectAsync(port, "observer", cancellationToken: Ct);
            await observer.SubscribeAsync("mynaterm/t-stop/availability", Ct);
            await observer.WaitForAsync(m => m.Payload == """{"state":"online"}""", cancellationToken: Ct);

            await host.StopAsync();

            await observer.WaitForAsync(m => m.Payload == """{"state":"offline"}""", cancellationToken: Ct);
        }

        await using var late = await TestClient.ConnectAsync(port, "late", cancellationToken: Ct);
        await late.SubscribeAsync("mynaterm/t-stop/availability", Ct);
        var retained = await late.WaitForAsync(m => true, cancellationToken: Ct);
        Assert.True(retained.Retain);
        Assert.Equal("""{"state":"offline"}""", retained.Payload);
    }

    [Fact]
    public async Task The_last_will_says_offline_when_the_link_breaks_and_the_link_comes_back_online()
    {
        var port = FreePort.Next();
        await using var broker = await StandaloneBroker.StartAsync("t-will", port, Ct);
        await using var proxy = new TcpProxy(port);
        await using var host = await StartAgainstAsync("t-will", proxy.Port);
        await host.Link.WaitUntilOnlineAsync(Ct).WaitAsync(Timeout, Ct);
        await using var observer = await TestClient.ConnectAsync(port, "observer", cancellationToken: Ct);
        await observer.SubscribeAsync("mynaterm/t-will/availability", Ct);
        await observer.WaitForAsync(m => m.Payload == """{"state":"online"}""", cancellationToken: Ct);
        var seen = observer.Received.Count;

        proxy.CutAll();

        // The broker, not the terminal, says offline: the Last Will.
        await observer.WaitForAsync(m => m.Payload == """{"state":"offline"}""", skip: seen, cancellationToken: Ct);
        var offlineAt = observer.Received.Count;
        await observer.WaitForAsync(m => m.Payload == """{"state":"online"}""", skip: offlineAt, cancellationToken: Ct);
        await host.Link.WaitUntilOnlineAsync(Ct).WaitAsync(Timeout, Ct);
    }

    [Fact]
    public async Task Alerts_and_verifications_raised_while_the_link_is_down_go_out_after_it_is_back()
    {
        var port = FreePort.Next();
        await using var broker = await StandaloneBroker.StartAsync("t-down", port, Ct);
        await using var proxy = new TcpProxy(port);
        var online = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var offline = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await StartAgainstAsync("t-down", proxy.Port, link => link.ConnectionChanged += up =>
        {
            if (up)
            {
                online.TrySetResult();
            }
            else if (online.Task.IsCompleted)
            {
                offline.TrySetResult();
            }
        });
        await online.Task.WaitAsync(Timeout, Ct);
        await using var staff = await TestClient.ConnectAsync(port, "staff", cancellationToken: Ct);
        await staff.SubscribeAsync("mynaterm/t-down/event/#", Ct);

        proxy.Refuse = true;
        proxy.CutAll();
        await offline.Task.WaitAsync(Timeout, Ct);
        var verification = Samples.FaceVerification();
        await host.Link.PublishAlertAsync(new TerminalAlert(AlertKind.DeviceFault, null, Samples.Start, "camera"), Ct);
        await host.Link.EnqueueVerificationAsync(verification, Ct);
        Assert.False(host.Link.IsOnline);
        Assert.Empty(staff.Received);

        proxy.Refuse = false;

        var alert = await staff.WaitForAsync(m => m.Topic == "mynaterm/t-down/event/alert", cancellationToken: Ct);
        Assert.Equal("deviceFault", Json(alert.Payload).GetProperty("kind").GetString());
        var delivered = await staff.WaitForAsync(m => m.Topic == "mynaterm/t-down/event/verification", cancellationToken: Ct);
        Assert.Equal(verification.Id, Json(delivered.Payload).GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task State_is_retained_and_republished_after_the_broker_lost_it()
    {
        var port = FreePort.Next();
        var broker = await StandaloneBroker.StartAsync("t-state", port, Ct);
        await using var _ = broker;
        await using var host = await StartAgainstAsync("t-state", port);
        await host.Link.WaitUntilOnlineAsync(Ct).WaitAsync(Timeout, Ct);

        await host.Link.PublishStateAsync(new TerminalState(SessionPhase.Reading, "ja", Samples.Start), Ct);
        await host.Link.PublishStateAsync(new TerminalState(SessionPhase.MethodChoice, "en", Samples.Start.AddSeconds(2)), Ct);

        await using (var first = await TestClient.ConnectAsync(port, "first", cancellationToken: Ct))
        {
            await first.SubscribeAsync("mynaterm/t-state/state", Ct);
            var state = await first.WaitForAsync(m => true, cancellationToken: Ct);
            Assert.True(state.Retain);
            Assert.Equal(
                """{"schema":"mynaterm.state/1","phase":"methodChoice","mode":"automatic","language":"en","at":"2026-04-01T09:00:02+09:00"}""",
                state.Payload);
        }

        // A broker restart without persistence forgets retained messages (zigbee2mqtt#9629); the link puts them back.
        await broker.StopAsync(Ct);
        await broker.StartAsync(Ct);

        // Anything on the new broker's state topic comes from the link's republish after reconnecting …
        await using (var probe = await TestClient.ConnectAsync(port, "probe", cancellationToken: Ct))
        {
            await probe.SubscribeAsync("mynaterm/t-state/state", Ct);
            await probe.WaitForAsync(m => true, cancellationToken: Ct);
        }

        // … and it is retained again, with availability and info.
        await using var second = await TestClient.ConnectAsync(port, "second", cancellationToken: Ct);
        await second.SubscribeAsync("mynaterm/t-state/#", Ct);
        var again = await second.WaitForAsync(m => m.Topic == "mynaterm/t-state/state", cancellationToken: Ct);
        Assert.True(again.Retain);
        Assert.Equal("methodChoice", Json(again.Payload).GetProperty("phase").GetString());
        Assert.Equal("""{"state":"online"}""", (await second.WaitForAsync(m => m.Topic == "mynaterm/t-state/availability", cancellationToken: Ct)).Payload);
        Assert.True((await second.WaitForAsync(m => m.Topic == "mynaterm/t-state/info", cancellationToken: Ct)).Retain);
    }

    [Fact]
    public async Task A_verification_is_delivered_with_qos1_and_leaves_the_outbox()
    {
        var (host, port) = await StartEmbeddedAsync("t-verify");
        await using var _ = host;
        await using var clinic = await TestClient.ConnectAsync(port, "clinic", cancellationToken: Ct);
        await clinic.SubscribeAsync("mynaterm/t-verify/event/verification", Ct);
        var result = Samples.FaceVerification();
        using var published = new PublishedWaiter(host.Link, host.Link.Topics.VerificationEvent);

        await host.Link.EnqueueVerificationAsync(result, Ct);

        var message = await clinic.WaitForAsync(m => true, cancellationToken: Ct);
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, message.QualityOfService);
        Assert.False(message.Retain);
        var json = Json(message.Payload);
        Assert.Equal(result.Id, json.GetProperty("id").GetGuid());
        Assert.Equal("t-verify", json.GetProperty("terminalId").GetString());
        Assert.Equal(message.Payload, await published.Task);
        Assert.Equal(0, await host.Link.CountPendingVerificationsAsync(Ct));
        Assert.Empty(host.Logs.Errors);
    }

    [Fact]
    public async Task A_verification_nobody_listens_for_stays_queued_until_a_subscriber_comes_and_order_is_kept()
    {
        var (host, port) = await StartEmbeddedAsync("t-wait");
        await using var _ = host;
        var first = Samples.FaceVerification();
        var second = Samples.PinVerificationInGrace();

        await host.Link.EnqueueVerificationAsync(first, Ct);
        await host.Link.EnqueueVerificationAsync(second, Ct);
        await host.Link.EnqueueVerificationAsync(first, Ct); // duplicate id: ignored

        Assert.Equal(2, await host.Link.CountPendingVerificationsAsync(Ct));
        await using var clinic = await TestClient.ConnectAsync(port, "clinic", cancellationToken: Ct);
        await clinic.SubscribeAsync("mynaterm/t-wait/event/verification", Ct);
        await clinic.WaitForAsync(m => Json(m.Payload).GetProperty("id").GetGuid() == second.Id, cancellationToken: Ct);
        var ids = clinic.Received.Select(m => Json(m.Payload).GetProperty("id").GetGuid()).Distinct().ToList();
        Assert.Equal([first.Id, second.Id], ids);
    }

    [Fact]
    public async Task An_eligibility_request_becomes_a_command_and_is_answered_with_the_correlation_data()
    {
        var (host, port) = await StartEmbeddedAsync("t-elig");
        await using var _ = host;
        await using var clinic = await TestClient.ConnectAsync(port, "clinic", cancellationToken: Ct);
        await clinic.SubscribeAsync("clinic/replies/#", Ct);
        var verificationId = Guid.NewGuid();
        var request = ClinicLinkJson.Serialize(EligibilityRequestPayload.From(
            new EligibilityAnswer(verificationId, EligibilityStatus.Valid, "山田 太郎", ["お知らせ"])));
        byte[] correlation = [1, 2, 3, 42];

        await clinic.PublishAsync("mynaterm/t-elig/request/eligibility", Encoding.UTF8.GetString(request), "clinic/replies/elig", correlation, cancellationToken: Ct);

        var command = Assert.IsType<ClinicCommand.Eligibility>(await NextCommandAsync(host.Link));
        Assert.Equal(verificationId, command.Answer.VerificationId);
        Assert.Equal(EligibilityStatus.Valid, command.Answer.Status);
        Assert.Equal("山田 太郎", command.Answer.GreetingName);
        var response = await clinic.WaitForAsync(m => m.Topic == "clinic/replies/elig", cancellationToken: Ct);
        Assert.Equal(correlation, response.CorrelationData);
        Assert.Equal("""{"schema":"mynaterm.response/1","ok":true}""", response.Payload);
        Assert.Empty(host.Logs.Errors);
    }

    [Fact]
    public async Task An_mqtt311_request_is_answered_on_the_default_topic_with_its_transaction()
    {
        var (host, port) = await StartEmbeddedAsync("t-311");
        await using var _ = host;
        await using var clinic = await TestClient.ConnectAsync(port, "clinic-311", MqttProtocolVersion.V311, Ct);
        await clinic.SubscribeAsync("mynaterm/t-311/response/#", Ct);

        await clinic.PublishAsync("mynaterm/t-311/request/staff-visual", """{"transaction":"tx-42"}""", cancellationToken: Ct);

        Assert.IsType<ClinicCommand.StaffVisualApproval>(await NextCommandAsync(host.Link));
        var response = await clinic.WaitForAsync(m => m.Topic == "mynaterm/t-311/response/staff-visual", cancellationToken: Ct);
        Assert.Equal("""{"schema":"mynaterm.response/1","ok":true,"transaction":"tx-42"}""", response.Payload);
    }

    [Fact]
    public async Task Malformed_and_unknown_requests_are_answered_with_errors_and_produce_no_command()
    {
        var (host, port) = await StartEmbeddedAsync("t-bad");
        await using var _ = host;
        await using var clinic = await TestClient.ConnectAsync(port, "clinic", cancellationToken: Ct);
        await clinic.SubscribeAsync("mynaterm/t-bad/response/#", Ct);

        await clinic.PublishAsync("mynaterm/t-bad/request/eligibility", "{not json", cancellationToken: Ct);
        await clinic.PublishAsync("mynaterm/t-bad/request/eligibility", """{"transaction":"t2","status":"valid"}""", cancellationToken: Ct);
        await clinic.PublishAsync("mynaterm/t-bad/request/reboot", "{}", cancellationToken: Ct);
        await clinic.PublishAsync("mynaterm/t-bad/request/eligibility", "\u00ff\u0000binary", cancellationToken: Ct);

        var errors = new List<JsonElement>();
        for (var i = 0; i < 4; i++)
        {
            var message = await clinic.WaitForAsync(m => m.Topic.Contains("/response/", StringComparison.Ordinal), skip: i, cancellationToken: Ct);
            errors.Add(Json(message.Payload));
        }

        Assert.All(errors, e => Assert.False(e.GetProperty("ok").GetBoolean()));
        Assert.All(errors, e => Assert.False(string.IsNullOrEmpty(e.GetProperty("error").GetString())));
        Assert.Equal("t2", errors[1].GetProperty("transaction").GetString());
        Assert.Equal("mynaterm/t-bad/response/reboot", clinic.Received.Where(m => m.Topic.Contains("/response/", StringComparison.Ordinal)).ElementAt(2).Topic);

        // The link still works, and the first command it hands out is the next valid request.
        await clinic.PublishAsync("mynaterm/t-bad/request/cancel", "", cancellationToken: Ct);
        Assert.IsType<ClinicCommand.Cancel>(await NextCommandAsync(host.Link));
        Assert.True(host.Link.IsOnline);
    }

    [Fact]
    public async Task A_response_topic_inside_another_terminals_tree_is_not_used()
    {
        var (host, port) = await StartEmbeddedAsync("t-rt");
        await using var _ = host;
        await using var clinic = await TestClient.ConnectAsync(port, "clinic", cancellationToken: Ct);
        await clinic.SubscribeAsync("mynaterm/#", Ct);

        await clinic.PublishAsync("mynaterm/t-rt/request/cancel", "", "mynaterm/other/state", [7], cancellationToken: Ct);

        var response = await clinic.WaitForAsync(m => m.Topic.Contains("/response/", StringComparison.Ordinal), cancellationToken: Ct);
        Assert.Equal("mynaterm/t-rt/response/cancel", response.Topic);
        Assert.Equal([7], response.CorrelationData);
        Assert.DoesNotContain(clinic.Received, m => m.Topic == "mynaterm/other/state");
    }

    [Fact]
    public async Task A_retained_request_is_not_replayed_when_the_terminal_connects()
    {
        var port = FreePort.Next();
        await using var broker = await StandaloneBroker.StartAsync("t-ret", port, Ct);
        await using var clinic = await TestClient.ConnectAsync(port, "clinic", cancellationToken: Ct);
        await clinic.PublishAsync("mynaterm/t-ret/request/cancel", "{}", retain: true, cancellationToken: Ct);
        await using var host = await StartAgainstAsync("t-ret", port);
        await host.Link.WaitUntilOnlineAsync(Ct).WaitAsync(Timeout, Ct);

        await clinic.PublishAsync("mynaterm/t-ret/request/staff-resume", "", cancellationToken: Ct);

        Assert.IsType<ClinicCommand.StaffResume>(await NextCommandAsync(host.Link));
    }

    [Fact]
    public async Task Alerts_go_out_with_qos1_not_retained()
    {
        var (host, port) = await StartEmbeddedAsync("t-alert");
        await using var _ = host;
        await using var staff = await TestClient.ConnectAsync(port, "staff", cancellationToken: Ct);
        await staff.SubscribeAsync("mynaterm/t-alert/event/alert", Ct);
        var sessionId = Guid.NewGuid();

        await host.Link.PublishAlertAsync(new TerminalAlert(AlertKind.HelpRequested, sessionId, Samples.Start, "help button"), Ct);

        var alert = await staff.WaitForAsync(m => true, cancellationToken: Ct);
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, alert.QualityOfService);
        var json = Json(alert.Payload);
        Assert.Equal("helpRequested", json.GetProperty("kind").GetString());
        Assert.Equal(sessionId, json.GetProperty("sessionId").GetGuid());

        await using var late = await TestClient.ConnectAsync(port, "late", cancellationToken: Ct);
        await late.SubscribeAsync("mynaterm/t-alert/#", Ct);
        await late.WaitForAsync(m => m.Topic.EndsWith("/info", StringComparison.Ordinal), cancellationToken: Ct);
        Assert.DoesNotContain(late.Received, m => m.Topic.EndsWith("/event/alert", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WaitForSubscriber_ignores_the_terminal_and_completes_for_an_observer()
    {
        var (host, port) = await StartEmbeddedAsync("t-obs");
        await using var _ = host;
        var broker = Assert.IsType<EmbeddedBroker>(host.Broker);

        var waiting = broker.WaitForSubscriberAsync(Ct);
        Assert.False(waiting.IsCompleted); // the terminal's own request/# does not count

        await using var observer = await TestClient.ConnectAsync(port, "observer", cancellationToken: Ct);
        await observer.SubscribeAsync("mynaterm/+/event/verification", Ct);

        await waiting.WaitAsync(Timeout, Ct);
        await broker.WaitForSubscriberAsync("mynaterm/t-obs/", Ct).WaitAsync(Timeout, Ct); // already there: at once
        Assert.Contains("observer", broker.GetSubscriptions().Keys);
    }

    [Fact]
    public async Task Mosquitto_sub_sees_the_retained_topics_of_the_embedded_broker()
    {
        const string client = "/usr/bin/mosquitto_sub";
        if (!File.Exists(client))
        {
            Assert.Skip($"{client} is missing; install the Debian package 'mosquitto-clients' to run this test.");
        }

        var (host, port) = await StartEmbeddedAsync("t-cli");
        await using var _ = host;
        await host.Link.PublishStateAsync(new TerminalState(SessionPhase.Idle, "ja", Samples.Start), Ct);
        var subscribed = host.Broker!.WaitForSubscriberAsync(Ct);

        using var process = Process.Start(new ProcessStartInfo(
            client,
            ["-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-t", "mynaterm/#", "-v", "-C", "3", "-W", "20", "-i", "cli-observer"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = process.StandardOutput.ReadToEndAsync(Ct);
        await subscribed.WaitAsync(Timeout, Ct);
        await process.WaitForExitAsync(Ct).WaitAsync(Timeout, Ct);

        var lines = (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(0, process.ExitCode);
        Assert.Contains("""mynaterm/t-cli/availability {"state":"online"}""", lines);
        Assert.Contains(lines, l => l.StartsWith("mynaterm/t-cli/info {", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("""mynaterm/t-cli/state {"schema":"mynaterm.state/1","phase":"idle""", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Commands_end_when_the_link_stops()
    {
        var (host, _) = await StartEmbeddedAsync("t-end");
        await using var __ = host;
        var reading = Task.Run(async () =>
        {
            var count = 0;
            await foreach (var command in host.Link.CommandsAsync(Ct))
            {
                count++;
            }

            return count;
        }, Ct);

        await host.StopAsync();

        Assert.Equal(0, await reading.WaitAsync(Timeout, Ct));
        Assert.False(host.Link.IsOnline);
    }
}
