using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MynaTerminal.Core.Devices;
using MynaTerminal.Panel.Gpio;
using MynaTerminal.Panel.Rendering;
using SkiaSharp;

namespace MynaTerminal.Panel.Spi;

/// <summary>
/// The patient screen on an SPI TFT (ST7789 / ILI9341 / ST7796). Each screen is drawn at the rotated frame size,
/// converted to big-endian RGB565 and sent in <see cref="SpiTftOptions.MaxTransferBytes"/> pieces; with
/// <see cref="SpiTftOptions.PartialUpdate"/> only the band of rows that changed goes over the wire. The controller is
/// initialised on the first frame (or by <see cref="InitializeAsync"/>); the backlight comes on after the first frame
/// so the patient never sees the controller's random RAM. After showing a screen it is published to
/// <see cref="CurrentScreen"/> with its button rectangles (for touch).
/// </summary>
public sealed class SpiTftDisplay : IDisplay, IDisposable
{
    private readonly SpiTftOptions _options;
    private readonly ISpiBus _bus;
    private readonly bool _ownsBus;
    private readonly TftDriver _driver;
    private readonly FrameRenderer _renderer;
    private readonly CurrentScreen? _current;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private byte[] _frame;
    private byte[] _previous;
    private bool _initialized;
    private bool _hasPrevious;
    private bool _disposed;

    /// <param name="options">Controller, size, rotation, pins.</param>
    /// <param name="bus">The SPI link (see <see cref="SpiDeviceBus.Open"/>).</param>
    /// <param name="pins">The GPIO lines for D/C, reset and backlight (not disposed here).</param>
    /// <param name="fontPath">A font file; null searches for a Japanese font.</param>
    /// <param name="current">Receives each shown screen with its button rectangles; null: nobody needs it.</param>
    /// <param name="ownsBus">Dispose <paramref name="bus"/> with the display.</param>
    public SpiTftDisplay(SpiTftOptions options, ISpiBus bus, IGpioPins pins, string? fontPath = null, CurrentScreen? current = null, TimeProvider? time = null, ILogger<SpiTftDisplay>? logger = null, bool ownsBus = true)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(bus);
        _options = options;
        _bus = bus;
        _ownsBus = ownsBus;
        _driver = new TftDriver(options, bus, pins, time);
        _renderer = new FrameRenderer(_driver.Width, _driver.Height, fontPath);
        _current = current;
        _logger = logger ?? (ILogger)NullLogger<SpiTftDisplay>.Instance;
        _frame = new byte[Width * Height * 2];
        _previous = new byte[Width * Height * 2];
        if (!_renderer.Renderer.HasJapaneseFont)
        {
            _logger.LogWarning("No Japanese font: Japanese text on the TFT depends on fallbacks (install fonts-noto-cjk or set Display:FontPath)");
        }
    }

    /// <summary>Frame width (after rotation).</summary>
    public int Width => _driver.Width;

    /// <summary>Frame height (after rotation).</summary>
    public int Height => _driver.Height;

    /// <summary>Resets and initialises the controller (again, when called again).</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await InitializeLockedAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async Task ShowAsync(Screen screen, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(screen);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var (bitmap, buttons) = _renderer.Render(screen);
            await PushLockedAsync(bitmap, cancellationToken).ConfigureAwait(false);
            _current?.Publish(screen, Width, Height, buttons);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Shows a ready Rgba8888 bitmap of <see cref="Width"/> × <see cref="Height"/> (test patterns, self-test).</summary>
    public async Task ShowBitmapAsync(SKBitmap bitmap, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bitmap);
        if (bitmap.Width != Width || bitmap.Height != Height || bitmap.ColorType != SKColorType.Rgba8888)
        {
            throw new ArgumentException($"Expected a {Width} × {Height} Rgba8888 bitmap, got {bitmap.Width} × {bitmap.Height} {bitmap.ColorType}.", nameof(bitmap));
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            await PushLockedAsync(bitmap, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Backlight off and the controller asleep (best effort), then releases pins, bus and fonts.</summary>
    public void Dispose()
    {
        _gate.Wait();
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (_initialized)
            {
                try
                {
                    _driver.Backlight(false);
                    _driver.Sleep();
                }
                catch (Exception e) when (e is IOException or InvalidOperationException)
                {
                    _logger.LogDebug(e, "The TFT did not take the sleep command");
                }
            }

            _driver.Dispose();
            if (_ownsBus)
            {
                _bus.Dispose();
            }

            _renderer.Dispose();
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task InitializeLockedAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _driver.InitializeAsync(cancellationToken).ConfigureAwait(false);
        _initialized = true;
        _hasPrevious = false;
        _logger.LogInformation("{Controller} TFT ready: {Width} × {Height}, rotation {Rotation}, MADCTL 0x{Madctl:X2}",
            _options.Controller, Width, Height, _options.Rotation, TftDriver.Madctl(_options));
    }

    private async Task PushLockedAsync(SKBitmap bitmap, CancellationToken cancellationToken)
    {
        if (!_initialized)
        {
            await InitializeLockedAsync(cancellationToken).ConfigureAwait(false);
        }

        var firstFrame = !_hasPrevious;
        PixelConverter.ToRgb565BigEndian(bitmap.GetPixelSpan(), _frame);
        var rowBytes = Width * 2;
        var (first, last) = (0, Height - 1);
        if (_hasPrevious && _options.PartialUpdate)
        {
            (first, last) = FrameDiff.ChangedRows(_previous, _frame, rowBytes);
            if (first < 0)
            {
                return; // nothing changed
            }
        }

        _driver.SetWindow(0, first, Width - 1, last);
        _driver.WritePixels(_frame.AsSpan(first * rowBytes, (last - first + 1) * rowBytes));
        (_previous, _frame) = (_frame, _previous);
        _hasPrevious = true;
        if (firstFrame)
        {
            _driver.Backlight(true);
        }
    }
}
