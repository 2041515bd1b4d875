using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MynaTerminal.ClinicLink;
using MynaTerminal.Terminal;

namespace MynaTerminal.Cli.Tests;

/// <summary>The worker's registrations (Program.cs) validate their options when the host starts.</summary>
public sealed class HostConfigurationTests
{
    private static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Display:OutputFolder"] = Directory.CreateTempSubdirectory("mynaterm-host-").FullName,
            ["ClinicLink:EmbeddedPort"] = SimulateEndToEndTests.FreePort().ToString(),
            ["ClinicLink:OutboxPath"] = "",
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services
            .AddClinicLink(builder.Configuration)
            .AddPatientSession(builder.Configuration)
            .AddDevices(builder.Configuration)
            .AddScreens(builder.Configuration);
        return builder.Build();
    }

    [Theory]
    [InlineData("Session:Timeouts:Pin", "00:00:01", "Timeouts:Pin")]
    [InlineData("Session:MaxFaceAttempts", "0", "MaxFaceAttempts")]
    [InlineData("Face:MatchThreshold", "1.5", "MatchThreshold")]
    [InlineData("Devices:Mode", "Real", "Devices:Mode")]
    [InlineData("ClinicLink:TerminalId", "a/b", "TerminalId")]
    [InlineData("Display:Width", "10", "Width")]
    public async Task Invalid_settings_stop_the_host_at_start_naming_the_key(string key, string value, string named)
    {
        using var host = Build(new() { [key] = value });
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));
        Assert.Contains(named, string.Join("; ", error.Failures));
    }

    [Fact]
    public async Task Default_settings_start_and_stop_cleanly()
    {
        using var host = Build([]);
        await host.StartAsync(TestContext.Current.CancellationToken);
        await host.StopAsync(TestContext.Current.CancellationToken);
    }
}
