using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Session;
using MynaTerminal.Simulation;

namespace MynaTerminal.Terminal.Tests.Support;

/// <summary>
/// The terminal in-process: the real registrations (session, simulated devices, PNG screens into a temp folder)
/// with an in-memory clinic link and a decorating card reader, started as a host. Waits use real time, so they
/// work the same with a fake clock.
/// </summary>
internal sealed class TerminalHarness : IAsyncDisposable
{
    public static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);

    private readonly IHost _host;
    private readonly string _screens;
    private readonly Lock _gate = new();
    private readonly List<SessionSnapshot> _snapshots = [];
    private int _cursor;
    private (Func<SessionSnapshot, bool> Match, TaskCompletionSource<SessionSnapshot> Done)? _waiter;

    private TerminalHarness(IHost host, string screens)
    {
        _host = host;
        _screens = screens;
        Monitor = host.Services.GetRequiredService<ISessionMonitor>();
        Monitor.SnapshotChanged += OnSnapshot;
    }

    public FakeClinicLink Link => Services.GetRequiredService<FakeClinicLink>();

    public SimulatedCardReader Reader => Services.GetRequiredService<SimulatedCardReader>();

    public RecordingCardReader Card => Services.GetRequiredService<RecordingCardReader>();

    public SimulatedInput Input => Services.GetRequiredService<SimulatedInput>();

    public SimulatedFaceCamera Camera => Services.GetRequiredService<SimulatedFaceCamera>();

    public ScriptedPatient Patient => Services.GetRequiredService<ScriptedPatient>();

    public ISessionMonitor Monitor { get; }

    public IServiceProvider Services => _host.Services;

    /// <summary>Every snapshot the monitor announced, in order.</summary>
    public IReadOnlyList<SessionSnapshot> Snapshots
    {
        get { lock (_gate) { return _snapshots.ToArray(); } }
    }

    /// <summary>The phases the monitor went through, consecutive repeats collapsed.</summary>
    public IReadOnlyList<SessionPhase> Phases
    {
        get
        {
            var phases = new List<SessionPhase>();
            foreach (var s in Snapshots)
            {
                if (phases.Count == 0 || phases[^1] != s.Phase)
                {
                    phases.Add(s.Phase);
                }
            }

            return phases;
        }
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<TerminalHarness> StartAsync(FakeTimeProvider? clock = null, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? configure = null)
    {
        var screens = Directory.CreateTempSubdirectory("mynaterm-terminal-tests-").FullName;
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        var configuration = new Dictionary<string, string?>
        {
            ["Display:OutputFolder"] = screens,
            ["Display:KeepHistory"] = "false",
            // These tests drive the simple simulated card directly; the APDU-level virtual card is covered by the CLI tests.
            ["Devices:CardReader"] = "Simulated",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(configuration);
        var services = builder.Services;
        if (clock is not null)
        {
            services.AddSingleton<TimeProvider>(clock);
        }

        services.AddSingleton<FakeClinicLink>();
        services.AddSingleton<IClinicLink>(sp => sp.GetRequiredService<FakeClinicLink>());
        configure?.Invoke(services);
        services
            .AddPatientSession(builder.Configuration)
            .AddDevices(builder.Configuration)
            .AddScreens(builder.Configuration);

        // Decorate the card reader: the session loop and the face pipeline get the recording one.
        services.AddSingleton(sp => new RecordingCardReader(sp.GetRequiredService<SimulatedCardReader>()));
        services.AddSingleton<ICardReader>(sp => sp.GetRequiredService<RecordingCardReader>());

        var harness = new TerminalHarness(builder.Build(), screens);
        await harness._host.StartAsync(Ct);
        await harness.WaitForPhaseAsync(SessionPhase.Idle);
        // The first retained state has reached the link, so none of the session's states can displace it.
        await harness.Link.States.WaitForAsync(s => s.Phase == SessionPhase.Idle, Generous, Ct);
        return harness;
    }

    private void OnSnapshot(SessionSnapshot snapshot)
    {
        TaskCompletionSource<SessionSnapshot>? done = null;
        lock (_gate)
        {
            _snapshots.Add(snapshot);
            if (_waiter is { } w && w.Match(snapshot))
            {
                _cursor = _snapshots.Count;
                _waiter = null;
                done = w.Done;
            }
        }

        done?.TrySetResult(snapshot);
    }

    /// <summary>
    /// Waits for the next snapshot (after the one the previous wait returned) that matches; earlier snapshots do
    /// not count, so successive waits follow the session forward.
    /// </summary>
    public async Task<SessionSnapshot> WaitForAsync(Func<SessionSnapshot, bool> match, string what, TimeSpan? timeout = null)
    {
        var tcs = new TaskCompletionSource<SessionSnapshot>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            for (var i = _cursor; i < _snapshots.Count; i++)
            {
                if (match(_snapshots[i]))
                {
                    _cursor = i + 1;
                    return _snapshots[i];
                }
            }

            _waiter = (match, tcs);
        }

        try
        {
            return await tcs.Task.WaitAsync(timeout ?? Generous, Ct);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The terminal never showed {what}; phases seen: {string.Join(" → ", Phases)}.");
        }
    }

    public Task<SessionSnapshot> WaitForPhaseAsync(SessionPhase phase) => WaitForAsync(s => s.Phase == phase, phase.ToString());

    /// <summary>Plays script lines with the scripted patient (waits in them use the terminal's clock).</summary>
    public Task PlayAsync(string script) => Patient.RunAsync(PatientScript.Parse(script), Ct);

    public async ValueTask DisposeAsync()
    {
        Monitor.SnapshotChanged -= OnSnapshot;
        await _host.StopAsync(CancellationToken.None);
        _host.Dispose();
        try
        {
            Directory.Delete(_screens, recursive: true);
        }
        catch (IOException)
        {
            // A screen still being written: the temp folder is left to the OS.
        }
    }
}
