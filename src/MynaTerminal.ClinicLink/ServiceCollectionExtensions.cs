using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Session;

namespace MynaTerminal.ClinicLink;

public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Adds the MQTT clinic link: <see cref="ClinicLinkOptions"/> bound from section <c>ClinicLink</c> and
    /// validated when the host starts; the <see cref="EmbeddedBroker"/> (hosted, started first) when the
    /// section names no <c>Broker</c>; one <see cref="MqttClinicLink"/> that is both the
    /// <see cref="IClinicLink"/> and a hosted service; and, unless an <see cref="IVerificationOutbox"/> is
    /// already registered, a <see cref="SqliteVerificationOutbox"/> on <c>OutboxPath</c> (default
    /// <see cref="ClinicLinkOptions.DefaultOutboxPath"/>), or an <see cref="InMemoryVerificationOutbox"/> when
    /// <c>OutboxPath</c> is set to empty; the <see cref="DeviceKey"/>; and the link's self-test checks
    /// (<c>clinicLink</c>, <c>outbox</c>) as <see cref="ISelfTestCheck"/>s.
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

        // Durable by default (ClinicLink:OutboxPath); an empty OutboxPath explicitly chooses memory only.
        // Resolved with the link, i.e. when the host starts: a broken outbox stops the start with a clear error.
        services.TryAddSingleton<IVerificationOutbox>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ClinicLinkOptions>>().Value;
            return options.UsesDurableOutbox
                ? new SqliteVerificationOutbox(
                    options.OutboxPath!,
                    options.OutboxCapacity,
                    sp.GetService<ILogger<SqliteVerificationOutbox>>(),
                    sp.GetService<TimeProvider>())
                : new InMemoryVerificationOutbox(options.OutboxCapacity);
        });

        // The device key that signs verifications: created on first start, a corrupt file stops the start.
        services.TryAddSingleton(sp => DeviceKey.FromOptions(
            sp.GetRequiredService<IOptions<ClinicLinkOptions>>().Value,
            sp.GetService<ILogger<DeviceKey>>()));

        // The link's part of the terminal's self-test (the session loop runs every ISelfTestCheck).
        services.AddSingleton<ISelfTestCheck>(sp => new ClinicLinkSelfTest(sp.GetRequiredService<MqttClinicLink>()));
        services.AddSingleton<ISelfTestCheck>(sp => new OutboxSelfTest(sp.GetRequiredService<IVerificationOutbox>()));

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
