using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MynaTerminal.Core.Devices;
using MynaTerminal.Display;
using MynaTerminal.Panel.Framebuffer;
using MynaTerminal.Panel.Gpio;
using MynaTerminal.Panel.Input;
using MynaTerminal.Panel.Rendering;
using MynaTerminal.Panel.Spi;

namespace MynaTerminal.Panel;

/// <summary>The registration of the real panel and its inputs: one line in Program.cs.</summary>
public static class PanelServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates <c>Panel</c>, <c>Input</c> and <c>Gpio</c> (at start), and registers:
    /// <list type="bullet">
    /// <item><c>Panel:Kind</c> = SpiTft or Framebuffer: <see cref="SpiTftDisplay"/> / <see cref="FramebufferDisplay"/>,
    /// also as <see cref="IDisplay"/> (so it wins over a <c>TryAdd</c> PNG display); Png (default): no display.</item>
    /// <item><see cref="CompositeInput"/> (as itself, not as <see cref="IInputDevice"/>) merging the enabled
    /// <see cref="TouchInput"/>, <see cref="KeypadInput"/> and <see cref="GpioButtonInput"/>; none enabled: an empty one.</item>
    /// <item><see cref="CurrentScreen"/>, shared by the panel and the inputs; <see cref="IGpioPins"/> (libgpiod) when
    /// the TFT or the buttons need it.</item>
    /// </list>
    /// Devices are opened when first resolved (displays: on the first frame), never here.
    /// </summary>
    public static IServiceCollection AddPanel(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<PanelOptions>().Bind(configuration.GetSection(PanelOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<InputOptions>().Bind(configuration.GetSection(InputOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<GpioOptions>().Bind(configuration.GetSection(GpioOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PanelOptions>, PanelOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<InputOptions>, InputOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<CurrentScreen>();

        // What to register is decided from configuration now; a value that does not bind registers nothing real, and
        // ValidateOnStart then stops the host naming the key.
        var panel = TryGet<PanelOptions>(configuration, PanelOptions.Section);
        var input = TryGet<InputOptions>(configuration, InputOptions.Section);
        var fontPath = panel.FontPath ?? configuration[$"{DisplayOptions.Section}:{nameof(DisplayOptions.FontPath)}"];

        if (panel.Kind == PanelKind.SpiTft || input.Buttons.Enabled)
        {
            services.TryAddSingleton<IGpioPins>(sp => GpioControllerPins.Open(sp.GetRequiredService<IOptions<GpioOptions>>().Value));
        }

        switch (panel.Kind)
        {
            case PanelKind.SpiTft:
                services.AddSingleton(sp =>
                {
                    var tft = sp.GetRequiredService<IOptions<PanelOptions>>().Value.SpiTft;
                    var pins = sp.GetRequiredService<IGpioPins>();
                    return new SpiTftDisplay(tft, SpiDeviceBus.Open(tft), pins, fontPath, sp.GetRequiredService<CurrentScreen>(),
                        sp.GetRequiredService<TimeProvider>(), sp.GetService<ILogger<SpiTftDisplay>>());
                });
                services.AddSingleton<IDisplay>(sp => sp.GetRequiredService<SpiTftDisplay>());
                break;
            case PanelKind.Framebuffer:
                services.AddSingleton(sp => new FramebufferDisplay(
                    sp.GetRequiredService<IOptions<PanelOptions>>().Value.Framebuffer, fontPath, sp.GetRequiredService<CurrentScreen>(),
                    logger: sp.GetService<ILogger<FramebufferDisplay>>()));
                services.AddSingleton<IDisplay>(sp => sp.GetRequiredService<FramebufferDisplay>());
                break;
        }

        if (input.Touch.Enabled)
        {
            services.AddSingleton(sp =>
            {
                var o = sp.GetRequiredService<IOptions<InputOptions>>().Value;
                return new TouchInput(o.Touch, o.ReopenDelay, sp.GetRequiredService<CurrentScreen>(), null, sp.GetRequiredService<TimeProvider>(), sp.GetService<ILogger<TouchInput>>());
            });
        }

        if (input.Keypad.Enabled)
        {
            services.AddSingleton(sp =>
            {
                var o = sp.GetRequiredService<IOptions<InputOptions>>().Value;
                return new KeypadInput(o.Keypad, o.ReopenDelay, sp.GetRequiredService<CurrentScreen>(), o.Languages, null, sp.GetRequiredService<TimeProvider>(), sp.GetService<ILogger<KeypadInput>>());
            });
        }

        if (input.Buttons.Enabled)
        {
            services.AddSingleton(sp =>
            {
                var o = sp.GetRequiredService<IOptions<InputOptions>>().Value;
                return new GpioButtonInput(GpioButtonInput.From(o.Buttons), sp.GetRequiredService<IGpioPins>(), sp.GetRequiredService<TimeProvider>(),
                    sp.GetRequiredService<CurrentScreen>(), o.Languages, sp.GetService<ILogger<GpioButtonInput>>());
            });
        }

        services.AddSingleton(sp =>
        {
            var devices = new List<IInputDevice>();
            if (input.Touch.Enabled)
            {
                devices.Add(sp.GetRequiredService<TouchInput>());
            }

            if (input.Keypad.Enabled)
            {
                devices.Add(sp.GetRequiredService<KeypadInput>());
            }

            if (input.Buttons.Enabled)
            {
                devices.Add(sp.GetRequiredService<GpioButtonInput>());
            }

            return new CompositeInput(devices, sp.GetService<ILogger<CompositeInput>>());
        });
        return services;
    }

    private static T TryGet<T>(IConfiguration configuration, string section)
        where T : new()
    {
        try
        {
            return configuration.GetSection(section).Get<T>() ?? new T();
        }
        catch (InvalidOperationException)
        {
            return new T();
        }
    }
}
