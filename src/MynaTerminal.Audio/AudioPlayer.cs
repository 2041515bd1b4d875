using System.ComponentModel;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MynaTerminal.Audio;

/// <summary>How a playback ended.</summary>
public enum PlaybackOutcome
{
    /// <summary>Played to the end.</summary>
    Completed,

    /// <summary>Stopped early: another sound started, <see cref="IAudioPlayer.Stop"/>, or the player was disposed.</summary>
    Interrupted,

    /// <summary>Nothing played: there is no sound output (disabled, no aplay, no sound card), or the file is no WAV.</summary>
    Silent,
}

/// <summary>Plays pre-rendered WAV files, one at a time: a new sound interrupts the one playing.</summary>
public interface IAudioPlayer
{
    /// <summary>
    /// Starts <paramref name="wavFile"/>, stopping whatever plays. The task completes when this sound has ended — callers
    /// that only start a sound do not await it. Never throws for a missing file or sound card (answers
    /// <see cref="PlaybackOutcome.Silent"/>); cancelling stops the sound and throws <see cref="OperationCanceledException"/>.
    /// </summary>
    Task<PlaybackOutcome> PlayAsync(string wavFile, CancellationToken cancellationToken);

    /// <summary>Stops the sound that plays, if any.</summary>
    void Stop();
}

/// <summary>The player of a terminal without audio.</summary>
public sealed class NullAudioPlayer : IAudioPlayer
{
    public static NullAudioPlayer Instance { get; } = new();

    public Task<PlaybackOutcome> PlayAsync(string wavFile, CancellationToken cancellationToken) => Task.FromResult(PlaybackOutcome.Silent);

    public void Stop()
    {
    }
}

/// <summary>
/// Plays through ALSA with <c>aplay -q -D &lt;device&gt; -</c> (package alsa-utils), the WAV on its standard input —
/// scaled by the volume hint. One aplay at a time: a new sound kills the one playing and waits for it to let go of
/// the device. When aplay is missing or fails on its own (no sound card, unknown device), the player logs it once and
/// stays silent from then on: audio never breaks the terminal. Restart the service after fixing the sound card.
/// </summary>
public sealed class AlsaPlayer : IAudioPlayer, IDisposable
{
    /// <summary>How long a killed aplay may take to release the device before the next one starts anyway.</summary>
    private static readonly TimeSpan ReleaseWait = TimeSpan.FromSeconds(1);

    private readonly string _aplay;
    private readonly string _device;
    private readonly int _volume;
    private readonly IProcessRunner _runner;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _switch = new(1, 1);
    private readonly Lock _gate = new();
    private IRunningProcess? _current;
    private int _silent;
    private bool _disposed;

    public AlsaPlayer(AudioOptions options, IProcessRunner runner, ILogger<AlsaPlayer>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(runner);
        _aplay = options.AplayPath;
        _device = options.Device;
        _volume = options.Volume;
        _runner = runner;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>False once the player went silent (no aplay or no sound card).</summary>
    public bool IsAvailable => Volatile.Read(ref _silent) == 0;

    /// <inheritdoc />
    public async Task<PlaybackOutcome> PlayAsync(string wavFile, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(wavFile);
        cancellationToken.ThrowIfCancellationRequested();
        if (!IsAvailable)
        {
            return PlaybackOutcome.Silent;
        }

        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(wavFile, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning("Audio prompt {File} cannot be read: {Message}", wavFile, e.Message);
            return PlaybackOutcome.Silent;
        }

        if (WaveFile.TryRead(bytes) is null)
        {
            _logger.LogWarning("Audio prompt {File} is not a WAV file; render the prompts again (mynaterm audio render).", wavFile);
            return PlaybackOutcome.Silent;
        }

        var input = WaveFile.Scale(bytes, _volume);
        IRunningProcess process;
        await _switch.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await StopAndWaitAsync().ConfigureAwait(false);
            if (!IsAvailable || _disposed)
            {
                return _disposed ? PlaybackOutcome.Interrupted : PlaybackOutcome.Silent;
            }

            try
            {
                process = _runner.Start(new ProcessSpec(_aplay, ["-q", "-D", _device, "-"]) { StandardInput = input });
            }
            catch (Exception e) when (e is Win32Exception or IOException or InvalidOperationException)
            {
                GoSilent($"{_aplay} cannot be started ({e.Message}); install it: sudo apt-get install alsa-utils");
                return PlaybackOutcome.Silent;
            }

            lock (_gate)
            {
                _current = process;
            }
        }
        finally
        {
            _switch.Release();
        }

        using (process)
        await using (cancellationToken.Register(process.Kill).ConfigureAwait(false))
        {
            var exit = await process.Exited.ConfigureAwait(false);
            lock (_gate)
            {
                if (ReferenceEquals(_current, process))
                {
                    _current = null;
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (exit.Killed)
            {
                return PlaybackOutcome.Interrupted;
            }

            if (exit.ExitCode != 0)
            {
                GoSilent($"{_aplay} -D {_device} failed with exit code {exit.ExitCode}: {LastLine(exit.StandardError)}");
                return PlaybackOutcome.Silent;
            }

            return PlaybackOutcome.Completed;
        }
    }

    /// <inheritdoc />
    public void Stop()
    {
        IRunningProcess? current;
        lock (_gate)
        {
            current = _current;
        }

        current?.Kill();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        Stop();
    }

    /// <summary>Kills the sound that plays and waits (a little) until its aplay has ended, so the device is free.</summary>
    private async Task StopAndWaitAsync()
    {
        IRunningProcess? current;
        lock (_gate)
        {
            current = _current;
        }

        if (current is null)
        {
            return;
        }

        current.Kill();
        await Task.WhenAny(current.Exited, Task.Delay(ReleaseWait)).ConfigureAwait(false);
    }

    private void GoSilent(string why)
    {
        if (Interlocked.Exchange(ref _silent, 1) == 0)
        {
            _logger.LogWarning("Audio guidance is off until the terminal restarts: {Reason}. The screens work as before.", why);
        }
    }

    private static string LastLine(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "(no message)" : lines[^1];
    }
}
