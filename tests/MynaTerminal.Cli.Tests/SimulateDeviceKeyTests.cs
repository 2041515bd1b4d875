namespace MynaTerminal.Cli.Tests;

/// <summary><c>mynaterm simulate</c> keeps its device key beside its outbox in the simulation folder.</summary>
public sealed class SimulateDeviceKeyTests
{
    private static SimulateCommand.SimulationSettings Settings(string screens) =>
        new("pulled", null, false, false, true, TimeSpan.Zero, new DirectoryInfo(screens), SimulateEndToEndTests.FreePort(), null, false);

    [Fact]
    public async Task The_device_key_is_created_beside_the_outbox_with_mode_0600_and_kept_for_the_next_run()
    {
        var screens = Directory.CreateTempSubdirectory("mynaterm-key-").FullName;
        var key = Path.Combine(screens, "device-key.pem");

        Assert.Equal(0, await SimulateCommand.RunAsync(Settings(screens), new StringWriter(), TextReader.Null, TestContext.Current.CancellationToken));
        Assert.True(File.Exists(Path.Combine(screens, "outbox.db")));
        Assert.True(File.Exists(key));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        }

        var first = await File.ReadAllTextAsync(key, TestContext.Current.CancellationToken);

        Assert.Equal(0, await SimulateCommand.RunAsync(Settings(screens), new StringWriter(), TextReader.Null, TestContext.Current.CancellationToken));
        Assert.Equal(first, await File.ReadAllTextAsync(key, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_corrupt_device_key_stops_the_simulator_with_a_clear_error()
    {
        var screens = Directory.CreateTempSubdirectory("mynaterm-key-").FullName;
        var key = Path.Combine(screens, "device-key.pem");
        await File.WriteAllTextAsync(key, "-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n", TestContext.Current.CancellationToken);
        var console = new StringWriter();

        Assert.Equal(2, await SimulateCommand.RunAsync(Settings(screens), console, TextReader.Null, TestContext.Current.CancellationToken));

        Assert.Contains("error: The device key", console.ToString(), StringComparison.Ordinal);
        Assert.Contains("ClinicLink:DeviceKeyPath", console.ToString(), StringComparison.Ordinal);
        Assert.Contains("not base64", await File.ReadAllTextAsync(key, TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }
}
