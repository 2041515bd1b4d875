using System.ComponentModel.DataAnnotations;
using MynaTerminal.Core.Session;
using MynaTerminal.Panel.Rendering;

namespace MynaTerminal.Panel;

/// <summary>Configuration section <c>Input</c>: touch panel, USB keypad and GPIO buttons; each is off by default.</summary>
/// <example>
/// <code>
/// "Input": {
///   "Touch":   { "Enabled": true, "Device": "/dev/input/by-path/platform-…-event", "Calibration": { "SwapXY": true, "InvertY": true } },
///   "Keypad":  { "Enabled": true, "Device": "/dev/input/by-id/usb-…-event-kbd", "Keys": { "KEY_KPPLUS": "continue" } },
///   "Buttons": { "Enabled": true }
/// }
/// </code>
/// </example>
public sealed class InputOptions
{
    public const string Section = "Input";

    public TouchOptions Touch { get; set; } = new();

    public KeypadOptions Keypad { get; set; } = new();

    public GpioButtonsOptions Buttons { get; set; } = new();

    /// <summary>Wait before opening an input device again after it was missing or unplugged.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan ReopenDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Language order for <c>lang:next</c> (the language button); null: ja, en. Languages the current screen does not
    /// offer are skipped.
    /// </summary>
    public string[]? LanguageCycle { get; set; }

    /// <summary>The effective <see cref="LanguageCycle"/>.</summary>
    public IReadOnlyList<string> Languages => LanguageCycle is { Length: > 0 } cycle ? cycle : ["ja", "en"];
}

/// <summary><c>Input:Touch</c>: a touch panel through evdev; touches are hit-tested against the screen's buttons.</summary>
public sealed class TouchOptions
{
    public bool Enabled { get; set; }

    /// <summary>The event device; prefer a stable /dev/input/by-path or by-id link.</summary>
    [Required]
    public string Device { get; set; } = "/dev/input/event0";

    /// <summary>EVIOCGRAB: keep the touches from the console and other readers.</summary>
    public bool Grab { get; set; } = true;

    public TouchCalibrationOptions Calibration { get; set; } = new();
}

/// <summary>
/// <c>Input:Touch:Calibration</c>: either three reference points (affine calibration; wins when given) or raw ranges
/// plus swap / invert. Raw ranges left null come from the device (EVIOCGABS). Order: swap the raw axes, scale each
/// range to the frame, then invert (InvertX/InvertY refer to the frame's axes).
/// </summary>
public sealed class TouchCalibrationOptions
{
    /// <summary>Raw ABS_X (or ABS_MT_POSITION_X) at the frame's left edge (before invert).</summary>
    public int? RawMinX { get; set; }

    public int? RawMaxX { get; set; }

    public int? RawMinY { get; set; }

    public int? RawMaxY { get; set; }

    /// <summary>The device's X axis runs along the frame's Y axis (a rotated panel).</summary>
    public bool SwapXY { get; set; }

    public bool InvertX { get; set; }

    public bool InvertY { get; set; }

    /// <summary>Exactly three points, not on one line: raw touch coordinates and the frame pixel they should give.</summary>
    public CalibrationPoint[]? Points { get; set; }
}

/// <summary>One calibration reference: where the panel reported a touch of a known frame pixel.</summary>
public sealed class CalibrationPoint
{
    public double RawX { get; set; }

    public double RawY { get; set; }

    public double ScreenX { get; set; }

    public double ScreenY { get; set; }
}

/// <summary><c>Input:Keypad</c>: a USB numeric keypad for tactile PIN entry. Auto-repeat is ignored.</summary>
public sealed class KeypadOptions
{
    public bool Enabled { get; set; }

    [Required]
    public string Device { get; set; } = "/dev/input/event1";

    /// <summary>EVIOCGRAB: keep the keys (PIN digits) away from the text console and every other reader.</summary>
    public bool Grab { get; set; } = true;

    /// <summary>
    /// Key name (<see cref="Input.EvdevCodes.KeyNames"/>) → action id. Configuration entries are merged into these
    /// defaults; an empty action removes a key.
    /// </summary>
    public Dictionary<string, string> Keys { get; set; } = DefaultKeys();

    /// <summary>The default keypad map: digits (keypad and top row), 確定, 1字消す, back, continue, help.</summary>
    public static Dictionary<string, string> DefaultKeys()
    {
        var keys = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var digit = 0; digit <= 9; digit++)
        {
            keys[$"KEY_KP{digit}"] = ActionIds.Digit(digit);
            keys[$"KEY_{digit}"] = ActionIds.Digit(digit);
        }

        keys["KEY_KPENTER"] = ActionIds.PinOk;
        keys["KEY_ENTER"] = ActionIds.PinOk;
        keys["KEY_BACKSPACE"] = ActionIds.PinBackspace;
        keys["KEY_KPDOT"] = ActionIds.PinBackspace;
        keys["KEY_KPMINUS"] = ActionIds.Back;
        keys["KEY_KPPLUS"] = ActionIds.Continue;
        keys["KEY_KPASTERISK"] = ActionIds.Help;
        return keys;
    }
}

/// <summary><c>Input:Buttons</c>: the three momentary buttons to GND (internal pull-ups), pins from hardware/pinmap.json.</summary>
public sealed class GpioButtonsOptions
{
    public bool Enabled { get; set; }

    /// <summary>係員呼出.</summary>
    public GpioButtonOptions Help { get; set; } = new() { Pin = 17, Action = ActionIds.Help };

    /// <summary>Presses the screen's next language button.</summary>
    public GpioButtonOptions Language { get; set; } = new() { Pin = 27, Action = CurrentScreen.NextLanguage };

    /// <summary>Staff key (behind the terminal): staff are here, hand back to the patient.</summary>
    public GpioButtonOptions Staff { get; set; } = new() { Pin = 22, Action = ActionIds.StaffResume };

    /// <summary>The three buttons with their names (help, lang, staff as in pinmap.json).</summary>
    public IEnumerable<(string Name, GpioButtonOptions Button)> All() =>
        [("help", Help), ("lang", Language), ("staff", Staff)];
}

/// <summary>One GPIO button.</summary>
public sealed class GpioButtonOptions
{
    /// <summary>BCM GPIO number; -1 = not fitted.</summary>
    [Range(-1, 63)]
    public int Pin { get; set; } = -1;

    /// <summary>Pressed pulls the pin to GND (the internal pull-up is enabled); false: pressed is high (pull-down).</summary>
    public bool ActiveLow { get; set; } = true;

    /// <summary>The level must stay this long before a change counts.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:00:01")]
    public TimeSpan Debounce { get; set; } = TimeSpan.FromMilliseconds(30);

    /// <summary>The action id sent on press (<c>help</c>, <c>staff:resume</c>, <c>lang:next</c>, …).</summary>
    [Required]
    public string Action { get; set; } = string.Empty;
}
