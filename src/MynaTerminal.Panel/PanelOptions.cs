using System.ComponentModel.DataAnnotations;

namespace MynaTerminal.Panel;

/// <summary>Which screen the patient sees.</summary>
public enum PanelKind
{
    /// <summary>PNG files only (the Display project's simulated panel): <see cref="PanelServiceCollectionExtensions.AddPanel"/> registers no display.</summary>
    Png,

    /// <summary>An ST7789 / ILI9341 / ST7796 TFT on SPI (<see cref="PanelOptions.SpiTft"/>).</summary>
    SpiTft,

    /// <summary>A Linux framebuffer, /dev/fbN (HDMI, DSI; <see cref="PanelOptions.Framebuffer"/>).</summary>
    Framebuffer,
}

/// <summary>The TFT controller; they differ in init sequence, MADCTL orientation and default colour order.</summary>
public enum TftController
{
    /// <summary>Sitronix ST7789 (240 × 320 and smaller; IPS panels, inversion on).</summary>
    St7789,

    /// <summary>Ilitek ILI9341 (240 × 320).</summary>
    Ili9341,

    /// <summary>Sitronix ST7796S (320 × 480), ILI9341-style orientation.</summary>
    St7796,
}

/// <summary>Subpixel order of the panel (the MADCTL RGB/BGR bit).</summary>
public enum ColorOrder
{
    Rgb,
    Bgr,
}

/// <summary>Configuration section <c>Panel</c>: the real patient display.</summary>
/// <example>
/// <code>
/// "Panel": { "Kind": "SpiTft", "SpiTft": { "Controller": "St7789", "Width": 240, "Height": 320, "Rotation": 90 } }
/// "Panel": { "Kind": "Framebuffer", "Framebuffer": { "Device": "/dev/fb0" } }
/// </code>
/// </example>
public sealed class PanelOptions
{
    public const string Section = "Panel";

    /// <summary>Png (default): no real panel.</summary>
    public PanelKind Kind { get; set; } = PanelKind.Png;

    /// <summary>A font file for the panel; null uses <c>Display:FontPath</c>, then the Japanese font search.</summary>
    public string? FontPath { get; set; }

    public SpiTftOptions SpiTft { get; set; } = new();

    public FramebufferOptions Framebuffer { get; set; } = new();
}

/// <summary>
/// <c>Panel:SpiTft</c>. Pins are BCM GPIO numbers (-1 = not wired); the defaults are those of
/// <c>hardware/pinmap.json</c>.
/// </summary>
public sealed class SpiTftOptions
{
    public TftController Controller { get; set; } = TftController.St7789;

    /// <summary>SPI bus: /dev/spidev&lt;Bus&gt;.&lt;ChipSelect&gt;.</summary>
    [Range(0, 6)]
    public int Bus { get; set; }

    [Range(0, 3)]
    public int ChipSelect { get; set; }

    /// <summary>SPI clock; the Pi's divider rounds down. ST7789 is specified to 62.5 MHz, ILI9341 to 10 MHz (40 MHz usually works).</summary>
    [Range(1_000_000, 100_000_000)]
    public int ClockHz { get; set; } = 40_000_000;

    /// <summary>The panel's native width (the controller's column count in portrait, before rotation).</summary>
    [Range(16, 480)]
    public int Width { get; set; } = 240;

    /// <summary>The panel's native height (rows in portrait, before rotation).</summary>
    [Range(16, 480)]
    public int Height { get; set; } = 320;

    /// <summary>Clockwise rotation: 0, 90, 180 or 270; 90 and 270 give a landscape frame (Height × Width).</summary>
    public int Rotation { get; set; } = 90;

    /// <summary>Null: the controller's usual order (ST7789 RGB, ILI9341 and ST7796 BGR).</summary>
    public ColorOrder? ColorOrder { get; set; }

    /// <summary>Display inversion (INVON); null: on for ST7789 (IPS), off for the others.</summary>
    public bool? Invert { get; set; }

    /// <summary>Added to column addresses (e.g. 240 × 240 and 135 × 240 ST7789 modules), for the chosen rotation.</summary>
    [Range(0, 320)]
    public int ColumnOffset { get; set; }

    /// <summary>Added to row addresses, for the chosen rotation.</summary>
    [Range(0, 320)]
    public int RowOffset { get; set; }

    /// <summary>A full MADCTL byte for modules wired differently (mirrored); replaces the rotation table and colour bit.</summary>
    [Range(0, 255)]
    public int? MadctlOverride { get; set; }

    /// <summary>Data/command select (D/C, "RS", "A0").</summary>
    [Range(0, 63)]
    public int DataCommandPin { get; set; } = 25;

    /// <summary>Hardware reset (active low); -1 = not wired (a software reset is sent anyway).</summary>
    [Range(-1, 63)]
    public int ResetPin { get; set; } = 24;

    /// <summary>Backlight enable; -1 = always on.</summary>
    [Range(-1, 63)]
    public int BacklightPin { get; set; } = 18;

    /// <summary>False for modules whose backlight transistor lights on a low level.</summary>
    public bool BacklightActiveHigh { get; set; } = true;

    /// <summary>Largest single SPI write; spidev refuses more than its <c>bufsiz</c> module parameter (4096 by default).</summary>
    [Range(64, 1 << 20)]
    public int MaxTransferBytes { get; set; } = 4096;

    /// <summary>Send only the band of rows that changed since the previous frame.</summary>
    public bool PartialUpdate { get; set; } = true;
}

/// <summary><c>Panel:Framebuffer</c>: the frame size and pixel format come from the device.</summary>
public sealed class FramebufferOptions
{
    [Required]
    public string Device { get; set; } = "/dev/fb0";

    /// <summary>Write only the band of rows that changed since the previous frame.</summary>
    public bool PartialUpdate { get; set; } = true;
}

/// <summary>How System.Device.Gpio reaches the pins.</summary>
public enum GpioDriverKind
{
    /// <summary>libgpiod v1 API (<c>libgpiod.so.2</c>, Debian / Raspberry Pi OS bookworm's libgpiod2 1.6).</summary>
    Libgpiod,

    /// <summary>libgpiod v2 API (<c>libgpiod.so.3</c>).</summary>
    LibgpiodV2,
}

/// <summary>Configuration section <c>Gpio</c>, shared by the TFT's control lines and the buttons.</summary>
public sealed class GpioOptions
{
    public const string Section = "Gpio";

    /// <summary>
    /// The gpiochip with the 40-pin header: 0 on a Pi 4, and on a Pi 5 with kernel 6.6.45 or later (older Pi 5
    /// kernels: 4). <c>gpioinfo</c> lists them.
    /// </summary>
    [Range(0, 15)]
    public int Chip { get; set; }

    public GpioDriverKind Driver { get; set; } = GpioDriverKind.Libgpiod;
}
