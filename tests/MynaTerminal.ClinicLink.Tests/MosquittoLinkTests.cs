using System.Text.Json;
using MynaTerminal.ClinicLink.Tests.Support;
using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Session;

namespace MynaTerminal.ClinicLink.Tests;

/// <summary>The link against a real mosquitto (Debian 2.0.x) on a free loopback port.</summary>
public sealed class MosquittoLinkTests
{
    private static readonly TimeSpan Timeout = TestClient.DefaultTimeout;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<LinkHost> StartLinkAsync(string terminalId, int port)
    {
        var settings = LinkHost.FastSettings(terminalId);
        settings["Broker"] = "127.0.0.1";
        settings["Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return LinkHost.StartAsync(settings, Ct);
    }

    [Fact]
    public async Task A_verification_queued_while_the_broker_is_down_is_delivered_once_it_is_up()
    {
        MosquittoBroker.SkipIfMissing();
        var port = FreePort.Next();
        await using var mosquitto = MosquittoBroker.Create(port);
        await using var host = await StartLinkAsync("m-outbox", port);
        var result = Samples.FaceVerification();
        using var published = new PublishedWaiter(host.Link, host.Link.Topics.VerificationEvent);

        // The broker is not there: the session's call still returns once the item is queued.
        await host.Link.EnqueueVerificationAsync(result, Ct).WaitAsync(Timeout, Ct);
        Assert.False(host.Link.IsOnline);
        Assert.Equal(1, await host.Link.CountPendingVerificationsAsync(Ct));

        await mosquitto.StartAsync(Ct);
        await using var clinic = await TestClient.ConnectAsync(port, "clinic", cancellationToken: Ct);
        await clinic.SubscribeAsync("mynaterm/m-outbox/event/verification", Ct);

        var message = await clinic.WaitForAsync(m => true, cancellationToken: Ct);
        Assert.Equal(result.Id, JsonDocument.Parse(message.Payload).RootElement.GetProperty("id").GetGuid());
        await published.Task;
        Assert.Equal(0, await host.Link.CountPendingVerificationsAsync(Ct));
        Assert.True(host.Link.IsOnline);
    }

    [Fact]
    public async Task After_a_mosquitto_crash_and_restart_availability_info_and_state_are_retained_again()
    {
        MosquittoBroker.SkipIfMissing();
        var port = FreePort.Next();
        await using var mosquitto = MosquittoBroker.Create(port);
        await mosquitto.StartAsync(Ct);
        await using var host = await StartLinkAsync("m-restart", port);
        await host.Link.WaitUntilOnlineAsync(Ct).WaitAsync(Timeout, Ct);
        await host.Link.PublishStateAsync(new TerminalState(SessionPhase.Consent, "ja", Samples.Start), Ct);

        // No persistence: the restarted broker has forgotten every retained message (zigbee2mqtt#9629).
        await mosquitto.KillAsync();
        await mosquitto.StartAsync(Ct);

        // Anything on the new broker's state topic was put there by the link after it reconnected …
        await using (var first = await TestClient.ConnectAsync(port, "first", cancellationToken: Ct))
        {
            await first.SubscribeAsync("mynaterm/m-restart/state", Ct);
            await first.WaitForAsync(m => true, cancellationToken: Ct);
        }

        // … and it is retained, with availability and info.
        await using var observer = await TestClient.ConnectAsync(port, "observer", cancellationToken: Ct);
        await observer.SubscribeAsync("mynaterm/m-restart/#", Ct);
        var state = await observer.WaitForAsync(m => m.Topic == "mynaterm/m-restart/state", cancellationToken: Ct);
        Assert.True(state.Retain);
        Assert.Equal("consent", JsonDocument.Parse(state.Payload).RootElement.GetProperty("phase").GetString());
        var availability = await observer.WaitForAsync(m => m.Topic == "mynaterm/m-restart/availability", cancellationToken: Ct);
        Assert.True(availability.Retain);
        Assert.Equal("""{"state":"online"}""", availability.Payload);
        Assert.True((await observer.WaitForAsync(m => m.Topic == "mynaterm/m-restart/info", cancellationToken: Ct)).Retain);
    }

    [Fact]
    public async Task Requests_through_mosquitto_are_answered_and_stopping_leaves_offline_retained()
    {
        MosquittoBroker.SkipIfMissing();
        var port = FreePort.Next();
        await using var mosquitto = MosquittoBroker.Create(port);
        await mosquitto.StartAsync(Ct);
        var host = await StartLinkAsync("m-req", port);
        await using (host)
        {
            await host.Link.WaitUntilOnlineAsync(Ct).WaitAsync(Timeout, Ct);
            await using var clinic = await TestClient.ConnectAsync(port, "clinic", cancellationToken: Ct);
            await clinic.SubscribeAsync("replies/#", Ct);

            await clinic.PublishAsync("mynaterm/m-req/request/cancel", "", "replies/cancel", [9, 9], cancellationToken: Ct);

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            timeout.CancelAfter(Timeout);
            await using var commands = host.Link.CommandsAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);
            Assert.True(await commands.MoveNextAsync());
            Assert.IsType<ClinicCommand.Cancel>(commands.Current);
            var response = await clinic.WaitForAsync(m => m.Topic == "replies/cancel", cancellationToken: Ct);
            Assert.Equal([9, 9], response.CorrelationData);
            await host.StopAsync();
        }

        await using var observer = await TestClient.ConnectAsync(port, "observer", cancellationToken: Ct);
        await observer.SubscribeAsync("mynaterm/m-req/availability", Ct);
        var availability = await observer.WaitForAsync(m => true, cancellationToken: Ct);
        Assert.True(availability.Retain);
        Assert.Equal("""{"state":"offline"}""", availability.Payload);
    }
}
