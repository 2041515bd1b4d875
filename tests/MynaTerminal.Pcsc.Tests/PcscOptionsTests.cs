using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MynaTerminal.Card.Transport;
using MynaTerminal.Core.Cards;

namespace MynaTerminal.Pcsc.Tests;

public sealed class PcscOptionsTests
{
    private static List<ValidationResult> Validate(PcscOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }

    [Fact]
    public void Defaults_are_valid_and_positional()
    {
        var options = new PcscOptions();
        Assert.Empty(Validate(options));
        Assert.Empty(options.Readers);
        Assert.Equal(TimeSpan.FromSeconds(1), options.ReconnectDelay);
        Assert.Equal(TimeSpan.FromSeconds(30), options.MaxReconnectDelay);
        Assert.Equal("Pcsc", PcscOptions.SectionName);
    }

    [Fact]
    public void A_pattern_that_is_not_a_regular_expression_is_rejected()
    {
        var options = new PcscOptions { Readers = [new ReaderRoleRule { Role = ReaderRole.CardTray, ReaderNamePattern = "PaSoRi(" }] };
        var result = Assert.Single(Validate(options));
        Assert.Contains("Readers[0].ReaderNamePattern", result.MemberNames);
    }

    [Fact]
    public void A_rule_needs_a_role_and_a_pattern()
    {
        var options = new PcscOptions { Readers = [new ReaderRoleRule { ReaderNamePattern = "" }] };
        var members = Validate(options).SelectMany(result => result.MemberNames).ToArray();
        Assert.Contains("Readers[0].Role", members);
        Assert.Contains("Readers[0].ReaderNamePattern", members);
    }

    [Fact]
    public void An_undefined_role_is_rejected()
    {
        var options = new PcscOptions { Readers = [new ReaderRoleRule { Role = (ReaderRole)7, ReaderNamePattern = "x" }] };
        Assert.Contains("Readers[0].Role", Assert.Single(Validate(options)).MemberNames);
    }

    [Theory]
    [InlineData(0, 30, 5)]
    [InlineData(10, 5, 5)]
    [InlineData(1, 30, 0)]
    public void Back_off_and_rescan_must_be_sensible(int initialSeconds, int maxSeconds, int rescanSeconds)
    {
        var options = new PcscOptions
        {
            ReconnectDelay = TimeSpan.FromSeconds(initialSeconds),
            MaxReconnectDelay = TimeSpan.FromSeconds(maxSeconds),
            RescanInterval = TimeSpan.FromSeconds(rescanSeconds),
        };
        Assert.NotEmpty(Validate(options));
    }

    [Fact]
    public void The_section_binds_roles_by_name()
    {
        var services = new ServiceCollection();
        services.AddPcscCardTerminal(Configuration(new()
        {
            ["Pcsc:Readers:0:Role"] = "Phone",
            ["Pcsc:Readers:0:ReaderNamePattern"] = "ACR1252",
            ["Pcsc:Readers:1:Role"] = "CardTray",
            ["Pcsc:Readers:1:ReaderNamePattern"] = "PaSoRi",
            ["Pcsc:MaxReconnectDelay"] = "00:00:10",
        }));
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<PcscOptions>>().Value;
        Assert.Equal([ReaderRole.Phone, ReaderRole.CardTray], options.Readers.Select(rule => rule.Role!.Value));
        Assert.Equal(TimeSpan.FromSeconds(10), options.MaxReconnectDelay);
    }

    [Fact]
    public async Task The_terminal_is_the_singleton_ICardTerminal()
    {
        var services = new ServiceCollection();
        services.AddPcscCardTerminal(Configuration([]));
        await using var provider = services.BuildServiceProvider();
        var terminal = provider.GetRequiredService<ICardTerminal>();
        Assert.IsType<PcscCardTerminal>(terminal);
        Assert.Same(terminal, provider.GetRequiredService<ICardTerminal>());
        Assert.Same(terminal, provider.GetRequiredService<PcscCardTerminal>());
    }

    [Fact]
    public async Task Invalid_options_stop_the_host_at_start()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddPcscCardTerminal(Configuration(new()
        {
            ["Pcsc:Readers:0:Role"] = "CardTray",
            ["Pcsc:Readers:0:ReaderNamePattern"] = "[unclosed",
        }));
        using var host = builder.Build();
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));
        Assert.Contains("ReaderNamePattern", failure.Message);
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
