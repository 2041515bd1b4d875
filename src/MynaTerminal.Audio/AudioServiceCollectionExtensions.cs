using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MynaTerminal.Core.Devices;

namespace MynaTerminal.Audio;

public static class AudioServiceCollectionExtensions
{
    private const string InnerKey = "MynaTerminal.Audio.inner";

    /// <summary>
    /// Audio guidance: <see cref="AudioOptions"/> from section <c>Audio</c> (validated at start); an
    /// <see cref="IAudioPlayer"/> unless one is registered (<see cref="AlsaPlayer"/>, or <see cref="NullAudioPlayer"/>
    /// when <c>Audio:Enabled</c> is false); the registered <see cref="IDisplay"/> wrapped in <see cref="SpokenGuidance"/>;
    /// and the registered <see cref="IInputDevice"/>, if any, wrapped in <see cref="KeyClickFeedback"/>.
    /// Call it after the display and input are registered (<c>AddDevices</c>, <c>AddScreens</c>).
    /// </summary>
    /// <exception cref="InvalidOperationException">No <see cref="IDisplay"/> is registered yet.</exception>
    public static IServiceCollection AddAudioGuidance(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<AudioOptions>().Bind(configuration.GetSection(AudioOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AudioOptions>, AudioOptionsValidator>());
        services.TryAddSingleton<IAudioPlayer>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<AudioOptions>>().Value;
            return options.Enabled
                ? new AlsaPlayer(options, new SystemProcessRunner(), sp.GetService<ILogger<AlsaPlayer>>())
                : NullAudioPlayer.Instance;
        });

        if (!Decorate<IDisplay>(services, (sp, inner) => new SpokenGuidance(
                inner, sp.GetRequiredService<IAudioPlayer>(), sp.GetRequiredService<IOptions<AudioOptions>>().Value,
                sp.GetService<ILogger<SpokenGuidance>>())))
        {
            throw new InvalidOperationException("AddAudioGuidance wraps the display: register it first (AddScreens).");
        }

        Decorate<IInputDevice>(services, (sp, inner) => new KeyClickFeedback(
            inner, sp.GetRequiredService<IAudioPlayer>(), sp.GetRequiredService<IOptions<AudioOptions>>().Value));
        return services;
    }

    /// <summary>
    /// Replaces the last registration of <typeparamref name="T"/> with <paramref name="decorate"/>(inner). The inner one
    /// stays in the container as a keyed service, so the container still creates and disposes it.
    /// </summary>
    private static bool Decorate<T>(IServiceCollection services, Func<IServiceProvider, T, T> decorate)
        where T : class
    {
        var index = -1;
        for (var i = services.Count - 1; i >= 0; i--)
        {
            if (services[i].ServiceType == typeof(T) && !services[i].IsKeyedService)
            {
                index = i;
                break;
            }
        }

        if (index < 0)
        {
            return false;
        }

        var original = services[index];
        var key = $"{InnerKey}.{typeof(T).Name}.{Guid.NewGuid():N}";
        services.Add(original switch
        {
            { ImplementationInstance: { } instance } => new ServiceDescriptor(typeof(T), key, instance),
            { ImplementationFactory: { } factory } => new ServiceDescriptor(typeof(T), key, (sp, _) => factory(sp), original.Lifetime),
            _ => new ServiceDescriptor(typeof(T), key, original.ImplementationType!, original.Lifetime),
        });
        services[index] = new ServiceDescriptor(
            typeof(T), sp => decorate(sp, sp.GetRequiredKeyedService<T>(key)), original.Lifetime);
        return true;
    }
}
