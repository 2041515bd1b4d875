using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Session;
using MynaTerminal.Simulation;
using MynaTerminal.Terminal;

namespace MynaTerminal.Web.Tests.Support;

/// <summary>
/// The whole simulated terminal in-process (the real registrations: session, simulated devices, PNG screens in a
/// temp folder), an in-memory clinic that answers every verification, and the web mirror on a free loopback port.
/// </summary>
internal sealed class WebTerminal : IAsyncDisposable
{
    public static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);

    private readonly IHost _host;
    private readonly string _screens;

    private WebTerminal(IHost host, string screens)
    {
        _host = host;
        _screens = screens;
        Mirror = host.Services.GetRequiredService<WebMirror>();
        Http = new HttpClient { BaseAddress = Mirror.Address, Timeout = Generous };
    }

    public WebMirror Mirror { get; }

    public HttpClient Http { get; }

    public IServiceProvider Services => _host.Services;

    public FakeClinicLink Link => Services.GetRequiredService<FakeClinicLink>();

    public ISessionMonitor Monitor => Services.GetRequiredService<ISessionMonitor>();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The host, not started (for tests of start-up failures).</summary>
    public static IHost Build(IDictionary<string, string?>? settings = null)
    {
        var screens = Directory.CreateTempSubdirectory("mynaterm-web-tests-").FullName;
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        var configuration = new Dictionary<string, string?>
        {
            ["Display:OutputFolder"] = screens,
            ["Display:KeepHistory"] = "false",
            ["Devices:CardReader"] = "Simulated",
            ["WebMirror:Enabled"] = "true",
            ["WebMirror:Port"] = "0",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Services.AddSingleton<FakeClinicLink>();
        builder.Services.AddSingleton<IClinicLink>(sp => sp.GetRequiredService<FakeClinicLink>());
        builder.Services
            .AddPatientSession(builder.Configuration)
            .AddDevices(builder.Configuration)
            .AddScreens(builder.Configuration)
            .AddWebMirror(builder.Configuration);
        return builder.Build();
    }

    public static async Task<WebTerminal> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var host = Build(settings);
        await host.StartAsync(Ct);
        var terminal = new WebTerminal(host, host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Display.DisplayOptions>>().Value.OutputFolder);
        await terminal.WaitForStateAsync(s => s.Screen == Display.ScreenIds.Idle);
        return terminal;
    }

    /// <summary>POSTs a JSON body; returns the response (the caller checks the status).</summary>
    public Task<HttpResponseMessage> PostAsync(string path, object body) => Http.PostAsJsonAsync(path, body, Ct);

    public async Task<MirrorState> StateAsync() =>
        (await Http.GetFromJsonAsync<MirrorState>("state", new JsonSerializerOptions(JsonSerializerDefaults.Web), Ct))!;

    /// <summary>Follows the event stream until a state matches (the current state counts).</summary>
    public async Task<MirrorState> WaitForStateAsync(Func<MirrorState, bool> match)
    {
        await using var events = await EventStream.OpenAsync(Http);
        return await events.WaitForAsync(match);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _host.StopAsync(CancellationToken.None);
        _host.Dispose();
        try
        {
            Directory.Delete(_screens, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A reader of <c>GET /events</c> (Server-Sent Events) as a browser's EventSource reads it.</summary>
internal sealed class EventStream : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private EventStream(HttpResponseMessage response, StreamReader reader)
    {
        _response = response;
        _reader = reader;
    }

    public string? ContentType => _response.Content.Headers.ContentType?.MediaType;

    public static async Task<EventStream> OpenAsync(HttpClient http)
    {
        var response = await http.GetAsync("events", HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        var stream = await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken);
        return new EventStream(response, new StreamReader(stream, Encoding.UTF8));
    }

    /// <summary>The next <c>state</c> event.</summary>
    public async Task<MirrorState> NextAsync(CancellationToken cancellationToken)
    {
        string? name = null;
        var data = new StringBuilder();
        while (await _reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (name == "state" && data.Length > 0)
                {
                    return JsonSerializer.Deserialize<MirrorState>(data.ToString(), Json)!;
                }

                name = null;
                data.Clear();
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                name = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data.Append(line["data: ".Length..]);
            }
        }

        throw new EndOfStreamException("The event stream ended.");
    }

    public async Task<MirrorState> WaitForAsync(Func<MirrorState, bool> match)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(WebTerminal.Generous);
        MirrorState? last = null;
        try
        {
            while (true)
            {
                last = await NextAsync(timeout.Token);
                if (match(last))
                {
                    return last;
                }
            }
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"No matching state within {WebTerminal.Generous.TotalSeconds} s; the last was screen '{last?.Screen}' (v{last?.Version}).");
        }
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response.Dispose();
        return ValueTask.CompletedTask;
    }
}
