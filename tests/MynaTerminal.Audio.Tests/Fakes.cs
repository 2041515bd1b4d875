using System.Collections.Concurrent;
using System.ComponentModel;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using MynaTerminal.Core.Devices;

namespace MynaTerminal.Audio.Tests;

/// <summary>A started fake program: it runs until the test ends it or someone kills it.</summary>
internal sealed class FakeProcess(ProcessSpec spec) : IRunningProcess
{
    private readonly TaskCompletionSource<ProcessExit> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ProcessSpec Spec { get; } = spec;

    public bool KillCalled { get; private set; }

    public Task<ProcessExit> Exited => _exit.Task;

    public void Kill()
    {
        KillCalled = true;
        _exit.TrySetResult(new ProcessExit(137, string.Empty, Killed: true));
    }

    public void Exit(int code, string standardError = "") => _exit.TrySetResult(new ProcessExit(code, standardError, Killed: false));

    public void Dispose()
    {
    }
}

/// <summary>
/// Records every program started. By default a TTS command line (one with -w / -ow) writes a small valid WAV there and
/// exits 0, and any other program keeps running (aplay playing) until the test ends or kills it.
/// </summary>
internal sealed class FakeProcessRunner : IProcessRunner
{
    private readonly Channel<FakeProcess> _started = Channel.CreateUnbounded<FakeProcess>();

    public ConcurrentQueue<FakeProcess> Started { get; } = new();

    /// <summary>Programs FindExecutable finds (as /usr/bin/NAME); null: every program.</summary>
    public HashSet<string>? Installed { get; set; }

    /// <summary>Replaces the default behaviour: return the exit code (or null to keep it running).</summary>
    public Func<ProcessSpec, int?>? Behaviour { get; set; }

    /// <summary>Start throws this (a program that is not installed).</summary>
    public Exception? StartFails { get; set; }

    public string? FindExecutable(string name) =>
        Installed is null || Installed.Contains(name) ? "/usr/bin/" + Path.GetFileName(name) : null;

    public IRunningProcess Start(ProcessSpec spec)
    {
        if (StartFails is { } error)
        {
            throw error;
        }

        var process = new FakeProcess(spec);
        Started.Enqueue(process);
        int? exit;
        if (Behaviour is { } behaviour)
        {
            exit = behaviour(spec);
        }
        else if (OutputFile(spec) is { } output)
        {
            File.WriteAllBytes(output, Tone(0.5));
            exit = 0;
        }
        else
        {
            exit = null;
        }

        if (exit is { } code)
        {
            process.Exit(code);
        }

        _started.Writer.TryWrite(process);
        return process;
    }

    /// <summary>The next program started (in order), awaited without polling.</summary>
    public async Task<FakeProcess> NextStartedAsync() =>
        await _started.Reader.ReadAsync(TestContext.Current.CancellationToken);

    /// <summary>The file after -w (espeak-ng) or -ow (open_jtalk).</summary>
    public static string? OutputFile(ProcessSpec spec)
    {
        for (var i = 0; i < spec.Arguments.Count - 1; i++)
        {
            if (spec.Arguments[i] is "-w" or "-ow")
            {
                return spec.Arguments[i + 1];
            }
        }

        return null;
    }

    /// <summary>A 16-bit mono WAV of a 440 Hz tone.</summary>
    public static byte[] Tone(double seconds, int rate = 16000)
    {
        var samples = new short[(int)(seconds * rate)];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = (short)(Math.Sin(2 * Math.PI * 440 * i / rate) * 12000);
        }

        return WaveFile.Write(samples, rate);
    }

    public static Win32Exception NotInstalled(string name) => new(2, $"An error occurred trying to start process '{name}': No such file or directory");
}

/// <summary>A player that records what it was asked to play; every playback stays pending.</summary>
internal sealed class RecordingPlayer : IAudioPlayer
{
    public List<string> Played { get; } = [];

    public int Stops { get; private set; }

    public Task<PlaybackOutcome> PlayAsync(string wavFile, CancellationToken cancellationToken)
    {
        Played.Add(wavFile);
        return new TaskCompletionSource<PlaybackOutcome>().Task;
    }

    public void Stop() => Stops++;
}

/// <summary>A display that records the screens (or throws, when told).</summary>
internal sealed class RecordingDisplay : IDisplay
{
    public List<Screen> Shown { get; } = [];

    public Exception? Fails { get; set; }

    public Task ShowAsync(Screen screen, CancellationToken cancellationToken)
    {
        Shown.Add(screen);
        return Fails is null ? Task.CompletedTask : Task.FromException(Fails);
    }
}

internal sealed class ListLogger<T> : ILogger<T>
{
    public ConcurrentQueue<(LogLevel Level, string Message)> Entries { get; } = new();

    public IEnumerable<string> Warnings => Entries.Where(e => e.Level >= LogLevel.Warning).Select(e => e.Message);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Enqueue((logLevel, formatter(state, exception)));
}

/// <summary>A temporary folder, deleted at the end of the test.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = Directory.CreateTempSubdirectory("mynaterm-audio-").FullName;
    }

    public string Path { get; }

    public string File(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
