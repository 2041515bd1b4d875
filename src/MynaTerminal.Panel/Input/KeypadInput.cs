using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MynaTerminal.Core.Devices;
using MynaTerminal.Panel.Rendering;

namespace MynaTerminal.Panel.Input;

/// <summary>
/// A USB numeric keypad through evdev, for tactile PIN entry: each key press (value 1) whose key is in
/// <see cref="KeypadOptions.Keys"/> becomes that action; releases (0) and auto-repeat (2) are ignored, so a held
/// key types one digit. The device is grabbed by default so PIN digits never reach the text console.
/// </summary>
public sealed class KeypadInput : IInputDevice
{
    private readonly Dictionary<ushort, string> _keys;
    private readonly EvdevSource _source;
    private readonly CurrentScreen? _screen;
    private readonly IReadOnlyList<string> _languages;

    /// <param name="options">Device, grab and key map.</param>
    /// <param name="reopenDelay">Wait before opening the device again after it was missing or unplugged.</param>
    /// <param name="screen">For a key mapped to <c>lang:next</c>; null: such keys do nothing.</param>
    /// <param name="languages">The language cycle for <c>lang:next</c>.</param>
    public KeypadInput(KeypadOptions options, TimeSpan reopenDelay, CurrentScreen? screen = null, IReadOnlyList<string>? languages = null, IEvdevOpener? opener = null, TimeProvider? time = null, ILogger<KeypadInput>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _keys = KeyMap(options.Keys);
        _screen = screen;
        _languages = languages ?? ["ja", "en"];
        _source = new EvdevSource(options.Device, options.Grab, opener ?? LinuxEvdevDevice.Opener, reopenDelay, time ?? TimeProvider.System, logger ?? (ILogger)NullLogger<KeypadInput>.Instance);
    }

    /// <summary>Key code → action id for the configured names (unknown names and empty actions left out).</summary>
    public static Dictionary<ushort, string> KeyMap(IReadOnlyDictionary<string, string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var map = new Dictionary<ushort, string>();
        foreach (var (name, action) in keys)
        {
            if (!string.IsNullOrEmpty(action) && EvdevCodes.TryParseKey(name, out var code))
            {
                map[code] = action;
            }
        }

        return map;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<InputAction> ActionsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var e in _source.EventsAsync(null, cancellationToken).ConfigureAwait(false))
        {
            if (e.Type == EvdevCodes.EV_KEY && e.Value == EvdevCodes.KeyPressed && _keys.TryGetValue(e.Code, out var action))
            {
                var resolved = action == CurrentScreen.NextLanguage ? _screen?.Resolve(action, _languages) : action;
                if (resolved is not null)
                {
                    yield return new InputAction(resolved);
                }
            }
        }
    }
}
