using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Session;

namespace MynaTerminal.Audio;

/// <summary>
/// An <see cref="IDisplay"/> decorator that speaks: the screen goes to the inner display first, then — only when the
/// screen id (or its language) changed, never on a refresh of the same screen — the pre-rendered prompt
/// <c>&lt;PromptsPath&gt;/&lt;language&gt;/&lt;screenId&gt;.wav</c> starts, interrupting the previous one. The screen's texts
/// are never read: the greeting name and the PIN dots on a screen cannot reach the speaker. A screen without a
/// prompt file stops the previous prompt and stays silent (logged once per screen and language).
/// </summary>
public sealed class SpokenGuidance : IDisplay, IDisposable
{
    private readonly IDisplay _inner;
    private readonly IAudioPlayer _player;
    private readonly string _promptsPath;
    private readonly bool _enabled;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly HashSet<(string, string)> _reportedMissing = [];
    private readonly Lock _gate = new();
    private (string Id, string Language)? _last;
    private bool _folderChecked;

    public SpokenGuidance(IDisplay inner, IAudioPlayer player, AudioOptions options, ILogger<SpokenGuidance>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(player);
        ArgumentNullException.ThrowIfNull(options);
        _inner = inner;
        _player = player;
        _promptsPath = options.PromptsPath;
        _enabled = options.Enabled;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The display this one decorates.</summary>
    public IDisplay Inner => _inner;

    /// <inheritdoc />
    public async Task ShowAsync(Screen screen, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(screen);
        try
        {
            await _inner.ShowAsync(screen, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Also when the display failed: a patient who cannot see the screen still hears where they are.
            if (!cancellationToken.IsCancellationRequested)
            {
                Announce(screen);
            }
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private void Announce(Screen screen)
    {
        if (!_enabled)
        {
            return;
        }

        string? file;
        lock (_gate)
        {
            if (_last is { } last && last.Id == screen.Id && last.Language == screen.Language)
            {
                return;
            }

            _last = (screen.Id, screen.Language);
            CheckFolderOnce();
            file = PromptFiles.PathFor(_promptsPath, screen.Id, screen.Language);
            if (file is null || !File.Exists(file))
            {
                if (_reportedMissing.Add((screen.Id, screen.Language)))
                {
                    _logger.LogInformation("No audio prompt for screen {ScreenId} in {Language}.", screen.Id, screen.Language);
                }

                file = null;
            }
        }

        if (file is null)
        {
            _player.Stop();
            return;
        }

        Observe(_player.PlayAsync(file, _stopping.Token));
    }

    private void CheckFolderOnce()
    {
        if (!_folderChecked)
        {
            _folderChecked = true;
            if (!Directory.Exists(_promptsPath))
            {
                _logger.LogWarning("Audio prompts folder {Folder} does not exist: no spoken guidance. Render it with 'mynaterm audio render --out {Folder}'.", _promptsPath, _promptsPath);
            }
        }
    }

    private void Observe(Task<PlaybackOutcome> playback) =>
        _ = playback.ContinueWith(
            t => _logger.LogDebug(t.Exception, "Audio prompt ended with an error."),
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
}

/// <summary>
/// An <see cref="IInputDevice"/> decorator that plays the key click (<c>key-click.wav</c>, a short tone — never speech)
/// for every keypad key: digits, 1字消す, 確定. Which key was pressed is never audible.
/// </summary>
public sealed class KeyClickFeedback : IInputDevice
{
    private readonly IInputDevice _inner;
    private readonly IAudioPlayer _player;
    private readonly string _click;
    private readonly bool _enabled;

    public KeyClickFeedback(IInputDevice inner, IAudioPlayer player, AudioOptions options)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(player);
        ArgumentNullException.ThrowIfNull(options);
        _inner = inner;
        _player = player;
        _click = Path.Combine(options.PromptsPath, PromptFiles.KeyClickName);
        _enabled = options.Enabled;
    }

    /// <summary>The input device this one decorates.</summary>
    public IInputDevice Inner => _inner;

    /// <inheritdoc />
    public async IAsyncEnumerable<InputAction> ActionsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var action in _inner.ActionsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_enabled && ActionIds.IsKeypad(action.Id) && File.Exists(_click))
            {
                _ = _player.PlayAsync(_click, CancellationToken.None).ContinueWith(
                    static _ => { }, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            }

            yield return action;
        }
    }
}
