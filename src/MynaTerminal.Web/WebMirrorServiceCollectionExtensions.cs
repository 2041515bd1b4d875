using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MynaTerminal.Core.Devices;
using MynaTerminal.Display;

namespace MynaTerminal.Web;

/// <summary>Registration of the web mirror: one line after <c>AddScreens</c>.</summary>
public static class WebMirrorServiceCollectionExtensions
{
    /// <summary>
    /// When <c>WebMirror:Enabled</c> is true: wraps the registered <see cref="IDisplay"/> in a <see cref="MirrorDisplay"/>
    /// and adds the <see cref="WebMirror"/> hosted service (Kestrel on loopback). Needs the simulated devices
    /// (<c>AddDevices</c>) and a display (<c>AddScreens</c>) registered before it. Does nothing when disabled.
    /// </summary>
    /// <exception cref="InvalidOperationException">No <see cref="IDisplay"/> is registered yet.</exception>
    public static IServiceCollection AddWebMirror(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(WebMirrorOptions.Section);
        if (!(section.Get<WebMirrorOptions>() ?? new WebMirrorOptions()).Enabled)
        {
            return services;
        }

        services.AddOptions<WebMirrorOptions>().Bind(section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<WebMirrorOptions>, WebMirrorOptionsValidator>();

        var index = -1;
        for (var i = services.Count - 1; i >= 0; i--)
        {
            if (services[i].ServiceType == typeof(IDisplay) && !services[i].IsKeyedService)
            {
                index = i;
                break;
            }
        }

        if (index < 0)
        {
            throw new InvalidOperationException("AddWebMirror decorates the terminal's display: call AddScreens before it.");
        }

        var inner = services[index];
        services[index] = ServiceDescriptor.Singleton<IDisplay>(sp => sp.GetRequiredService<MirrorDisplay>());
        services.AddSingleton(sp =>
        {
            var (display, owned) = Create(sp, inner);
            var options = sp.GetService<IOptions<DisplayOptions>>()?.Value ?? new DisplayOptions();
            return new MirrorDisplay(display, new PngScreenRenderer(options), owned);
        });
        services.AddSingleton<WebMirror>();
        services.AddHostedService(sp => sp.GetRequiredService<WebMirror>());
        return services;
    }

    /// <summary>The decorated display, built as its own registration would have built it.</summary>
    private static (IDisplay Display, bool Owned) Create(IServiceProvider sp, ServiceDescriptor descriptor)
    {
        if (descriptor.ImplementationInstance is IDisplay instance)
        {
            return (instance, false);
        }

        if (descriptor.ImplementationFactory is { } factory)
        {
            return ((IDisplay)factory(sp), true);
        }

        return ((IDisplay)ActivatorUtilities.CreateInstance(sp, descriptor.ImplementationType!), true);
    }
}
