using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MynaTerminal.Card.Transport;

namespace MynaTerminal.Pcsc;

public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Adds the PC/SC card terminal: <see cref="PcscOptions"/> bound from section <c>Pcsc</c> and validated when
    /// the host starts, and one <see cref="PcscCardTerminal"/> (singleton) that is the <see cref="ICardTerminal"/>.
    /// The container disposes it, which stops its reader monitor.
    /// </summary>
    public static IServiceCollection AddPcscCardTerminal(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<PcscOptions>()
            .Bind(configuration.GetSection(PcscOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<PcscCardTerminal>();
        services.TryAddSingleton<ICardTerminal>(provider => provider.GetRequiredService<PcscCardTerminal>());
        return services;
    }
}
