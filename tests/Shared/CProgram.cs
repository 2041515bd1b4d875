using System.Diagnostics;

namespace MynaTerminal.Tests.Shared;

/// <summary>
/// Compiles and runs a small C program against the kernel headers, to read struct sizes, offsets and ioctl numbers
/// off the real definitions. Linked into the test projects that bind kernel interfaces (V4L2, framebuffer, evdev).
/// </summary>
public static class CProgram
{
    /// <summary>The program's standard output; skips the calling test, saying why, without gcc or the header.</summary>
    public static async Task<string> CompileAndRunAsync(string source, string header)
    {
        var gcc = new[] { "/usr/bin/gcc", "/usr/bin/cc" }.FirstOrDefault(File.Exists);
        Xunit.Assert.SkipWhen(gcc is null || !File.Exists(header), $"No gcc or {header} on this machine.");
        var folder = Directory.CreateTempSubdirectory("mynaterm-cprogram-").FullName;
        try
        {
            var file = Path.Combine(folder, "check.c");
            var binary = Path.Combine(folder, "check");
            await File.WriteAllTextAsync(file, source, Xunit.TestContext.Current.CancellationToken);
            var (compiled, compileOutput) = await RunAsync(gcc!, ["-o", binary, file]);
            Xunit.Assert.True(compiled == 0, compileOutput);
            var (ran, output) = await RunAsync(binary, []);
            Xunit.Assert.True(ran == 0, output);
            return output;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var ct = Xunit.TestContext.Current.CancellationToken;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return (process.ExitCode, await stdout + await stderr);
    }
}
