using System.Globalization;
using System.Text;
using System.Text.Json;
using MynaTerminal.ClinicLink.Tests.Support;
using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Session;

namespace MynaTerminal.ClinicLink.Tests;

/// <summary>request/mode and request/selftest, and the request token, in the parser and through the link.</summary>
public sealed class ControlRequestTests
{
    private const string Token = "s3cret-token-0123456789";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ClinicRequestResult Parse(string name, string payload, string? token = null) =>
        ClinicRequestParser.Parse(name, Encoding.UTF8.GetBytes(payload), token);

    private static JsonElement Json(string payload) => JsonDocument.Parse(payload).RootElement.Clone();

    [Theory]
    [InlineData("automatic", TerminalMode.Automatic)]
    [InlineData("staff", TerminalMode.Staff)]
    [InlineData("outOfService", TerminalMode.OutOfService)]
    public void A_mode_request_names_one_of_the_three_modes(string mode, TerminalMode expected)
    {
        var result = Parse("mode", $$"""{"schema":"mynaterm.mode/1","mode":"{{mode}}","transaction":"t-1"}""");

        Assert.True(result.IsOk, result.Error);
        Assert.Null(result.Command);
        Assert.Equal(expected, Assert.IsType<ClinicControl.SetMode>(result.Control).Mode);
        Assert.Equal("t-1", result.Transaction);

        // What senders serialize is what the parser reads.
        Assert.Equal(expected, Assert.IsType<ClinicControl.SetMode>(ClinicRequestParser.Parse("mode", ClinicLinkJson.Serialize(new ModeRequestPayload(expected))).Control).Mode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{}")]
    [InlineData("""{"mode":"Automatic"}""")]
    [InlineData("""{"mode":"out-of-service"}""")]
    [InlineData("""{"mode":1}""")]
    [InlineData("""{"mode":null}""")]
    [InlineData("""{"mode":"staff","schema":"mynaterm.mode/2"}""")]
    [InlineData("""{"mode":"staff","mode":"automatic"}""")]
    [InlineData("[\"staff\"]")]
    public void A_malformed_mode_request_is_an_error_without_a_control(string payload)
    {
        var result = Parse("mode", payload);

        Assert.False(result.IsOk);
        Assert.Null(result.Control);
        Assert.Null(result.Command);
        Assert.False(string.IsNullOrWhiteSpace(result.Error));
    }

    [Fact]
    public void A_selftest_request_takes_an_empty_payload_or_an_object()
    {
        Assert.IsType<ClinicControl.SelfTest>(Parse("selftest", "").Control);
        Assert.IsType<ClinicControl.SelfTest>(Parse("selftest", """{"schema":"mynaterm.request/1","transaction":"x"}""").Control);
        Assert.Null(Parse("selftest", """{"schema":"mynaterm.eligibility/1"}""").Control);
        Assert.Contains("mode", Parse("reboot", "").Error, StringComparison.Ordinal);
        Assert.Contains("selftest", Parse("reboot", "").Error, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> EveryRequestWithItsToken => new()
    {
        { "eligibility", $$"""{"verificationId":"{{Guid.NewGuid()}}","status":"valid","token":"{{Token}}"}""" },
        { "cancel", $$"""{"token":"{{Token}}"}""" },
        { "staff-visual", $$"""{"token":"{{Token}}"}""" },
        { "staff-resume", $$"""{"token":"{{Token}}"}""" },
        { "selftest", $$"""{"token":"{{Token}}"}""" },
        { "mode", $$"""{"mode":"staff","token":"{{Token}}"}""" },
    };

    [Theory]
    [MemberData(nameof(EveryRequestWithItsToken))]
    public void With_a_request_token_configured_every_request_needs_it(string name, string withToken)
    {
        Assert.True(Parse(name, withToken, Token).IsOk, Parse(name, withToken, Token).Error);

        var wrong = withToken.Replace(Token, Token + "x", StringComparison.Ordinal);
        var missing = withToken.Replace($",\"token\":\"{Token}\"", string.Empty, StringComparison.Ordinal).Replace($"\"token\":\"{Token}\"", string.Empty, StringComparison.Ordinal);
        var number = withToken.Replace($"\"{Token}\"", "42", StringComparison.Ordinal);
        foreach (var payload in new[] { wrong, missing, number, string.Empty })
        {
            var result = Parse(name, payload, Token);
            Assert.False(result.IsOk, payload);
            Assert.Null(result.Command);
            Assert.Null(result.Control);
            Assert.Equal(ClinicRequestParser.UnauthorisedError, result.Error);
        }

        // Without a configured token the field is ignored.
        Assert.True(Parse(name, wrong).IsOk);
    }

    [Fact]
    public void An_unauthorised_request_still_echoes_its_transaction()
    {
        var result = Parse("cancel", """{"transaction":"t-9","token":"guess"}""", Token);

        Assert.Equal(ClinicRequestParser.UnauthorisedError, result.Error);
        Assert.Equal("t-9", result.Transaction);
    }

    [Fact]
    public void The_request_token_must_be_long_enough()
    {
        Assert.NotEmpty(TopicsAndOptionsTests.Validate(new ClinicLinkOptions { RequestToken = "short" }));
        Assert.Empty(TopicsAndOptionsTests.Validate(new ClinicLinkOptions { RequestToken = Token, OutboxPath = "" }));
    }

    // ---- through the link -------------------------------------------------------------------------

    private static async Task<(LinkHost Host, int Port)> StartAsync(string terminalId, Action<Dictionary<string, string?>>? configure = null)
    {
        var port = FreePort.Next();
        var settings = LinkHost.FastSettings(terminalId);
        settings["EmbeddedPort"] = port.ToString(CultureInfo.InvariantCulture);
        configure?.Invoke(settings);
        var host = await LinkHost.StartAsync(settings, Ct);
        await host.Link.WaitUntilOnlineAsync(Ct).WaitAsync(TestClient.DefaultTimeout, Ct);
        return (host, port);
    }

    /// <summary>A stand-in for the session loop: answers each control request as told.</summary>
    /// <summary>
    /// Plays the session loop. The enumeration starts before this returns (the link counts a reader from the first
    /// MoveNextAsync), so a request published right after is never answered "session loop is not running".
    /// </summary>
    private static Task ServeAsync(MqttClinicLink link, Func<ClinicControlRequest, ClinicControlReply?> answer, List<ClinicControl> seen, CancellationToken ct)
    {
        var requests = link.ControlRequestsAsync(ct).GetAsyncEnumerator(ct);
        var next = requests.MoveNextAsync();
        return Task.Run(
            async () =>
            {
                await using (requests)
                {
                    try
                    {
                        while (await next)
                        {
                            var request = requests.Current;
                            lock (seen)
                            {
                                seen.Add(request.Control);
                            }

                            if (answer(request) is { } reply)
                            {
                                request.Complete(reply);
                            }

                            next = requests.MoveNextAsync();
                        }
                    }
                    catch (OperationCanceledException) when (ct.IsCancellationRequested)
                    {
                    }
                }
            },
            CancellationToken.None);
    }

    [Fact]
    public async Task A_mode_request_is_answered_with_what_the_session_loop_reports_on_the_response_topic()
    {
        var (host, port) = await StartAsync("t-mode");
        await using var _ = host;
        using var serving = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var seen = new List<ClinicControl>();
        var loop = ServeAsync(host.Link, r => new ClinicControlReply(((ClinicControl.SetMode)r.Control).Mode, SessionPhase.OutOfService), seen, serving.Token);
        await using var clinic = await TestClient.ConnectAsync(port, "clinic", cancellationToken: Ct);
        await clinic.SubscribeAsync("clinic/replies/#", Ct);

        await clinic.PublishAsync("mynaterm/t-mode/request/mode", """{"mode":"outOfService","transaction":"m-1"}""", "clinic/replies/mode", [7, 7], cancellationToken: Ct);

        var response = await clinic.WaitForAsync(m => m.Topic == "clinic/replies/mode", cancellationToken: Ct);
        Assert.Equal([7, 7], response.CorrelationData);
        var json = Json(response.Payload);
        Assert.True(json.GetProperty("ok").GetBoolean());
        Assert.Equal("outOfService", json.GetProperty("mode").GetString());
        Assert.Equal("outOfService", json.GetProperty("phase").GetString());
        Assert.Equal("m-1", json.GetProperty("transaction").GetString());
        Assert.IsType<ClinicControl.SetMode>(Assert.Single(seen));
        await serving.CancelAsync();
    }

    [Fact]
    public async Task A_selftest_reports_every_check_and_fails_when_one_fails()
    {
        var (host, port) = await StartAsync("t-self");
        await using var _ = host;
        using var serving = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var seen = new List<ClinicControl>();
        var loop = ServeAsync(
            host.Link,
            _ => new ClinicControlReply(TerminalMode.Automatic, SessionPhase.Idle, [new("cardReader", true, "watching"), new("display", false, "no panel")]),
            seen,
            serving.Token);
        await using var clinic = await TestClient.ConnectAsync(port, "clinic", cancellationToken: Ct);
        await clinic.SubscribeAsync("mynaterm/t-self/response/#", Ct);

        await clinic.PublishAsync("mynaterm/t-self/request/selftest", "", cancellationToken: Ct);

        var json = Json((await clinic.WaitForAsync(m => m.Topic == "mynaterm/t-self/response/selftest", cancellationToken: Ct)).Payload);
        Assert.False(json.GetProperty("ok").GetBoolean());
        Assert.Equal("self-test failed: display", json.GetProperty("error").GetString());
        Assert.Equal(["cardReader", "display"], json.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        Assert.Equal("idle", json.GetProperty("phase").GetString());
        await serving.CancelAsync();
    }

    [Fact]
    public async Task Without_a_session_loop_mode_and_selftest_get_an_error_at_once()
    {
        var (host, port) = await StartAsync("t-noloop");
        await using var _ = host;
        await using var clinic = await TestClient.ConnectAsync(port, "clinic", cancellationToken: Ct);
        await clinic.SubscribeAsync("mynaterm/t-noloop/response/#", Ct);

        await clinic.PublishAsync("mynaterm/t-noloop/request/mode", """{"mode":"staff"}""", cancellationToken: Ct);
        await clinic.PublishAsync("mynaterm/t-noloop/request/selftest", "", cancellationToken: Ct);

        var mode = Json((await clinic.WaitForAsync(m => m.Topic.EndsWith("/mode", StringComparison.Ordinal), cancellationToken: Ct)).Payload);
        var self = Json((await clinic.WaitForAsync(m => m.Topic.EndsWith("/selftest", StringComparison.Ordinal), cancellationToken: Ct)).Payload);
        Assert.False(mode.GetProperty("ok").GetBoolean());
        Assert.Contains("session loop", mode.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.False(self.GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task A_session_loop_that_does_not_answer_gives_an_error_after_the_operation_timeout()
    {
        var (host, port) = await StartAsync("t-silent", s => s["OperationTimeout"] = "00:00:00.300");
        await using var _ = host;
        using var serving = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var seen = new List<ClinicControl>();
        var loop = ServeAsync(host.Link, _ => null, seen, serving.Token);
        await using var clinic = await TestClient.ConnectAsync(port, "clinic", cancellationToken: Ct);
        await clinic.SubscribeAsync("mynaterm/t-silent/response/#", Ct);

        await clinic.PublishAsync("mynaterm/t-silent/request/mode", """{"mode":"staff"}""", cancellationToken: Ct);

        var json = Json((await clinic.WaitForAsync(m => m.Topic.EndsWith("/mode", StringComparison.Ordinal), cancellationToken: Ct)).Payload);
        Assert.False(json.GetProperty("ok").GetBoolean());
        Assert.Contains("did not answer", json.GetProperty("error").GetString(), StringComparison.Ordinal);
        await serving.CancelAsync();
    }

    [Fact]
    public async Task Unauthorised_requests_are_answered_with_an_error_and_reach_neither_the_session_nor_the_loop()
    {
        var (host, port) = await StartAsync("t-auth", s => s["RequestToken"] = Token);
        await using var _ = host;
        using var serving = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var seen = new List<ClinicControl>();
        var loop = ServeAsync(host.Link, r => new ClinicControlReply(TerminalMode.Staff, SessionPhase.Idle), seen, serving.Token);
        await using var clinic = await TestClient.ConnectAsync(port, "clinic", cancellationToken: Ct);
        await clinic.SubscribeAsync("mynaterm/t-auth/response/#", Ct);

        await clinic.PublishAsync("mynaterm/t-auth/request/cancel", """{"transaction":"a-1"}""", cancellationToken: Ct);
        await clinic.PublishAsync("mynaterm/t-auth/request/mode", """{"mode":"outOfService","token":"guess","transaction":"a-2"}""", cancellationToken: Ct);
        var refusedCancel = Json((await clinic.WaitForAsync(m => m.Payload.Contains("a-1", StringComparison.Ordinal), cancellationToken: Ct)).Payload);
        var refusedMode = Json((await clinic.WaitForAsync(m => m.Payload.Contains("a-2", StringComparison.Ordinal), cancellationToken: Ct)).Payload);
        Assert.Equal(ClinicRequestParser.UnauthorisedError, refusedCancel.GetProperty("error").GetString());
        Assert.Equal(ClinicRequestParser.UnauthorisedError, refusedMode.GetProperty("error").GetString());

        // The same requests with the token: they are the first to arrive, so the refused ones never did.
        await clinic.PublishAsync("mynaterm/t-auth/request/staff-resume", $$"""{"token":"{{Token}}"}""", cancellationToken: Ct);
        await clinic.PublishAsync("mynaterm/t-auth/request/mode", $$"""{"mode":"staff","token":"{{Token}}","transaction":"a-3"}""", cancellationToken: Ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TestClient.DefaultTimeout);
        await using var commands = host.Link.CommandsAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);
        Assert.True(await commands.MoveNextAsync());
        Assert.IsType<ClinicCommand.StaffResume>(commands.Current);
        var accepted = Json((await clinic.WaitForAsync(m => m.Payload.Contains("a-3", StringComparison.Ordinal), cancellationToken: Ct)).Payload);
        Assert.True(accepted.GetProperty("ok").GetBoolean());
        lock (seen)
        {
            Assert.Equal(TerminalMode.Staff, Assert.IsType<ClinicControl.SetMode>(Assert.Single(seen)).Mode);
        }

        await serving.CancelAsync();
    }

    [Fact]
    public async Task The_retained_state_shows_the_mode_the_session_loop_reports()
    {
        var (host, port) = await StartAsync("t-statemode");
        await using var _ = host;

        host.Link.ReportMode(TerminalMode.OutOfService);
        await host.Link.PublishStateAsync(new TerminalState(SessionPhase.OutOfService, "ja", Samples.Start), Ct);

        await using var observer = await TestClient.ConnectAsync(port, "observer", cancellationToken: Ct);
        await observer.SubscribeAsync("mynaterm/t-statemode/state", Ct);
        var state = Json((await observer.WaitForAsync(m => true, cancellationToken: Ct)).Payload);
        Assert.Equal("outOfService", state.GetProperty("phase").GetString());
        Assert.Equal("outOfService", state.GetProperty("mode").GetString());
    }

    [Fact]
    public async Task The_link_registers_its_self_test_checks_and_they_report_the_truth()
    {
        using var dir = new TempDirectory();
        var (host, _) = await StartAsync("t-checks", s => s["OutboxPath"] = dir.File("outbox.db"));
        await using (host)
        {
            var checks = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetServices<ISelfTestCheck>(host.Services).ToList();
            Assert.Equal(["clinicLink", "outbox"], checks.Select(c => c.Name));
            foreach (var check in checks)
            {
                var result = await check.RunAsync(Ct);
                Assert.True(result.Ok, result.Detail);
            }

            Assert.Contains(dir.File("outbox.db"), (await checks[1].RunAsync(Ct)).Detail, StringComparison.Ordinal);
            await host.StopAsync();
            Assert.False((await checks[0].RunAsync(Ct)).Ok);
        }

        // A broken outbox (here: closed) is a failed check, not an exception.
        var outbox = new SqliteVerificationOutbox(dir.File("other.db"));
        outbox.Dispose();
        var failed = await new OutboxSelfTest(outbox).RunAsync(Ct);
        Assert.False(failed.Ok);
        Assert.Equal("outbox", failed.Name);
    }
}
