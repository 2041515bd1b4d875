using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MynaTerminal.Core.Devices;
using MynaTerminal.Panel.Rendering;

namespace MynaTerminal.Panel.Gpio;

/// <summary>A momentary button on a GPIO pin and the action it sends when pressed.</summary>
public sealed record GpioButton(string Name, int Pin, bool ActiveLow, TimeSpan Debounce, string Action);

/// <summary>
/// Hardware buttons (係員呼出, language, staff) on GPIO pins. Every edge restarts the button's debounce timer (on the
/// injected <see cref="TimeProvider"/>); when the timer runs out the pin is read, and a change to "pressed" sends the
/// action once. Bounces and glitches shorter than the debounce time are never seen; holding a button sends nothing
/// more. The pins are opened (with the pull-up for active-low buttons) while the actions are enumerated.
/// </summary>
public sealed class GpioButtonInput : IInputDevice
{
    private readonly GpioButton[] _buttons;
    private readonly IGpioPins _pins;
    private readonly TimeProvider _time;
    private readonly CurrentScreen? _screen;
    private readonly IReadOnlyList<string> _languages;
    private readonly ILogger _logger;
    private int _enumerating;

    /// <param name="buttons">The buttons; pins must be distinct.</param>
    /// <param name="pins">The GPIO lines (not disposed here).</param>
    /// <param name="screen">For a button whose action is <c>lang:next</c>; null: it does nothing.</param>
    /// <param name="languages">The language cycle for <c>lang:next</c>.</param>
    public GpioButtonInput(IEnumerable<GpioButton> buttons, IGpioPins pins, TimeProvider? time = null, CurrentScreen? screen = null, IReadOnlyList<string>? languages = null, ILogger<GpioButtonInput>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(buttons);
        ArgumentNullException.ThrowIfNull(pins);
        _buttons = buttons.ToArray();
        var duplicate = _buttons.GroupBy(b => b.Pin).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"GPIO {duplicate.Key} is used by {string.Join(" and ", duplicate.Select(b => b.Name))}.", nameof(buttons));
        }

        _pins = pins;
        _time = time ?? TimeProvider.System;
        _screen = screen;
        _languages = languages ?? ["ja", "en"];
        _logger = logger ?? (ILogger)NullLogger<GpioButtonInput>.Instance;
    }

    /// <summary>The fitted buttons (pin ≥ 0) of the <c>Input:Buttons</c> section.</summary>
    public static IReadOnlyList<GpioButton> From(GpioButtonsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.All().Where(b => b.Button.Pin >= 0)
            .Select(b => new GpioButton(b.Name, b.Button.Pin, b.Button.ActiveLow, b.Button.Debounce, b.Button.Action))
            .ToArray();
    }

    /// <summary>The buttons.</summary>
    public IReadOnlyList<GpioButton> Buttons => _buttons;

    /// <summary>Raised synchronously, on the timer's thread, for each debounced press (tests watch the timing here).</summary>
    internal event Action<GpioButton>? Pressed;

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">Already enumerated elsewhere (the pins can be watched once).</exception>
    public async IAsyncEnumerable<InputAction> ActionsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _enumerating, 1) == 1)
        {
            throw new InvalidOperationException("The GPIO buttons are already being read.");
        }

        var pressed = Channel.CreateUnbounded<GpioButton>(new UnboundedChannelOptions { SingleReader = true });
        var watched = new List<Watched>();
        try
        {
            foreach (var button in _buttons)
            {
                _pins.OpenInput(button.Pin, button.ActiveLow ? PinPull.Up : PinPull.Down);
                watched.Add(new Watched(button, _pins, _time, b =>
                {
                    Pressed?.Invoke(b);
                    pressed.Writer.TryWrite(b);
                }));
            }

            _logger.LogInformation("GPIO buttons: {Buttons}", string.Join(", ", _buttons.Select(b => $"{b.Name} on GPIO {b.Pin}")));
            await foreach (var button in pressed.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                var action = button.Action == CurrentScreen.NextLanguage ? _screen?.Resolve(button.Action, _languages) : button.Action;
                if (action is not null)
                {
                    yield return new InputAction(action);
                }
            }
        }
        finally
        {
            foreach (var w in watched)
            {
                w.Dispose();
            }

            foreach (var button in _buttons)
            {
                _pins.Close(button.Pin);
            }

            Volatile.Write(ref _enumerating, 0);
        }
    }

    /// <summary>One button's debounce: the level is read when no edge came for the debounce time.</summary>
    private sealed class Watched : IDisposable
    {
        private readonly GpioButton _button;
        private readonly IGpioPins _pins;
        private readonly Action<GpioButton> _pressed;
        private readonly ITimer _timer;
        private readonly IDisposable _edges;
        private readonly object _lock = new();
        private bool _stablePressed;

        public Watched(GpioButton button, IGpioPins pins, TimeProvider time, Action<GpioButton> pressed)
        {
            _button = button;
            _pins = pins;
            _pressed = pressed;
            _stablePressed = IsPressed(); // a button held at start does not count
            _timer = time.CreateTimer(_ => Settled(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _edges = pins.WatchEdges(button.Pin, _ => _timer.Change(button.Debounce, Timeout.InfiniteTimeSpan));
        }

        public void Dispose()
        {
            _edges.Dispose();
            _timer.Dispose();
        }

        private bool IsPressed() => _pins.Read(_button.Pin) != _button.ActiveLow;

        private void Settled()
        {
            var now = IsPressed();
            lock (_lock)
            {
                if (now == _stablePressed)
                {
                    return;
                }

                _stablePressed = now;
            }

            if (now)
            {
                _pressed(_button);
            }
        }
    }
}
