using MynaTerminal.Panel.Gpio;

namespace MynaTerminal.Panel.Spi;

/// <summary>MIPI DCS commands and MADCTL bits shared by the ST7789, ILI9341 and ST7796.</summary>
public static class TftCommands
{
    public const byte SWRESET = 0x01;
    public const byte SLPIN = 0x10;
    public const byte SLPOUT = 0x11;
    public const byte NORON = 0x13;
    public const byte INVOFF = 0x20;
    public const byte INVON = 0x21;
    public const byte GAMSET = 0x26;
    public const byte DISPOFF = 0x28;
    public const byte DISPON = 0x29;
    public const byte CASET = 0x2A;
    public const byte RASET = 0x2B;
    public const byte RAMWR = 0x2C;
    public const byte MADCTL = 0x36;
    public const byte COLMOD = 0x3A;

    // ILI9341 power, VCOM, frame rate, display function and gamma (datasheet 8.3).
    public const byte FRMCTR1 = 0xB1;
    public const byte DFUNCTR = 0xB6;
    public const byte PWCTR1 = 0xC0;
    public const byte PWCTR2 = 0xC1;
    public const byte VMCTR1 = 0xC5;
    public const byte VMCTR2 = 0xC7;
    public const byte GMCTRP1 = 0xE0;
    public const byte GMCTRN1 = 0xE1;

    /// <summary>COLMOD value: 16 bits per pixel (RGB565) on the MCU interface, 65K colours.</summary>
    public const byte Colmod16Bit = 0x55;

    public const byte MadctlMY = 0x80;
    public const byte MadctlMX = 0x40;
    public const byte MadctlMV = 0x20;
    public const byte MadctlML = 0x10;
    public const byte MadctlBGR = 0x08;
}

/// <summary>One command of an init sequence, its parameters and the wait after it.</summary>
public sealed record TftInitStep(byte Command, byte[] Data, TimeSpan DelayAfter);

/// <summary>
/// The controller protocol, hardware-independent: 8-bit commands with D/C low, parameters and pixels with D/C high,
/// every write cut to <see cref="SpiTftOptions.MaxTransferBytes"/>. Waits go through the injected TimeProvider.
/// Does not own the bus or the pin set; closes its own pins on dispose.
/// </summary>
public sealed class TftDriver : IDisposable
{
    private static readonly TimeSpan ResetPulse = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan AfterReset = TimeSpan.FromMilliseconds(120);

    private readonly SpiTftOptions _options;
    private readonly ISpiBus _bus;
    private readonly IGpioPins _pins;
    private readonly TimeProvider _time;
    private readonly byte[] _command = new byte[1];
    private readonly byte[] _window = new byte[4];
    private bool _pinsOpen;

