using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MynaTerminal.ClinicLink;
using MynaTerminal.Core.Session;
using MynaTerminal.Display;
using MynaTerminal.Simulation;
using MynaTerminal.Terminal;
using MynaTerminal.Web;

namespace MynaTerminal.Cli;

/// <summary>
/// <c>mynaterm simulate</c>: the whole terminal on simulated hardware (virtual card, virtual cameras, PNG
/// screens, embedded MQTT broker, a simulated clinic answering eligibility) with scripted or interactive patients.
/// </summary>
public static class SimulateCommand
{
    public static Command Create()
    {
        var patients = new Option<string>("--patients")
        {
            Description = $"Comma-separated built-in patients to play: {string.Join(", ", PatientScript.BuiltIn.Keys)}.",
            DefaultValueFactory = _ => "pin,face,pulled",
        };
        var script = new Option<FileInfo?>("--script") { Description = "Play a patient script file instead (see README for the grammar)." };
        var interactive = new Option<bool>("--interactive") { Description = "Read patient commands from standard input (same grammar as scripts)." };
        var once = new Option<bool>("--once") { Description = "Play the patients once, then keep the terminal idle (default: repeat them until stopped)." };
        var exit = new Option<bool>("--exit") { Description = "Stop the terminal when the patients are done (default: keep running until Ctrl+C)." };
        var waitSubscriber = new Option<double>("--wait-subscriber")
        {
            Description = "Seconds to wait, before the first patient, for an MQTT client (e.g. mosquitto_sub) to subscribe. 0: do not wait.",
            DefaultValueFactory = _ => 10,
        };
        var screens = new Option<DirectoryInfo?>("--screens") { Description = "Folder for the rendered screens (default: a folder under /tmp, printed at start)." };
        var port = new Option<int?>("--port") { Description = "Port of the embedded MQTT broker (default from configuration: 1883)." };
        var broker = new Option<string?>("--broker") { Description = "Use this MQTT broker host instead of the embedded one." };
        var verbose = new Option<bool>("--verbose") { Description = "Log at Information level." };
        var models = new Option<DirectoryInfo?>("--models")
        {
            Description = "Use the real ONNX face engine with the models in this folder (checked against the sha256 manifest); needs --faces.",
        };
        var faces = new Option<DirectoryInfo?>("--faces")
        {
            Description = "With --models: a folder of <identity>/<n>.jpg photos; each card persona gets an identity (chip photo on the virtual card, other photos in front of the camera).",
        };

        var web = new Option<bool>("--web")
        {
            Description = "Serve a local web page (127.0.0.1 only) that mirrors the screen live and lets you be the patient: touches, keypad, card and camera. No scripted patients.",
        };
        var webPort = new Option<int?>("--web-port") { Description = "Port of the --web page (default 8080)." };

        var command = new Command("simulate", "Run the whole terminal on simulated hardware with scripted or interactive patients.")
        {
            patients, script, interactive, once, exit, waitSubscriber, screens, port, broker, verbose, models, faces, web, webPort,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = new SimulationSettings(
                parse.GetValue(patients)!, parse.GetValue(script), parse.GetValue(interactive), !parse.GetValue(once) && !parse.GetValue(exit), parse.GetValue(exit),
                TimeSpan.FromSeconds(Math.Max(0, parse.GetValue(waitSubscriber))), parse.GetValue(screens), parse.GetValue(port),
                parse.GetValue(broker), parse.GetValue(verbose), parse.GetValue(models)?.FullName, parse.GetValue(faces)?.FullName);
            settings = settings with { Web = parse.GetValue(web) || parse.GetValue(webPort) is not null, WebPort = parse.GetValue(webPort) };
            if (settings.WebPort is < 1 or > 65535)
            {
                Console.Out.WriteLine("error: --web-port is a TCP port, 1 to 65535.");
                return 2;
            }

            if ((settings.Models is null) != (settings.Faces is null))
            {
                Console.Out.WriteLine("error: --models and --faces go together (the real engine needs real faces in front of the simulated camera).");
                return 2;
            }

            return await RunAsync(settings, Console.Out, Console.In, cancellationToken);
        });
        return command;
    }

    public sealed record SimulationSettings(
        string Patients, FileInfo? Script, bool Interactive, bool Loop, bool Exit, TimeSpan WaitSubscriber,
        DirectoryInfo? Screens, int? Port, string? Broker, bool Verbose, string? Models = null, string? Faces = null,
        bool Web = false, int? WebPort = null);

    public static async Task<int> RunAsync(SimulationSettings settings, TextWriter consoleOut, TextReader consoleIn, CancellationToken cancellationToken)
    {
        var output = TextWriter.Synchronized(consoleOut);
        IReadOnlyList<ScriptStep> steps;
        try
        {
            steps = settings.Interactive || settings.Web ? [] : LoadSteps(settings);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or IOException)
        {
            output.WriteLine($"error: {ex.Message}");
            return 2;
        }

        var screenFolder = settings.Screens?.FullName ?? Path.Combine(Path.GetTempPath(), "mynaterm-sim", "screens");
        using var host = BuildHost(settings, screenFolder, output);

        // The host's console lifetime takes SIGINT/SIGTERM (Ctrl+C, systemctl stop) and only stops the application:
        // that has to stop the patients and the loop below too.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(
            cancellationToken, host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
        cancellationToken = stopping.Token;
        MqttClinicLink link;
        try
        {
            link = host.Services.GetRequiredService<MqttClinicLink>();
        }
        catch (InvalidOperationException ex) when (ex.Message.Contains("ClinicLink:", StringComparison.Ordinal))
        {
            // An unusable device key or outbox: the message names the setting and the file.
            output.WriteLine($"error: {ex.Message}");
            return 2;
        }

        link.Published += (topic, payload) => output.WriteLine($"=== mqtt {topic} {payload}");
        var printer = new ConsoleScreenPrinter(output, host.Services.GetRequiredService<TimeProvider>());
        try
        {
            // Resolving the session builds the devices: the face engine checks and loads its models here.
            host.Services.GetRequiredService<ISessionMonitor>().SnapshotChanged += printer.Print;
        }
        catch (Exception ex) when (ex is MynaTerminal.Face.Models.ModelFileException or MynaTerminal.Face.Engine.FaceModelException
            or MynaTerminal.Cameras.Imaging.ImageDecodeException or InvalidOperationException or IOException)
        {
            output.WriteLine($"error: {ex.Message}");
            return 2;
        }

        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch (OptionsValidationException ex)
        {
            output.WriteLine($"error: configuration is invalid: {string.Join("; ", ex.Failures)}");
            return 2;
        }
        catch (System.Net.Sockets.SocketException ex) when (ex.SocketErrorCode == System.Net.Sockets.SocketError.AddressAlreadyInUse)
        {
            var inUse = settings.Port?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "1883";
            output.WriteLine($"error: port {inUse} is already in use (a mosquitto service, or another simulator?). " +
                "Use --port <free port>, or --broker 127.0.0.1 to publish to the broker that is running.");
            return 2;
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException
            or MynaTerminal.Face.Models.ModelFileException or MynaTerminal.Face.Engine.FaceModelException)
        {
            output.WriteLine($"error: {ex.Message}");
            return 2;
        }

        var options = host.Services.GetRequiredService<IOptions<ClinicLinkOptions>>().Value;
        var embedded = string.IsNullOrWhiteSpace(options.Broker);
        var brokerHost = embedded ? options.EmbeddedBindAddress : options.Broker!;
        var brokerPort = embedded ? options.EmbeddedPort : options.Port;
        output.WriteLine($"MynaTerminal simulator {typeof(SimulateCommand).Assembly.GetName().Version?.ToString(3)}");
        output.WriteLine($"Screens (PNG): {screenFolder}/current.png");
        output.WriteLine($"MQTT broker:   {(embedded ? "embedded" : "external")} {brokerHost}:{brokerPort}");
        output.WriteLine($"Watch it with: mosquitto_sub -h {brokerHost} -p {brokerPort} -t 'mynaterm/#' -v");
        if (host.Services.GetService<MynaTerminal.Web.WebMirror>() is { Address: { } webAddress })
        {
            output.WriteLine($"Web page:      {webAddress} (be the patient in a browser: insert a card, touch the screen)");
        }

        var exitCode = 0;
        try
        {
            if (embedded && settings.WaitSubscriber > TimeSpan.Zero && !settings.Web)
            {
                output.WriteLine($"Waiting up to {settings.WaitSubscriber.TotalSeconds:0.#} s for an MQTT subscriber (--wait-subscriber 0 skips this)...");
                var broker = host.Services.GetRequiredService<EmbeddedBroker>();
                var subscribed = await WaitForSubscriberAsync(broker, settings.WaitSubscriber, cancellationToken);
                output.WriteLine(subscribed ? "A subscriber is listening." : "No subscriber; going on.");
            }

            var patient = host.Services.GetRequiredService<ScriptedPatient>();
            patient.Stepping += step => output.WriteLine($">>> {Describe(step)}");
            if (settings.Interactive)
            {
                await RunInteractiveAsync(patient, consoleIn, output, cancellationToken);
                await WaitForDeliveryAsync(link, TimeSpan.FromSeconds(30), cancellationToken);
            }
            else if (settings.Web)
            {
                // The patients come from the web page.
                output.WriteLine("Patients come from the web page; Ctrl+C stops the terminal.");
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            else
            {
                await patient.RunAsync(steps, cancellationToken);
                while (settings.Loop && !cancellationToken.IsCancellationRequested)
                {
                    // A terminal in a waiting room: the same patients come again, so a late observer still sees sessions.
                    output.WriteLine("Patients done; they come again in 3 s (Ctrl+C stops, --once plays them once).");
                    await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
                    await patient.RunAsync(steps, cancellationToken);
                }

                output.WriteLine("All patients done.");
                if (!settings.Exit)
                {
                    output.WriteLine("The terminal keeps running; Ctrl+C stops it.");
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                else
                {
                    await WaitForDeliveryAsync(link, TimeSpan.FromSeconds(30), cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (TimeoutException ex)
        {
            output.WriteLine($"error: {ex.Message}");
            exitCode = 1;
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }

        return exitCode;
    }

    /// <summary>
    /// Waits until someone other than the simulated clinic subscribes on the embedded broker (a technician's
    /// mosquitto_sub, a test observer), so that they see the verifications from the first patient on.
    /// </summary>
    private static async Task<bool> WaitForSubscriberAsync(EmbeddedBroker broker, TimeSpan timeout, CancellationToken cancellationToken)
    {
        static bool IsObserver(string clientId) => !clientId.StartsWith(SimulatedClinic.ClientIdPrefix, StringComparison.Ordinal);
        var observed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnSubscribed(string clientId, string filter)
        {
            if (IsObserver(clientId))
            {
                observed.TrySetResult();
            }
        }

        broker.ClientSubscribed += OnSubscribed;
        try
        {
            if (broker.GetSubscriptions().Keys.Any(IsObserver))
            {
                return true;
            }

            await observed.Task.WaitAsync(timeout, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        finally
        {
            broker.ClientSubscribed -= OnSubscribed;
        }
    }

    /// <summary>Before exiting, lets the outbox hand every verification to the broker.</summary>
    private static async Task WaitForDeliveryAsync(MqttClinicLink link, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var until = DateTimeOffset.UtcNow + timeout;
        while (await link.CountPendingVerificationsAsync(cancellationToken) > 0 && DateTimeOffset.UtcNow < until)
        {
            await Task.Delay(50, cancellationToken);
        }
    }

    private static IReadOnlyList<ScriptStep> LoadSteps(SimulationSettings settings)
    {
        if (settings.Script is { } file)
        {
            return PatientScript.Parse(File.ReadAllText(file.FullName));
        }

        var steps = new List<ScriptStep>();
        foreach (var name in settings.Patients.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!PatientScript.BuiltIn.TryGetValue(name, out var text))
            {
                throw new ArgumentException($"unknown patient '{name}'; known: {string.Join(", ", PatientScript.BuiltIn.Keys)}");
            }

            steps.AddRange(PatientScript.Parse(text));
        }

        return steps;
    }

    private static IHost BuildHost(SimulationSettings settings, string screenFolder, TextWriter output)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = AppContext.BaseDirectory,
            Args = [],
        });
        builder.Configuration.AddEnvironmentVariables("MYNATERM_");
        var overrides = new Dictionary<string, string?>
        {
            ["Display:OutputFolder"] = screenFolder,
            ["Display:KeepHistory"] = "true",
            // Durable like the device's, but per simulator folder (undelivered verifications of a killed run go out next time).
            ["ClinicLink:OutboxPath"] = Path.Combine(screenFolder, "outbox.db"),
            // The device key that signs verifications lives beside that outbox, so a replay after a restart verifies.
            ["ClinicLink:DeviceKeyPath"] = Path.Combine(screenFolder, "device-key.pem"),
            ["Logging:LogLevel:Default"] = settings.Verbose ? "Information" : "Warning",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = settings.Verbose ? "Information" : "Warning",
        };
        if (settings.Port is { } port)
        {
            overrides["ClinicLink:EmbeddedPort"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (settings.Web)
        {
            overrides["WebMirror:Enabled"] = "true";
            if (settings.WebPort is { } webPort)
            {
                overrides["WebMirror:Port"] = webPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        if (settings.Broker is { } broker)
        {
            overrides["ClinicLink:Broker"] = broker;
        }

        if (settings.Models is { } modelsFolder && settings.Faces is { } facesFolder)
        {
            // The real engine: scripted patients appear as real photos, and their cards carry real chip photos.
            overrides["Devices:FaceEngine"] = "Onnx";
            overrides["Devices:Camera"] = "Gallery";
            overrides["Devices:Gallery"] = facesFolder;
            overrides["FaceEngine:ModelsPath"] = modelsFolder;
        }

        builder.Configuration.AddInMemoryCollection(overrides);
        builder.Logging.SetMinimumLevel(settings.Verbose ? LogLevel.Information : LogLevel.Warning);
        // Start-up failures are reported in one plain line by RunAsync, not as the host's stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", settings.Verbose ? LogLevel.Information : LogLevel.None);

        builder.Services
            .AddClinicLink(builder.Configuration)
            .AddPatientSession(builder.Configuration)
            .AddDevices(builder.Configuration)
            .AddScreens(builder.Configuration)
            .AddSimulatedClinic()
            .AddWebMirror(builder.Configuration); // only with --web (WebMirror:Enabled)
        return builder.Build();
    }

    private static async Task RunInteractiveAsync(ScriptedPatient patient, TextReader input, TextWriter output, CancellationToken cancellationToken)
    {
        output.WriteLine("Interactive patient: type script commands (insert normal, choose pin, pin 1234, consent all, remove, ...); 'quit' ends.");
        var line = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            output.Write("patient> ");
            var text = await input.ReadLineAsync(cancellationToken);
            if (text is null || text.Trim() is "quit" or "exit")
            {
                return;
            }

            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            try
            {
                await patient.RunStepAsync(PatientScript.ParseLine(text, ++line), cancellationToken);
            }
            catch (Exception ex) when (ex is FormatException or TimeoutException or InvalidOperationException)
            {
                output.WriteLine($"error: {ex.Message}");
            }
        }
    }

    /// <summary>Describes a script step for the console; PIN digits are never printed.</summary>
    private static string Describe(ScriptStep step) => step switch
    {
        ScriptStep.Insert i => $"patient inserts card '{i.Persona.Id}'",
        ScriptStep.Remove => "patient removes the card",
        ScriptStep.Wait w => $"patient waits for {w.Phase}",
        ScriptStep.Press p when p.ActionIds.Any(id => id.StartsWith(Core.Session.ActionIds.DigitPrefix, StringComparison.Ordinal)) =>
            $"patient types {p.ActionIds.Count(id => id.StartsWith(Core.Session.ActionIds.DigitPrefix, StringComparison.Ordinal))} digit(s) [hidden]" +
            (p.ActionIds[^1] == Core.Session.ActionIds.PinOk ? " and presses 確定" : string.Empty),
        ScriptStep.Press p => $"patient presses {string.Join(", ", p.ActionIds)}",
        ScriptStep.ShowFace f => $"in front of the camera: {f.Who ?? "the card holder"}",
        ScriptStep.Pause p => $"pause {p.Duration.TotalSeconds:0.#} s",
        _ => step.ToString(),
    };
}
