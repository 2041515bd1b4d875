using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using MynaTerminal.Core.Devices;

namespace MynaTerminal.ClinicLink;

public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Adds the MQTT clinic link: <see cref="ClinicLinkOptions"/> bound from section <c>ClinicLink</c> and
    /// validated when the host starts; the <see cref="EmbeddedBroker"/> (hosted, started first) when the
    /// section names no <c>Broker</c>; one <see cref="MqttClinicLink"/> that is both the
    /// <see cref="IClinicLink"/> and a hosted service; and an <see cref="InMemoryVerificationOutbox"/>
    /// unless an <see cref="IVerificationOutbox"/> is already registered (register a durable one first,
    /// or replace it afterwards).
    /// </summary>
    public static IServiceCollection AddClinicLink(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        var section = configuration.GetSection(ClinicLinkOptions.SectionName);
        services.AddOptions<ClinicLinkOptions>()
            .Bind(section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.TryAddSingleton<IVerificationOutbox, InMemoryVerificationOutbox>();

        // Hosted services start in registration order and stop in reverse: broker first up, last down.
        if (string.IsNullOrWhiteSpace(section[nameof(ClinicLinkOptions.Broker)]))
        {
            services.TryAddSingleton<EmbeddedBroker>();
            services.AddHostedService(sp => sp.GetRequiredService<EmbeddedBroker>());
        }

        services.TryAddSingleton<MqttClinicLink>();
        services.TryAddSingleton<IClinicLink>(sp => sp.GetRequiredService<MqttClinicLink>());
        services.AddHostedService(sp => sp.GetRequiredService<MqttClinicLink>());
        return services;
    }
}
