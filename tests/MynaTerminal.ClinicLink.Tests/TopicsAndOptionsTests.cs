using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MynaTerminal.Core.Devices;

namespace MynaTerminal.ClinicLink.Tests;

public sealed class TopicsAndOptionsTests
{
    [Fact]
    public void Topics_live_under_the_terminal_base()
    {
        var topics = new MqttTopics("front-desk_2");

        Assert.Equal("mynaterm/front-desk_2/", topics.Base);
        Assert.Equal("mynaterm/front-desk_2/availability", topics.Availability);
        Assert.Equal("mynaterm/front-desk_2/state", topics.State);
        Assert.Equal("mynaterm/front-desk_2/info", topics.Info);
        Assert.Equal("mynaterm/front-desk_2/event/verification", topics.VerificationEvent);
        Assert.Equal("mynaterm/front-desk_2/event/alert", topics.AlertEvent);
        Assert.Equal("mynaterm/front-desk_2/request/#", topics.RequestFilter);
        Assert.Equal("mynaterm/front-desk_2/request/staff-visual", topics.Request(MqttTopics.Requests.StaffVisual));
        Assert.Equal("mynaterm/front-desk_2/response/eligibility", topics.Response(MqttTopics.Requests.Eligibility));
    }

    [Theory]
    [InlineData("mynaterm/t1/request/cancel", "cancel")]
    [InlineData("mynaterm/t1/request/staff-resume", "staff-resume")]
    [InlineData("mynaterm/t1/request/", null)]
    [InlineData("mynaterm/t1/request/a/b", null)]
    [InlineData("mynaterm/t2/request/cancel", null)]
    [InlineData("mynaterm/t1/response/cancel", null)]
    [InlineData("mynaterm/t1/request/cancel\n", null)]
    public void Request_names_are_read_from_request_topics_only(string topic, string? expected)
    {
        var found = new MqttTopics("t1").TryGetRequestName(topic, out var name);

        Assert.Equal(expected is not null, found);
        Assert.Equal(expected, name);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("a+")]
    [InlineData("a#")]
    [InlineData("with space")]
    [InlineData("x\n")]
    public void Bad_terminal_ids_are_refused(string terminalId)
    {
        Assert.Throws<ArgumentException>(() => new MqttTopics(terminalId));
        Assert.NotEmpty(Validate(new ClinicLinkOptions { TerminalId = terminalId }));
    }

    [Fact]
    public void Default_options_are_valid_and_use_the_embedded_broker_on_loopback()
    {
        var options = new ClinicLinkOptions();

        Assert.Empty(Validate(options));
        Assert.Equal("terminal-1", options.TerminalId);
        Assert.True(options.UsesEmbeddedBroker);
        Assert.Equal("127.0.0.1", options.EmbeddedBindAddress);
        Assert.Equal(1883, options.Port);
        Assert.Equal(1883, options.EmbeddedPort);
        Assert.Equal("mynaterm-terminal-1", options.EffectiveClientId);
    }

    [Fact]
    public void Inconsistent_options_are_refused()
    {
        Assert.NotEmpty(Validate(new ClinicLinkOptions { Port = 0 }));
        Assert.NotEmpty(Validate(new ClinicLinkOptions { EmbeddedBindAddress = "localhost" }));
        Assert.NotEmpty(Validate(new ClinicLinkOptions { Password = "secret" }));
        Assert.NotEmpty(Validate(new ClinicLinkOptions { UseTls = true }));
        Assert.NotEmpty(Validate(new ClinicLinkOptions { Broker = "bad host name!" }));
        Assert.NotEmpty(Validate(new ClinicLinkOptions { KeepAlive = TimeSpan.Zero }));
        Assert.NotEmpty(Validate(new ClinicLinkOptions { ReconnectDelay = TimeSpan.FromSeconds(10), MaxReconnectDelay = TimeSpan.FromSeconds(1) }));
        Assert.Empty(Validate(new ClinicLinkOptions { Broker = "mqtt.clinic.lan", UseTls = true, Port = 8883, Username = "u", Password = "p" }));
    }

    [Fact]
    public async Task A_bad_terminal_id_stops_the_host_from_starting()
    {
        using var host = BuildHost(new() { ["ClinicLink:TerminalId"] = "bad/id", ["ClinicLink:Broker"] = "127.0.0.1" });

        await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public void AddClinicLink_registers_one_link_as_clinic_link_and_hosted_service_and_the_embedded_broker_first()
    {
        using var host = BuildHost([]);

        var link = host.Services.GetRequiredService<MqttClinicLink>();
        Assert.Same(link, host.Services.GetRequiredService<IClinicLink>());
        var hosted = host.Services.GetServices<IHostedService>().ToList();
        Assert.Contains(link, hosted);
        var broker = host.Services.GetRequiredService<EmbeddedBroker>();
        Assert.True(hosted.IndexOf(broker) < hosted.IndexOf(link));
        Assert.IsType<InMemoryVerificationOutbox>(host.Services.GetRequiredService<IVerificationOutbox>());
    }

    [Fact]
    public void AddClinicLink_leaves_the_embedded_broker_out_when_a_broker_is_configured()
    {
        using var host = BuildHost(new() { ["ClinicLink:Broker"] = "mqtt.clinic.lan" });

        Assert.Null(host.Services.GetService<EmbeddedBroker>());
        Assert.Equal(("mqtt.clinic.lan", 1883), host.Services.GetRequiredService<MqttClinicLink>().BrokerEndpoint);
    }

    [Theory]
    [InlineData("#", "mynaterm/t1/", true)]
    [InlineData("mynaterm/#", "mynaterm/t1/", true)]
    [InlineData("mynaterm/t1/#", "mynaterm/t1/", true)]
    [InlineData("mynaterm/+/event/verification", "mynaterm/t1/", true)]
    [InlineData("mynaterm/t1/state", "mynaterm/t1/", true)]
    [InlineData("$share/clinic/mynaterm/t1/#", "mynaterm/t1/", true)]
    [InlineData("+/+/+", "mynaterm/t1/", true)]
    [InlineData("mynaterm/t2/#", "mynaterm/t1/", false)]
    [InlineData("mynaterm/t1", "mynaterm/t1/", false)]
    [InlineData("mynaterm", "mynaterm/t1/", false)]
    [InlineData("other/#", "mynaterm/t1/", false)]
    public void Subscriber_filters_are_matched_against_the_terminal_prefix(string filter, string prefix, bool expected)
    {
        Assert.Equal(expected, EmbeddedBroker.FilterCoversPrefix(filter, prefix));
    }

    internal static List<ValidationResult> Validate(ClinicLinkOptions options)
    {
        var results = new List<ValidationResult>();
        // Also runs IValidatableObject.Validate once the attributes pass, as ValidateDataAnnotations does.
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }

    private static IHost BuildHost(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        // Memory-only outbox unless a test says otherwise: never touch /var/lib/mynaterm from a test.
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ClinicLink:OutboxPath"] = "" });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddLogging();
        builder.Services.AddClinicLink(builder.Configuration);
        return builder.Build();
    }
}
