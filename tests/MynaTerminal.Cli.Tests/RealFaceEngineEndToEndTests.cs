using System.Text.Json;
using MynaTerminal.Cli;
using MynaTerminal.Tests.Shared;

namespace MynaTerminal.Cli.Tests;

/// <summary>
/// <c>mynaterm simulate --models --faces</c>: the real ONNX engine on real photos. Each card persona carries an
/// identity's photo as its chip photo (JPEG 2000 on the APDU-level virtual card, read back through the card stack),
/// and the camera shows that identity's other photos — or a stranger, or a printed photo. Skipped, saying why, where
/// the models or photos of ../shared are not on the machine.
/// </summary>
public sealed class RealFaceEngineEndToEndTests
{
    private static SimulateCommand.SimulationSettings Settings(string patients) =>
        new(patients, null, false, false, true, TimeSpan.Zero, Directory.CreateTempSubdirectory("mynaterm-e2e-face-"), SimulateEndToEndTests.FreePort(), null, false,
            SharedModels.RequireFolder(), SharedFaces.RequireFolder());

    [Fact]
    public async Task The_holder_matches_their_chip_photo_and_a_stranger_goes_to_staff()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var console = new StringWriter();

        var exitCode = await SimulateCommand.RunAsync(Settings("face,face-only"), console, TextReader.Null, cts.Token);

        var output = console.ToString();
        Assert.True(exitCode == 0, output);
        var verifications = output.Split('\n')
            .Where(l => l.StartsWith("=== mqtt mynaterm/terminal-1/event/verification ", StringComparison.Ordinal))
            .Select(l => JsonDocument.Parse(l[(l.IndexOf('{', StringComparison.Ordinal))..]).RootElement)
            .ToArray();

        // The card holder: matched by the real engine with liveness, within the first attempt's frames.
        Assert.Equal(2, verifications.Length);
        Assert.Equal("face", verifications[0].GetProperty("method").GetString());

        // The face-only card with a stranger in front of the camera: no face match, staff checked visually.
        Assert.Equal("visual", verifications[1].GetProperty("method").GetString());
        Assert.Contains("--- screen staff-visual", output);
        Assert.Contains("All patients done.", output);
    }

    [Fact]
    public async Task A_missing_model_folder_is_a_clear_start_error()
    {
        SharedFaces.RequireFolder();
        var console = new StringWriter();
        var settings = Settings("face") with { Models = Path.Combine(Path.GetTempPath(), "no-such-models-" + Guid.NewGuid().ToString("N")) };

        var exitCode = await SimulateCommand.RunAsync(settings, console, TextReader.Null, TestContext.Current.CancellationToken);

        Assert.Equal(2, exitCode);
        Assert.Contains("mynaterm models fetch", console.ToString());
    }
}
