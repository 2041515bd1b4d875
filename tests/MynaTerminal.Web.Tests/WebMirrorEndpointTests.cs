using System.Net;
using System.Net.Http.Json;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MynaTerminal.Core.Session;
using MynaTerminal.Display;
using MynaTerminal.Simulation;
using MynaTerminal.Web.Tests.Support;

namespace MynaTerminal.Web.Tests;

/// <summary>The web mirror's endpoints against a real Kestrel on a free loopback port, with the whole simulated terminal behind it.</summary>
public sealed class WebMirrorEndpointTests
{
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_page_is_one_self_contained_document()
    {
        await using var terminal = await WebTerminal.StartAsync();

        using var response = await terminal.Http.GetAsync("/", Ct);
        var html = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<script>", html, StringComparison.Ordinal);
        Assert.Contains("new EventSource(\"/events\")", html, StringComparison.Ordinal);
        // Nothing from elsewhere: no external scripts, styles or fonts (the terminal runs offline).
        Assert.DoesNotContain("src=\"http", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=\"http", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_screen_png_is_served_and_changes_after_an_action()
    {
        await using var terminal = await WebTerminal.StartAsync();
        var idle = await terminal.Http.GetByteArrayAsync("screen.png", Ct);
        Assert.Equal(PngSignature, idle[..8]);

        Assert.Equal(HttpStatusCode.OK, (await terminal.PostAsync("card", new { action = "insert", persona = "normal" })).StatusCode);
        var choice = await terminal.WaitForStateAsync(s => s.Screen == ScreenIds.MethodChoice);

        using var response = await terminal.Http.GetAsync("screen.png", Ct);
        var png = await response.Content.ReadAsByteArrayAsync(Ct);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(PngSignature, png[..8]);
        Assert.NotEqual(idle, png);
        Assert.True(long.Parse(response.Headers.GetValues("X-Screen-Version").Single(), System.Globalization.CultureInfo.InvariantCulture) >= choice.Version);
        // The PNG is the one the terminal's own display drew for that screen.
        Assert.Equal(terminal.Services.GetRequiredService<MirrorDisplay>().Current!.Png, png);
    }

    [Fact]
    public async Task The_event_stream_pushes_the_current_state_then_every_change()
    {
        await using var terminal = await WebTerminal.StartAsync();
        await using var events = await EventStream.OpenAsync(terminal.Http);
        Assert.Equal("text/event-stream", events.ContentType);

        var first = await events.NextAsync(Ct);
        Assert.Equal(ScreenIds.Idle, first.Screen);
        Assert.Contains(first.Buttons, b => b.Id == ActionIds.Language("en"));
        Assert.Contains("normal", first.Personas);

        Assert.Equal(HttpStatusCode.OK, (await terminal.PostAsync("press", new { id = ActionIds.Language("en") })).StatusCode);
        var english = await events.WaitForAsync(s => s.Language == "en");
        Assert.True(english.Version > first.Version);
        Assert.Equal(ScreenIds.Idle, english.Screen);
        Assert.Contains(english.Buttons, b => b.Id == ActionIds.Language("ja") && b.Label == "日本語");
    }

    [Fact]
    public async Task A_press_that_is_not_on_the_current_screen_is_refused_and_changes_nothing()
    {
        await using var terminal = await WebTerminal.StartAsync();
        await terminal.PostAsync("card", new { action = "insert", persona = "normal" });
        var choice = await terminal.WaitForStateAsync(s => s.Screen == ScreenIds.MethodChoice);
        var phases = new List<SessionPhase>();
        terminal.Monitor.SnapshotChanged += s => { lock (phases) { phases.Add(s.Phase); } };

        // staff:cancel would end the session and a digit is no key on this screen; unknown ids and bad bodies neither.
        foreach (var id in new[] { ActionIds.StaffCancel, ActionIds.Digit(1), ActionIds.PinOk, "no-such-button", "" })
        {
            using var refused = await terminal.PostAsync("press", new { id });
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            var error = await refused.Content.ReadFromJsonAsync<ErrorReply>(Ct);
            Assert.False(error!.Ok);
            Assert.False(string.IsNullOrEmpty(error.Error));
            if (id.Length > 0)
            {
                // Refused ids are never echoed (one could be a PIN digit).
                Assert.DoesNotContain(id, error.Error, StringComparison.Ordinal);
            }
        }

        using (var notJson = await terminal.Http.PostAsync("press", new StringContent("{\"id\":\"staff:cancel\"}", Encoding.UTF8, "text/plain"), Ct))
        {
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, notJson.StatusCode);
        }

        using (var malformed = await terminal.Http.PostAsync("press", new StringContent("{\"id\":", Encoding.UTF8, "application/json"), Ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        }

        using (var notAnObject = await terminal.Http.PostAsync("press", new StringContent("[\"staff:cancel\"]", Encoding.UTF8, "application/json"), Ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, notAnObject.StatusCode);
        }

        // A press that is on the screen goes through after them: input is one queue, so the refused ones would be before it.
        Assert.Equal(HttpStatusCode.OK, (await terminal.PostAsync("press", new { id = ActionIds.Language("en") })).StatusCode);
        var english = await terminal.WaitForStateAsync(s => s.Language == "en");

        Assert.Equal(ScreenIds.MethodChoice, english.Screen);
        Assert.Equal(SessionPhase.MethodChoice, terminal.Monitor.Current.Phase);
        lock (phases)
        {
            Assert.All(phases, p => Assert.Equal(SessionPhase.MethodChoice, p));
        }

        Assert.Empty(terminal.Link.Verifications);
        Assert.True(english.Version > choice.Version);
    }

    [Fact]
    public async Task Keypad_keys_are_accepted_on_the_pin_screen_and_the_pin_shows_only_as_dots()
    {
        await using var terminal = await WebTerminal.StartAsync();
        await terminal.PostAsync("card", new { action = "insert", persona = "normal" });
        await terminal.WaitForStateAsync(s => s.Screen == ScreenIds.MethodChoice);
        Assert.Equal(HttpStatusCode.OK, (await terminal.PostAsync("press", new { id = ActionIds.MethodPin })).StatusCode);
        var pin = await terminal.WaitForStateAsync(s => s.Screen == ScreenIds.Pin);
        Assert.True(pin.Keypad);

        foreach (var digit in new[] { 1, 2, 3 })
        {
            Assert.Equal(HttpStatusCode.OK, (await terminal.PostAsync("press", new { id = ActionIds.Digit(digit) })).StatusCode);
        }

        var typed = await terminal.WaitForStateAsync(s => s.Lines.Any(l => l.StartsWith("●●●○", StringComparison.Ordinal)));
        var state = await terminal.Http.GetStringAsync("state", Ct);
        Assert.DoesNotContain("123", string.Concat(typed.Lines), StringComparison.Ordinal);
        Assert.DoesNotContain("123", state, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await terminal.PostAsync("press", new { id = "digit:12" })).StatusCode);
    }

    [Fact]
    public async Task The_card_control_inserts_and_removes_the_simulated_card()
    {
        await using var terminal = await WebTerminal.StartAsync();
        var slot = terminal.Services.GetRequiredService<ICardSlotSimulator>();

        Assert.Equal(HttpStatusCode.BadRequest, (await terminal.PostAsync("card", new { action = "insert", persona = "nobody-like-this" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await terminal.PostAsync("card", new { action = "shred" })).StatusCode);
        Assert.Null(slot.Current);

        Assert.Equal(HttpStatusCode.OK, (await terminal.PostAsync("card", new { action = "insert", persona = "normal" })).StatusCode);
        var inserted = await terminal.WaitForStateAsync(s => s.Screen == ScreenIds.MethodChoice);
        Assert.Equal("normal", inserted.Card);
        Assert.Equal("normal", slot.Current?.Id);
        Assert.Equal(HttpStatusCode.Conflict, (await terminal.PostAsync("card", new { action = "insert", persona = "expiring" })).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await terminal.PostAsync("card", new { action = "remove" })).StatusCode);
        var removed = await terminal.WaitForStateAsync(s => s.Card is null && s.Screen != ScreenIds.MethodChoice);
        Assert.Null(slot.Current);
        Assert.NotEqual(SessionPhase.MethodChoice, terminal.Monitor.Current.Phase);
        Assert.Empty(terminal.Link.Verifications);
        Assert.NotNull(removed.Screen);
    }

    [Fact]
    public async Task The_camera_control_puts_someone_in_front_of_the_simulated_camera()
    {
        await using var terminal = await WebTerminal.StartAsync(new Dictionary<string, string?> { ["Face:AttemptDuration"] = "00:00:01" });
        var camera = terminal.Services.GetRequiredService<SimulatedFaceCamera>();

        Assert.Equal(HttpStatusCode.BadRequest, (await terminal.PostAsync("camera", new { who = "twin" })).StatusCode);
        Assert.Null(camera.Showing);

        Assert.Equal(HttpStatusCode.OK, (await terminal.PostAsync("camera", new { who = "stranger" })).StatusCode);
        Assert.Equal(SimulatedFaceCamera.Stranger, camera.Showing);
        Assert.Equal("stranger", (await terminal.StateAsync()).Camera);

        // A stranger does not pass 顔認証: the terminal goes back to the method choice (or fails), never to consent.
        await terminal.PostAsync("card", new { action = "insert", persona = "normal" });
        await terminal.WaitForStateAsync(s => s.Screen == ScreenIds.MethodChoice);
        await terminal.PostAsync("press", new { id = ActionIds.MethodFace });
        await terminal.WaitForStateAsync(s => s.Screen == ScreenIds.Face);
        var after = await terminal.WaitForStateAsync(s => s.Screen != ScreenIds.Face);
        Assert.NotEqual(ScreenIds.Consent, after.Screen);
        Assert.Empty(terminal.Link.Verifications);

        foreach (var (who, expected) in new[] { ("photo", SimulatedFaceCamera.PhotoPrefix + "holder"), ("nobody", SimulatedFaceCamera.Nobody), ("holder", null) })
        {
            Assert.Equal(HttpStatusCode.OK, (await terminal.PostAsync("camera", new { who })).StatusCode);
            Assert.Equal(expected, camera.Showing);
            Assert.Equal(who, (await terminal.StateAsync()).Camera);
        }
    }

    [Fact]
    public async Task The_language_control_switches_only_to_a_language_the_screen_offers()
    {
        await using var terminal = await WebTerminal.StartAsync();
        Assert.Equal(HttpStatusCode.BadRequest, (await terminal.PostAsync("language", new { language = "xx" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await terminal.PostAsync("language", new { language = "ja" })).StatusCode); // already ja
        Assert.Equal(HttpStatusCode.OK, (await terminal.PostAsync("language", new { language = "en" })).StatusCode);
        var english = await terminal.WaitForStateAsync(s => s.Language == "en");
        Assert.Equal(ScreenIds.Idle, english.Screen);
    }

    [Fact]
    public async Task It_listens_on_loopback_only_and_answers_only_to_loopback_names()
    {
        await using var terminal = await WebTerminal.StartAsync();
        var address = terminal.Mirror.Address!;
        Assert.Equal("127.0.0.1", address.Host);

        // Another address of this machine does not reach it.
        var other = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
        if (other is not null)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            var refused = await Assert.ThrowsAsync<SocketException>(async () => await socket.ConnectAsync(new IPEndPoint(other, address.Port), Ct));
            Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        }

        // DNS rebinding: a foreign name that points at 127.0.0.1 gets nothing.
        using (var rebound = new HttpRequestMessage(HttpMethod.Get, "state"))
        {
            rebound.Headers.Host = "attacker.example";
            using var response = await terminal.Http.SendAsync(rebound, Ct);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        // Another site's page cannot drive the terminal.
        using (var foreign = new HttpRequestMessage(HttpMethod.Post, "card") { Content = JsonContent.Create(new { action = "insert", persona = "normal" }) })
        {
            foreign.Headers.Add("Origin", "https://attacker.example");
            using var response = await terminal.Http.SendAsync(foreign, Ct);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Null(terminal.Services.GetRequiredService<ICardSlotSimulator>().Current);
        }
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    [InlineData("192.168.1.10")]
    [InlineData("example.org")]
    public async Task A_bind_address_other_than_loopback_stops_the_host(string bindAddress)
    {
        using var host = WebTerminal.Build(new Dictionary<string, string?> { ["WebMirror:BindAddress"] = bindAddress });
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));
        Assert.Contains("WebMirror:BindAddress", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_port_in_use_is_reported_with_the_setting_to_change()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var host = WebTerminal.Build(new Dictionary<string, string?> { ["WebMirror:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) });

        var error = await Assert.ThrowsAsync<IOException>(() => host.StartAsync(Ct));
        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
        Assert.Contains("--web-port", error.Message, StringComparison.Ordinal);
        await host.StopAsync(Ct); // the session loop started before the mirror failed
    }

    [Fact]
    public async Task Stopping_the_terminal_ends_open_event_streams_at_once()
    {
        var terminal = await WebTerminal.StartAsync();
        // Its own client: disposing the terminal's client would close the stream from this side.
        using var browser = new HttpClient { BaseAddress = terminal.Mirror.Address };
        await using var events = await EventStream.OpenAsync(browser);
        await events.NextAsync(Ct);

        var watch = System.Diagnostics.Stopwatch.StartNew();
        await terminal.DisposeAsync();

        // Kestrel's graceful stop would wait for the stream (up to the host's shutdown timeout) if it stayed open.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"stopping took {watch.Elapsed}");
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        bound.CancelAfter(TimeSpan.FromSeconds(5));
        var ended = await Record.ExceptionAsync(() => events.NextAsync(bound.Token));
        Assert.True(ended is EndOfStreamException or IOException or HttpRequestException, $"the stream did not end: {ended}");
    }

    [Fact]
    public async Task The_state_carries_where_each_button_is_drawn()
    {
        await using var terminal = await WebTerminal.StartAsync();
        var state = await terminal.StateAsync();
        var frame = terminal.Services.GetRequiredService<MirrorDisplay>().Current!;

        Assert.NotNull(state.Layout);
        Assert.Equal(frame.Layout!.Width, state.Layout.Width);
        Assert.Equal(state.Buttons.Select(b => b.Id).Order(), state.Layout.Buttons.Select(b => b.Id).Order());
        var help = state.Layout.Buttons.Single(b => b.Id == ActionIds.Help);
        Assert.Equal(ActionIds.Help, frame.Layout.HitTest(help.X + (help.Width / 2), help.Y + (help.Height / 2)));
    }

    [Fact]
    public void Disabled_it_registers_nothing()
    {
        using var host = WebTerminal.Build(new Dictionary<string, string?> { ["WebMirror:Enabled"] = "false" });
        Assert.Null(host.Services.GetService<WebMirror>());
        Assert.IsNotType<MirrorDisplay>(host.Services.GetRequiredService<Core.Devices.IDisplay>());
    }

    private sealed record ErrorReply(bool Ok, string? Error);
}
