using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MynaTerminal.Cameras;
using MynaTerminal.Card;
using MynaTerminal.Card.Data;
using MynaTerminal.Card.Emulator;
using MynaTerminal.Card.Transport;
using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Session;
using MynaTerminal.Display;
using MynaTerminal.Face;
using MynaTerminal.Face.Engine;
using MynaTerminal.Face.Models;
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
        services.AddSingleton<FacePreviewFeed>();
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
        if (devices.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(devices)).Any())
        {
            // Register nothing real for an invalid choice: ValidateOnStart then stops the host naming the setting,
            // before any camera is opened or model loaded.
            devices = new DeviceOptions { CardReader = Enum.IsDefined(devices.CardReader) ? devices.CardReader : CardReaderKind.Virtual };
        }

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

        // The simulated camera stays registered for the scripted patient, which tells it who stands in front of it.
        services.AddSingleton<SimulatedFaceCamera>();
        if (devices.Camera == CameraKind.Real)
        {
            services.AddOptions<CameraOptions>().Bind(configuration.GetSection(CameraOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
            services.AddSingleton<IValidateOptions<CameraOptions>, CameraOptionsValidator>();
            services.AddSingleton(sp => CameraFactory.Create(
                sp.GetRequiredService<IOptions<CameraOptions>>().Value, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()));
        }
        else if (devices.Camera == CameraKind.Gallery)
        {
            // Real photos for simulated patients; the gallery's faces also go onto the virtual cards as chip photos.
            services.AddSingleton(sp => FaceGallery.Load(devices.Gallery!, image =>
            {
                var faces = sp.GetRequiredService<OnnxFaceEngine>().Detector.Detect(image);
                return faces.Count > 0 ? faces[0].Box : null;
            }));
            services.AddSingleton<IFaceCamera, GalleryFaceCamera>();
        }
        else
        {
            services.AddSingleton<IFaceCamera>(sp => sp.GetRequiredService<SimulatedFaceCamera>());
        }

        if (devices.FaceEngine == FaceEngineKind.Onnx)
        {
            services.AddOptions<FaceEngineOptions>().Bind(configuration.GetSection(FaceEngineOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
            services.AddSingleton<IValidateOptions<FaceEngineOptions>, FaceCalibrationValidator>();

            // Sessions are created once, at start; every model file is checked against the sha256 manifest first.
            services.AddSingleton(sp =>
            {
                var options = sp.GetRequiredService<IOptions<FaceEngineOptions>>().Value;
                return new OnnxFaceEngine(options, new ModelStore(options.ModelsPath).PathOf);
            });
            services.AddSingleton<IFaceVerifier>(sp => sp.GetRequiredService<OnnxFaceEngine>());
        }
        else
        {
            services.AddSingleton<IFaceVerifier, SimulatedFaceVerifier>();
        }

        // Reading 照合番号B off the card face (top camera + OCR) is simulated in every configuration for now.
        services.AddSingleton<ICardFaceCamera, SimulatedCardFaceCamera>();
        services.AddSingleton<ICardFaceReader, SimulatedCardFaceReader>();
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
