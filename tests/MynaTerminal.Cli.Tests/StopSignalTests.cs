namespace MynaTerminal.Cli.Tests;

/// <summary>Ctrl+C (SIGINT) and <c>systemctl stop</c> (SIGTERM) stop a running simulator cleanly.</summary>
public sealed class StopSignalTests
{
    [Theory]
    [InlineData("INT")]
    [InlineData("TERM")]
    public async Task A_running_simulator_stops_on_the_signal_and_says_goodbye_over_MQTT(string signal)
    {
        var ct = TestContext.Current.CancellationToken;
        var screens = Directory.CreateTempSubdirectory("mynaterm-signal-").FullName;
        await using var simulator = MynatermProcess.Start(
            ["simulate", "--port", SimulateEndToEndTests.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture), "--wait-subscriber", "0", "--screens", screens],
            new Dictionary<string, string>());

        // Running, with patients coming again and again until stopped.
        await simulator.WaitForAsync(o => o.Contains("/event/verification", StringComparison.Ordinal), TimeSpan.FromSeconds(60), ct);
        await simulator.SignalAsync(signal);

        var exitCode = await simulator.WaitForExitAsync(TimeSpan.FromSeconds(30), ct);

        Assert.True(exitCode == 0, simulator.Output);
        Assert.Contains("mynaterm/terminal-1/availability {\"state\":\"offline\"}", simulator.Output);
    }
}
