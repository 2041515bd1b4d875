using System.Net;
using System.Reflection;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Session;
using MynaTerminal.Display;
using MynaTerminal.Simulation;

namespace MynaTerminal.Web;

/// <summary>
/// The web mirror: a small Kestrel server on loopback that serves one self-contained page showing the terminal's
/// screen live (Server-Sent Events + PNG) and sends the page's touches, keypad presses and card / camera controls to
/// the simulated devices, exactly as a patient script would.
/// <list type="bullet">
/// <item><c>GET /</c> the page; <c>GET /screen.png</c> the current screen; <c>GET /state</c> the state as JSON;
/// <c>GET /events</c> that state again on every change (<c>text/event-stream</c>, event <c>state</c>).</item>
/// <item><c>POST /press {"id"}</c> a button of the current screen (keypad keys on the PIN screen); anything else is
/// 400 and changes nothing. <c>POST /language {"language"}</c>, <c>POST /card {"action":"insert|remove","persona"}</c>,
/// <c>POST /camera {"who":"holder|stranger|photo|nobody"}</c>.</item>
/// </list>
/// Requests must name a loopback host (no DNS rebinding), POSTs must be <c>application/json</c> (a foreign web page
/// cannot send that without a CORS pre-flight, which is never granted) and come from no foreign origin. Action ids are
/// never logged or echoed, so PIN digits appear nowhere.
/// </summary>
public sealed class WebMirror : IHostedService, IAsyncDisposable
{
    /// <summary>Largest request body accepted.</summary>
    public const int MaxRequestBodyBytes = 4096;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly Lazy<byte[]> Page = new(LoadPage);

    private readonly WebMirrorOptions _options;
    private readonly MirrorDisplay _display;
    private readonly SimulatedInput _input;
    private readonly ICardSlotSimulator _card;
    private readonly SimulatedFaceCamera _camera;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger<WebMirror> _log;
    private readonly CancellationTokenSource _stopping = new();
    private WebApplication? _app;

    public WebMirror(
        IOptions<WebMirrorOptions> options,
        MirrorDisplay display,
        SimulatedInput input,
        ICardSlotSimulator card,
        SimulatedFaceCamera camera,
        ILoggerFactory loggerFactory)
    {
        _options = options.Value;
        _display = display;
        _input = input;
        _card = card;
        _camera = camera;
        _loggerFactory = loggerFactory;
        _log = loggerFactory.CreateLogger<WebMirror>();
    }

    /// <summary>Raised when the simulated card or camera changed through the page (the screen has its own event).</summary>
    internal event Action? ControlsChanged;

