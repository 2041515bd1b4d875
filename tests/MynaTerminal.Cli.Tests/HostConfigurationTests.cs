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
    [InlineData("Devices:FaceEngine", "Onnx", "Devices:FaceEngine")]
    [InlineData("ClinicLink:TerminalId", "a/b", "TerminalId")]
    [InlineData("Display:Width", "10", "Width")]
    public async Task Invalid_settings_stop_the_host_at_start_naming_the_key(string key, string value, string named)
    {
        using var host = Build(new() { [key] = value });
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));
        Assert.Contains(named, string.Join("; ", error.Failures));
    }

    [Fact]
    public async Task Real_card_reader_options_are_validated_at_start()
    {
        using var host = Build(new() { ["Devices:CardReader"] = "Pcsc", ["Card:MinimumMatchingNumberTries"] = "0" });
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));
        Assert.Contains("MinimumMatchingNumberTries", string.Join("; ", error.Failures));
    }

    [Fact]
    public void The_card_reader_is_chosen_by_configuration()
    {
        using var simulated = Build(new() { ["Devices:CardReader"] = "Simulated" });
        Assert.IsType<MynaTerminal.Simulation.SimulatedCardReader>(simulated.Services.GetRequiredService<MynaTerminal.Core.Devices.ICardReader>());

        using var virtualCard = Build([]);
        Assert.IsType<MynaTerminal.Simulation.VirtualCardSimulationReader>(virtualCard.Services.GetRequiredService<MynaTerminal.Core.Devices.ICardReader>());
        Assert.IsType<MynaTerminal.Card.Emulator.VirtualCardTerminal>(virtualCard.Services.GetRequiredService<MynaTerminal.Card.Transport.ICardTerminal>());

        using var real = Build(new() { ["Devices:CardReader"] = "Pcsc" });
        Assert.IsType<MynaTerminal.Card.MyNumberCardReader>(real.Services.GetRequiredService<MynaTerminal.Core.Devices.ICardReader>());
        Assert.IsType<MynaTerminal.Pcsc.PcscCardTerminal>(real.Services.GetRequiredService<MynaTerminal.Card.Transport.ICardTerminal>());
    }

    [Fact]
    public async Task Default_settings_start_and_stop_cleanly()
    {
        using var host = Build([]);
        await host.StartAsync(TestContext.Current.CancellationToken);
        await host.StopAsync(TestContext.Current.CancellationToken);
    }
}