    public TftDriver(SpiTftOptions options, ISpiBus bus, IGpioPins pins, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(bus);
        ArgumentNullException.ThrowIfNull(pins);
        if (options.Rotation is not (0 or 90 or 180 or 270))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Rotation, "Rotation must be 0, 90, 180 or 270.");
        }

        _options = options;
        _bus = bus;
        _pins = pins;
        _time = time ?? TimeProvider.System;
        (Width, Height) = FrameSize(options);
    }

    /// <summary>Frame width after rotation.</summary>
    public int Width { get; }

    /// <summary>Frame height after rotation.</summary>
    public int Height { get; }

    /// <summary>The frame size of a panel: native size, swapped for 90° and 270°.</summary>
    public static (int Width, int Height) FrameSize(SpiTftOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Rotation is 90 or 270 ? (options.Height, options.Width) : (options.Width, options.Height);
    }

    /// <summary>
    /// MADCTL for the rotation, colour order and controller. ST7789: 0° 0, 90° MX|MV, 180° MX|MY, 270° MY|MV.
    /// ILI9341 and ST7796 modules are wired mirrored: 0° MX, 90° MV, 180° MY, 270° MX|MY|MV. Plus BGR when the
    /// panel's subpixels are blue-first. <see cref="SpiTftOptions.MadctlOverride"/> replaces all of it.
    /// </summary>
    public static byte Madctl(SpiTftOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MadctlOverride is { } value)
        {
            return (byte)value;
        }

        var rotation = options.Controller == TftController.St7789
            ? options.Rotation switch
            {
                90 => TftCommands.MadctlMX | TftCommands.MadctlMV,
                180 => TftCommands.MadctlMX | TftCommands.MadctlMY,
                270 => TftCommands.MadctlMY | TftCommands.MadctlMV,
                _ => 0,
            }
            : options.Rotation switch
            {
                90 => TftCommands.MadctlMV,
                180 => TftCommands.MadctlMY,
                270 => TftCommands.MadctlMX | TftCommands.MadctlMY | TftCommands.MadctlMV,
                _ => TftCommands.MadctlMX,
            };
        var order = options.ColorOrder ?? (options.Controller == TftController.St7789 ? ColorOrder.Rgb : ColorOrder.Bgr);
        return (byte)(rotation | (order == ColorOrder.Bgr ? TftCommands.MadctlBGR : 0));
    }

    /// <summary>The init sequence after the hardware reset, ending with the display on.</summary>
    public static IReadOnlyList<TftInitStep> InitSequence(SpiTftOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        static TftInitStep Step(byte command, int delayMs, params byte[] data) => new(command, data, TimeSpan.FromMilliseconds(delayMs));

        var steps = new List<TftInitStep> { Step(TftCommands.SWRESET, 150) };
        if (options.Controller == TftController.Ili9341)
        {
            // Power, VCOM, frame rate (70 Hz), display function and gamma curve 1 with its usual correction tables.
            steps.Add(Step(TftCommands.PWCTR1, 0, 0x23));
            steps.Add(Step(TftCommands.PWCTR2, 0, 0x10));
            steps.Add(Step(TftCommands.VMCTR1, 0, 0x3E, 0x28));
            steps.Add(Step(TftCommands.VMCTR2, 0, 0x86));
            steps.Add(Step(TftCommands.FRMCTR1, 0, 0x00, 0x18));
            steps.Add(Step(TftCommands.DFUNCTR, 0, 0x08, 0x82, 0x27));
            steps.Add(Step(TftCommands.GAMSET, 0, 0x01));
            steps.Add(Step(TftCommands.GMCTRP1, 0, 0x0F, 0x31, 0x2B, 0x0C, 0x0E, 0x08, 0x4E, 0xF1, 0x37, 0x07, 0x10, 0x03, 0x0E, 0x09, 0x00));
            steps.Add(Step(TftCommands.GMCTRN1, 0, 0x00, 0x0E, 0x14, 0x03, 0x11, 0x07, 0x31, 0xC1, 0x48, 0x08, 0x0F, 0x0C, 0x31, 0x36, 0x0F));
        }

        steps.Add(Step(TftCommands.SLPOUT, 120));
        steps.Add(Step(TftCommands.COLMOD, 10, TftCommands.Colmod16Bit));
        steps.Add(Step(TftCommands.MADCTL, 0, Madctl(options)));
        var invert = options.Invert ?? options.Controller == TftController.St7789;
        steps.Add(Step(invert ? TftCommands.INVON : TftCommands.INVOFF, 0));
        steps.Add(Step(TftCommands.NORON, 10));
        steps.Add(Step(TftCommands.DISPON, 20));
        return steps;
    }

    /// <summary>Opens the control lines (backlight off), pulses reset and sends the init sequence.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (!_pinsOpen)
        {
            _pins.OpenOutput(_options.DataCommandPin, high: false);
            if (_options.ResetPin >= 0)
            {
                _pins.OpenOutput(_options.ResetPin, high: true);
            }

            if (_options.BacklightPin >= 0)
            {
                _pins.OpenOutput(_options.BacklightPin, high: !_options.BacklightActiveHigh);
            }

            _pinsOpen = true;
        }

        if (_options.ResetPin >= 0)
        {
            _pins.Write(_options.ResetPin, high: false);
            await Task.Delay(ResetPulse, _time, cancellationToken).ConfigureAwait(false);
            _pins.Write(_options.ResetPin, high: true);
            await Task.Delay(AfterReset, _time, cancellationToken).ConfigureAwait(false);
        }

        foreach (var step in InitSequence(_options))
        {
            Command(step.Command, step.Data);
            if (step.DelayAfter > TimeSpan.Zero)
            {
                await Task.Delay(step.DelayAfter, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Turns the backlight on or off (nothing when it is not wired).</summary>
    public void Backlight(bool on)
    {
        if (_options.BacklightPin >= 0 && _pinsOpen)
        {
            _pins.Write(_options.BacklightPin, high: on == _options.BacklightActiveHigh);
        }
    }

    /// <summary>Sends a command byte (D/C low) and its parameters (D/C high).</summary>
    public void Command(byte command, ReadOnlySpan<byte> data)
    {
        _pins.Write(_options.DataCommandPin, high: false);
        _command[0] = command;
        _bus.Write(_command);
        if (!data.IsEmpty)
        {
            _pins.Write(_options.DataCommandPin, high: true);
            WriteData(data);
        }
    }

    /// <summary>CASET / RASET for the inclusive frame rectangle (x0, y0) … (x1, y1), plus the configured offsets.</summary>
    public void SetWindow(int x0, int y0, int x1, int y1)
    {
        if (x0 < 0 || y0 < 0 || x1 >= Width || y1 >= Height || x1 < x0 || y1 < y0)
        {
            throw new ArgumentOutOfRangeException(nameof(x0), $"({x0}, {y0}) … ({x1}, {y1}) is not inside the {Width} × {Height} frame.");
        }

        Address(TftCommands.CASET, x0 + _options.ColumnOffset, x1 + _options.ColumnOffset);
        Address(TftCommands.RASET, y0 + _options.RowOffset, y1 + _options.RowOffset);
    }

    /// <summary>RAMWR and the pixels (RGB565 big-endian) of the window set last.</summary>
    public void WritePixels(ReadOnlySpan<byte> rgb565)
    {
        Command(TftCommands.RAMWR, []);
        _pins.Write(_options.DataCommandPin, high: true);
        WriteData(rgb565);
    }

    /// <summary>Display off and sleep in (best effort when shutting down).</summary>
    public void Sleep()
    {
        Command(TftCommands.DISPOFF, []);
        Command(TftCommands.SLPIN, []);
    }

    /// <summary>Closes the control lines this driver opened.</summary>
    public void Dispose()
    {
        if (!_pinsOpen)
        {
            return;
        }

        _pinsOpen = false;
        foreach (var pin in new[] { _options.BacklightPin, _options.ResetPin, _options.DataCommandPin }.Where(p => p >= 0))
        {
            _pins.Close(pin);
        }
    }

    private void Address(byte command, int start, int end)
    {
        _window[0] = (byte)(start >> 8);
        _window[1] = (byte)start;
        _window[2] = (byte)(end >> 8);
        _window[3] = (byte)end;
        Command(command, _window);
    }

    private void WriteData(ReadOnlySpan<byte> data)
    {
        var chunk = _options.MaxTransferBytes;
        for (var offset = 0; offset < data.Length; offset += chunk)
        {
            _bus.Write(data.Slice(offset, Math.Min(chunk, data.Length - offset)));
        }
    }
}