    /// <summary>The page's address once started (e.g. <c>http://127.0.0.1:8080/</c>); null before.</summary>
    public Uri? Address { get; private set; }

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var bind = _options.LoopbackAddress()
            ?? throw new InvalidOperationException($"{WebMirrorOptions.Section}:{nameof(WebMirrorOptions.BindAddress)} must be a loopback address.");
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(WebMirror).Assembly.GetName().Name });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
            kestrel.Listen(bind, _options.Port);
        });
        builder.Services.AddRoutingCore();
        builder.Services.AddSingleton(_loggerFactory);
        var app = builder.Build();
        app.Use(GuardAsync);
        app.MapGet("/", ServePageAsync);
        app.MapGet("/screen.png", ServeScreenAsync);
        app.MapGet("/state", ctx => WriteJsonAsync(ctx, StatusCodes.Status200OK, State()));
        app.MapGet("/events", StreamEventsAsync);
        app.MapPost("/press", Post(Press));
        app.MapPost("/language", Post(Language));
        app.MapPost("/card", Post(Card));
        app.MapPost("/camera", Post(Camera));

        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new IOException(
                $"The web mirror cannot listen on {bind}:{_options.Port}: {ex.Message} (choose another with --web-port or {WebMirrorOptions.Section}:{nameof(WebMirrorOptions.Port)}).", ex);
        }

        _app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        Address = new Uri(address.EndsWith('/') ? address : address + "/");
        _log.LogInformation("Web mirror of the terminal at {Address}", Address);
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Live event streams end first, so Kestrel's graceful stop does not wait for them.
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_app is { } app)
        {
            await app.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.DisposeAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    // ---- state --------------------------------------------------------------------------------------

    /// <summary>What the page shows: the current screen (texts as drawn: the PIN only as dots) and the controls.</summary>
    internal MirrorState State()
    {
        var frame = _display.Current;
        var screen = frame?.Screen;
        return new MirrorState(
            frame?.Version ?? 0,
            screen?.Id,
            screen?.Language,
            screen?.Title,
            screen?.Lines ?? [],
            (screen?.Tone ?? ScreenTone.Normal).ToString().ToLowerInvariant(),
            screen?.Id == ScreenIds.Pin,
            screen?.Buttons.Select(b => new MirrorButton(b.Id, b.Label)).ToArray() ?? [],
            _card.Current?.Id,
            CameraSubject(_camera.Showing),
            Persona.All.Select(p => p.Id).ToArray(),
            frame?.Layout is { } layout
                ? new MirrorLayout(layout.Width, layout.Height, layout.Buttons.Select(b => new MirrorHitArea(b.Id, b.Bounds.X, b.Bounds.Y, b.Bounds.Width, b.Bounds.Height)).ToArray())
                : null);
    }

    private static string CameraSubject(string? showing) => showing switch
    {
        null => "holder",
        SimulatedFaceCamera.Stranger => "stranger",
        SimulatedFaceCamera.Nobody => "nobody",
        _ when showing.StartsWith(SimulatedFaceCamera.PhotoPrefix, StringComparison.Ordinal) => "photo",
        _ => "other",
    };

    // ---- commands -----------------------------------------------------------------------------------

    /// <summary>
    /// A button of the screen the page shows now; on the PIN screen also the keypad keys (a USB keypad, the
    /// keyboard). The id is never logged or echoed: it may be a PIN digit.
    /// </summary>
    private Reply Press(JsonElement body)
    {
        if (Text(body, "id") is not { Length: > 0 and <= 64 } id)
        {
            return Reply.Bad("'id' (a string) is missing");
        }

        if (_display.Current?.Screen is not { } screen)
        {
            return Reply.Bad("the terminal shows no screen yet");
        }

        var allowed = screen.Buttons.Any(b => b.Id == id)
            || (screen.Id == ScreenIds.Pin && ActionIds.IsKeypad(id) && ActionIds.ToEvent(id) is not null);
        if (!allowed)
        {
            return Reply.Bad($"that is not a button of the current screen ({screen.Id})");
        }

        _input.Press(id);
        return Reply.Ok;
    }

    private Reply Language(JsonElement body)
    {
        if (Text(body, "language") is not { Length: > 0 and <= 16 } language)
        {
            return Reply.Bad("'language' (a string) is missing");
        }

        var id = ActionIds.Language(language);
        if (_display.Current?.Screen is not { } screen || !screen.Buttons.Any(b => b.Id == id))
        {
            return Reply.Bad($"the current screen offers no language '{language}'");
        }

        _input.Press(id);
        return Reply.Ok;
    }

    private Reply Card(JsonElement body)
    {
        switch (Text(body, "action"))
        {
            case "insert":
                var name = Text(body, "persona");
                var persona = Persona.All.FirstOrDefault(p => string.Equals(p.Id, name, StringComparison.OrdinalIgnoreCase));
                if (persona is null)
                {
                    return Reply.Bad($"'persona' is one of {string.Join(", ", Persona.All.Select(p => p.Id))}");
                }

                try
                {
                    _card.Insert(persona);
                }
                catch (InvalidOperationException ex)
                {
                    return new Reply(StatusCodes.Status409Conflict, ex.Message);
                }

                break;
            case "remove":
                // As the script's "remove": the patient takes the card and steps away from the camera.
                _card.Remove();
                _camera.Show(null);
                break;
            default:
                return Reply.Bad("'action' is insert or remove");
        }

        ControlsChanged?.Invoke();
        return Reply.Ok;
    }

    private Reply Camera(JsonElement body)
    {
        // The same subjects as the script's "face holder|stranger|photo|nobody".
        string? who;
        switch (Text(body, "who"))
        {
            case "holder":
                who = null;
                break;
            case "stranger":
                who = SimulatedFaceCamera.Stranger;
                break;
            case "photo":
                who = SimulatedFaceCamera.PhotoPrefix + "holder";
                break;
            case "nobody":
                who = SimulatedFaceCamera.Nobody;
                break;
            default:
                return Reply.Bad("'who' is holder, stranger, photo or nobody");
        }

        _camera.Show(who);
        ControlsChanged?.Invoke();
        return Reply.Ok;
    }

    private static string? Text(JsonElement body, string name) =>
        body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    // ---- HTTP ---------------------------------------------------------------------------------------

    private static async Task GuardAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        if (!IsLoopbackHost(request.Host.Host))
        {
            // A DNS name that resolves to 127.0.0.1 (rebinding) is still a foreign site.
            await WriteJsonAsync(context, StatusCodes.Status400BadRequest, new Reply(400, "this page answers to localhost only"));
            return;
        }

        if (HttpMethods.IsPost(request.Method))
        {
            if (request.Headers.Origin is [{ } origin] && !(Uri.TryCreate(origin, UriKind.Absolute, out var uri) && IsLoopbackHost(uri.Host)))
            {
                await WriteJsonAsync(context, StatusCodes.Status403Forbidden, new Reply(403, "requests from other sites are refused"));
                return;
            }

            if (!string.Equals(request.ContentType?.Split(';')[0].Trim(), "application/json", StringComparison.OrdinalIgnoreCase))
            {
                await WriteJsonAsync(context, StatusCodes.Status415UnsupportedMediaType, new Reply(415, "send application/json"));
                return;
            }
        }

        var headers = context.Response.Headers;
        headers.CacheControl = "no-store";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XFrameOptions = "DENY";
        await next(context);
    }

    private static bool IsLoopbackHost(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    private static Task ServePageAsync(HttpContext context)
    {
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.ContentSecurityPolicy =
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
            "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
        return context.Response.Body.WriteAsync(Page.Value, context.RequestAborted).AsTask();
    }

    private Task ServeScreenAsync(HttpContext context)
    {
        if (_display.Current is not { } frame)
        {
            return WriteJsonAsync(context, StatusCodes.Status404NotFound, new Reply(404, "the terminal shows no screen yet"));
        }

        context.Response.ContentType = "image/png";
        context.Response.Headers.ETag = $"\"{frame.Version}\"";
        context.Response.Headers["X-Screen-Version"] = frame.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return context.Response.Body.WriteAsync(frame.Png, context.RequestAborted).AsTask();
    }

    /// <summary>Server-Sent Events: the state now, then again after every screen and control change (latest wins).</summary>
    private async Task StreamEventsAsync(HttpContext context)
    {
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        context.Response.ContentType = "text/event-stream";
        var changed = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });
        void OnFrame(MirrorFrame _) => changed.Writer.TryWrite(true);
        void OnControls() => changed.Writer.TryWrite(true);
        _display.Changed += OnFrame;
        ControlsChanged += OnControls;
        using var until = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        try
        {
            changed.Writer.TryWrite(true);
            await context.Response.WriteAsync("retry: 1000\n\n", until.Token);
            while (await changed.Reader.WaitToReadAsync(until.Token))
            {
                changed.Reader.TryRead(out _);
                var data = JsonSerializer.Serialize(State(), Json);
                await context.Response.WriteAsync($"event: state\ndata: {data}\n\n", until.Token);
                await context.Response.Body.FlushAsync(until.Token);
            }
        }
        catch (OperationCanceledException) when (until.IsCancellationRequested)
        {
            // The page went away, or the terminal stops.
        }
        finally
        {
            _display.Changed -= OnFrame;
            ControlsChanged -= OnControls;
        }
    }

    private static RequestDelegate Post(Func<JsonElement, Reply> handle) => async context =>
    {
        JsonElement body;
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted);
            body = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            await WriteJsonAsync(context, StatusCodes.Status400BadRequest, Reply.Bad("the body is not JSON"));
            return;
        }
        catch (BadHttpRequestException ex)
        {
            await WriteJsonAsync(context, ex.StatusCode, new Reply(ex.StatusCode, "the request is too large"));
            return;
        }

        var reply = body.ValueKind == JsonValueKind.Object ? handle(body) : Reply.Bad("the body is not a JSON object");
        await WriteJsonAsync(context, reply.Status, reply);
    };

    private static Task WriteJsonAsync<T>(HttpContext context, int status, T value)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(JsonSerializer.Serialize(value, Json), context.RequestAborted);
    }

    private static byte[] LoadPage()
    {
        using var stream = typeof(WebMirror).Assembly.GetManifestResourceStream("MynaTerminal.Web.index.html")
            ?? throw new InvalidOperationException("The web mirror's page is missing from the assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}

/// <summary>A screen button as the page gets it.</summary>
internal sealed record MirrorButton(string Id, string Label);

/// <summary>What the page shows, sent on <c>GET /state</c> and with every event.</summary>
internal sealed record MirrorState(
    long Version,
    string? Screen,
    string? Language,
    string? Title,
    IReadOnlyList<string> Lines,
    string Tone,
    bool Keypad,
    IReadOnlyList<MirrorButton> Buttons,
    string? Card,
    string Camera,
    IReadOnlyList<string> Personas,
    MirrorLayout? Layout);

/// <summary>Where the renderer drew each button, in frame pixels: the page maps a click on the picture to a button.</summary>
internal sealed record MirrorLayout(int Width, int Height, IReadOnlyList<MirrorHitArea> Buttons);

/// <summary>A button's rectangle in frame pixels.</summary>
internal sealed record MirrorHitArea(string Id, float X, float Y, float Width, float Height);

/// <summary>The answer to a POST: <c>{"ok":true}</c> or <c>{"ok":false,"error":"…"}</c>.</summary>
internal sealed record Reply(
    [property: System.Text.Json.Serialization.JsonIgnore] int Status,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? Error)
{
    public static readonly Reply Ok = new(StatusCodes.Status200OK, null);

    [System.Text.Json.Serialization.JsonPropertyName("ok")]
    public bool IsOk => Error is null;

    public static Reply Bad(string error) => new(StatusCodes.Status400BadRequest, error);
}
