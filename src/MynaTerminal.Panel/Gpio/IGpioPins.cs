using System.Device.Gpio;
using System.Device.Gpio.Drivers;

namespace MynaTerminal.Panel.Gpio;

/// <summary>Pull resistor of an input pin.</summary>
public enum PinPull
{
    None,
    Up,
    Down,
}

/// <summary>
/// The GPIO lines the panel uses, by BCM number: outputs for the TFT's D/C, reset and backlight, inputs with pulls and
/// change notifications for the buttons. Small on purpose so tests drive it with a fake.
/// </summary>
public interface IGpioPins : IDisposable
{
    void OpenOutput(int pin, bool high);

    void OpenInput(int pin, PinPull pull);

    void Write(int pin, bool high);

    /// <summary>True when the pin reads high.</summary>
    bool Read(int pin);

    /// <summary>Calls <paramref name="changed"/> (from any thread) on every edge of an input; dispose to stop.</summary>
    IDisposable WatchEdges(int pin, Action<int> changed);

    void Close(int pin);
}

/// <summary>
/// <see cref="IGpioPins"/> over System.Device.Gpio's <see cref="GpioController"/>. The controller comes in (created
/// by the caller or by <see cref="Open"/> with an explicitly chosen libgpiod driver, never board auto-detection).
/// </summary>
public sealed class GpioControllerPins : IGpioPins
{
    private readonly GpioController _controller;
    private readonly bool _ownsController;
    private readonly object _lock = new();

    /// <param name="controller">The controller to use.</param>
    /// <param name="ownsController">Dispose it with this object.</param>
    public GpioControllerPins(GpioController controller, bool ownsController)
    {
        ArgumentNullException.ThrowIfNull(controller);
        _controller = controller;
        _ownsController = ownsController;
    }

    /// <summary>Opens the gpiochip of <paramref name="options"/> through libgpiod (Debian package libgpiod2).</summary>
    /// <exception cref="PanelDeviceException">No such chip, no libgpiod, or no permission (group <c>gpio</c>).</exception>
    public static GpioControllerPins Open(GpioOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            GpioDriver driver = options.Driver == GpioDriverKind.LibgpiodV2 ? new LibGpiodV2Driver(options.Chip) : new LibGpiodDriver(options.Chip);
            return new GpioControllerPins(new GpioController(driver), ownsController: true);
        }
        catch (Exception e) when (e is IOException or PlatformNotSupportedException or DllNotFoundException or UnauthorizedAccessException or InvalidOperationException)
        {
            throw new PanelDeviceException(
                $"Cannot open gpiochip{options.Chip} with {options.Driver}: {e.Message}. Install libgpiod2 (apt install libgpiod2 gpiod), " +
                "check Gpio:Chip with gpioinfo, and add the service user to the 'gpio' group.", e);
        }
    }

    public void OpenOutput(int pin, bool high)
    {
        lock (_lock)
        {
            _controller.OpenPin(pin, PinMode.Output, high ? PinValue.High : PinValue.Low);
        }
    }

    public void OpenInput(int pin, PinPull pull)
    {
        lock (_lock)
        {
            _controller.OpenPin(pin, pull switch
            {
                PinPull.Up => PinMode.InputPullUp,
                PinPull.Down => PinMode.InputPullDown,
                _ => PinMode.Input,
            });
        }
    }

    public void Write(int pin, bool high) => _controller.Write(pin, high ? PinValue.High : PinValue.Low);

    public bool Read(int pin) => _controller.Read(pin) == PinValue.High;

    public IDisposable WatchEdges(int pin, Action<int> changed)
    {
        ArgumentNullException.ThrowIfNull(changed);
        void Handler(object sender, PinValueChangedEventArgs args) => changed(args.PinNumber);
        lock (_lock)
        {
            _controller.RegisterCallbackForPinValueChangedEvent(pin, PinEventTypes.Rising | PinEventTypes.Falling, Handler);
        }

        return new Unwatch(() =>
        {
            lock (_lock)
            {
                if (_controller.IsPinOpen(pin))
                {
                    _controller.UnregisterCallbackForPinValueChangedEvent(pin, Handler);
                }
            }
        });
    }

    public void Close(int pin)
    {
        lock (_lock)
        {
            if (_controller.IsPinOpen(pin))
            {
                _controller.ClosePin(pin);
            }
        }
    }

    public void Dispose()
    {
        if (_ownsController)
        {
            _controller.Dispose();
        }
    }

    private sealed class Unwatch(Action action) : IDisposable
    {
        private Action? _action = action;

        public void Dispose() => Interlocked.Exchange(ref _action, null)?.Invoke();
    }
}
