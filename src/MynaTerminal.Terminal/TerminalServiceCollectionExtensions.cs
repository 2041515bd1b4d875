using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MynaTerminal.Card;
using MynaTerminal.Card.Data;
using MynaTerminal.Card.Emulator;
using MynaTerminal.Card.Transport;
using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Session;
using MynaTerminal.Display;
using MynaTerminal.Face;
using MynaTerminal.Pcsc;
using MynaTerminal.Simulation;

namespace MynaTerminal.Terminal;

/// <summary>The registrations Program.cs and the CLI share: each is one line there.</summary>
public static class TerminalServiceCollectionExtensions
{
    /// <summary>
    /// The patient session, its loop and the face pipeline; options validated at start. Register the clinic link
    /// first: hosted services stop in reverse order, so the loop stops (and drains) before the link closes.
    /// </summary>
    public static IServiceCollection AddPatientSession(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SessionOptions>().Bind(configuration.GetSection(SessionOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<FaceOptions>().Bind(configuration.GetSection(FaceOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new PatientSession(sp.GetRequiredService<IOptions<SessionOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<FaceAuthenticator>();
        services.AddSingleton<SessionRunner>();
        services.AddSingleton<ISessionMonitor>(sp => sp.GetRequiredService<SessionRunner>());
        services.AddHostedService(sp => sp.GetRequiredService<SessionRunner>());
        return services;
    }

    /// <summary>
    /// Devices per configuration section "Devices". Simulated is the embedded default; <c>Devices:CardReader=Pcsc</c>
    /// drives real readers through pcsc-lite with the My Number Card protocol.
    /// </summary>
    public static IServiceCollection AddDevices(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DeviceOptions>().Bind(configuration.GetSection(DeviceOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        var devices = configuration.GetSection(DeviceOptions.Section).Get<DeviceOptions>() ?? new DeviceOptions();

        switch (devices.CardReader)
        {
            case CardReaderKind.Pcsc:
                // Real readers. The simple simulated card stays registered for the simulated card-face camera.
                services.AddSingleton<SimulatedCardReader>();
                services.AddSingleton<ICardSlotSimulator>(sp => sp.GetRequiredService<SimulatedCardReader>());
                services.AddPcscCardTerminal(configuration);
                AddMyNumberCardReader(services, configuration, trustAnchors: null);
                services.AddSingleton<ICardReader>(sp => sp.GetRequiredService<MyNumberCardReader>());
                break;
            case CardReaderKind.Virtual:
                // The APDU-level virtual card, read through the real card stack.
                services.AddSingleton(sp => new VirtualCardTerminal(sp.GetRequiredService<TimeProvider>()));
                services.AddSingleton<ICardTerminal>(sp => sp.GetRequiredService<VirtualCardTerminal>());
                services.AddSingleton<VirtualCardSlot>();
                services.AddSingleton<ICardSlotSimulator>(sp => sp.GetRequiredService<VirtualCardSlot>());
                AddMyNumberCardReader(services, configuration, EmulatorPki.CardFaceTrustAnchors);
                services.AddSingleton<ICardReader>(sp => new VirtualCardSimulationReader(
                    sp.GetRequiredService<MyNumberCardReader>(), sp.GetRequiredService<ICardSlotSimulator>()));
                break;
            default:
                services.AddSingleton<SimulatedCardReader>();
                services.AddSingleton<ICardSlotSimulator>(sp => sp.GetRequiredService<SimulatedCardReader>());
                services.AddSingleton<ICardReader>(sp => sp.GetRequiredService<SimulatedCardReader>());
                break;
        }

        services.AddSingleton<SimulatedFaceCamera>();
        services.AddSingleton<IFaceCamera>(sp => sp.GetRequiredService<SimulatedFaceCamera>());
        services.AddSingleton<ICardFaceCamera, SimulatedCardFaceCamera>();
        services.AddSingleton<ICardFaceReader, SimulatedCardFaceReader>();
        services.AddSingleton<IFaceVerifier, SimulatedFaceVerifier>();
        services.AddSingleton<SimulatedInput>();
        services.AddSingleton<IInputDevice>(sp => sp.GetRequiredService<SimulatedInput>());
        services.AddSingleton<ScriptedPatient>();
        return services;
    }

    private static void AddMyNumberCardReader(IServiceCollection services, IConfiguration configuration, CardFaceTrustAnchors? trustAnchors)
    {
        services.AddOptions<CardOptions>().Bind(configuration.GetSection(CardOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => trustAnchors is null
            ? new MyNumberCardReader(sp.GetRequiredService<ICardTerminal>(), sp.GetRequiredService<IOptions<CardOptions>>(), sp.GetRequiredService<TimeProvider>())
            : new MyNumberCardReader(sp.GetRequiredService<ICardTerminal>(), sp.GetRequiredService<IOptions<CardOptions>>().Value, sp.GetRequiredService<TimeProvider>(), trustAnchors));
    }

    /// <summary>Screens: composed per language, drawn as PNG files (the simulated panel) and any extra displays.</summary>
    public static IServiceCollection AddScreens(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DisplayOptions>().Bind(configuration.GetSection(DisplayOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<IDisplay>(sp => new PngFolderDisplay(sp.GetRequiredService<IOptions<DisplayOptions>>().Value));
        return services;
    }
}
