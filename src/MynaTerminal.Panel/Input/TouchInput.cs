using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MynaTerminal.Core.Devices;
using MynaTerminal.Panel.Rendering;

namespace MynaTerminal.Panel.Input;

/// <summary>
/// A touch panel through evdev. A tap is a button press when it goes down and comes up on the same button of the
/// screen on show (<see cref="CurrentScreen"/>); sliding off a button, or a screen change that moves the buttons away,
/// cancels it. Raw coordinates go through <see cref="TouchCalibration"/> to frame pixels.
/// </summary>
public sealed class TouchInput : IInputDevice
{
    private readonly TouchOptions _options;
    private readonly CurrentScreen _screen;
    private readonly EvdevSource _source;
    private readonly ILogger _logger;
    private (int Min, int Max)? _deviceX;
    private (int Min, int Max)? _deviceY;
    private (int Width, int Height, TouchCalibration Calibration)? _calibration;

    /// <param name="options">Device, grab and calibration.</param>
    /// <param name="reopenDelay">Wait before opening the device again after it was missing or unplugged.</param>
    /// <param name="screen">The screen on show and its button rectangles, published by the panel.</param>
    /// <param name="opener">Null: /dev/input through libc.</param>
    public TouchInput(TouchOptions options, TimeSpan reopenDelay, CurrentScreen screen, IEvdevOpener? opener = null, TimeProvider? time = null, ILogger<TouchInput>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(screen);
        _options = options;
        _screen = screen;
        _logger = logger ?? NullLogger<TouchInput>.Instance;
        _source = new EvdevSource(options.Device, options.Grab, opener ?? LinuxEvdevDevice.Opener, reopenDelay, time ?? TimeProvider.System, _logger);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<InputAction> ActionsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var tracker = new TouchTracker();
        string? pressed = null;
        await foreach (var e in _source.EventsAsync(Opened, cancellationToken).ConfigureAwait(false))
        {
            if (tracker.Feed(e) is not { } report)
            {
                continue;
            }

            var hit = HitTest(report.RawX, report.RawY);
            switch (report.Phase)
            {
                case TouchPhase.Down:
                    pressed = hit;
                    break;
                case TouchPhase.Up when pressed is not null && hit == pressed:
                    pressed = null;
                    yield return new InputAction(hit);
                    break;
                default:
                    pressed = null;
                    break;
            }
        }

        void Opened(IEvdevDevice device)
        {
            tracker.Reset();
            pressed = null;
            _deviceX = Range(device, EvdevCodes.ABS_X, EvdevCodes.ABS_MT_POSITION_X);
            _deviceY = Range(device, EvdevCodes.ABS_Y, EvdevCodes.ABS_MT_POSITION_Y);
            _calibration = null;
        }
    }

    /// <summary>The frame point of a raw touch with the current calibration; null before the first frame.</summary>
    internal (float X, float Y)? ToFrame(int rawX, int rawY)
    {
        var (width, height) = _screen.Size;
        if (width == 0 || height == 0)
        {
            return null;
        }

        if (_calibration is not { } cached || cached.Width != width || cached.Height != height)
        {
            cached = (width, height, BuildCalibration(width, height));
            _calibration = cached;
        }

        return cached.Calibration.Map(rawX, rawY);
    }

    private string? HitTest(int rawX, int rawY) =>
        ToFrame(rawX, rawY) is { } point ? _screen.HitTest(point.X, point.Y) : null;

    private TouchCalibration BuildCalibration(int width, int height)
    {
        var c = _options.Calibration;
        if (c.Points is { } points && TouchCalibration.TryFromPoints(points, out var affine))
        {
            return affine;
        }

        var minX = c.RawMinX ?? _deviceX?.Min;
        var maxX = c.RawMaxX ?? _deviceX?.Max;
        var minY = c.RawMinY ?? _deviceY?.Min;
        var maxY = c.RawMaxY ?? _deviceY?.Max;
        if (minX is null || maxX is null || minY is null || maxY is null || minX >= maxX || minY >= maxY)
        {
            _logger.LogWarning("{Device}: no usable raw touch range (configure Input:Touch:Calibration); using the frame size", _options.Device);
            (minX, maxX, minY, maxY) = c.SwapXY ? (0, height - 1, 0, width - 1) : (0, width - 1, 0, height - 1);
        }

        return TouchCalibration.FromRanges(minX.Value, maxX.Value, minY.Value, maxY.Value, c.SwapXY, c.InvertX, c.InvertY, width, height);
    }

    private static (int, int)? Range(IEvdevDevice device, ushort singleTouch, ushort multiTouch) =>
        device.TryGetAbsoluteRange(singleTouch, out var min, out var max) || device.TryGetAbsoluteRange(multiTouch, out min, out max)
            ? (min, max)
            : null;
}
