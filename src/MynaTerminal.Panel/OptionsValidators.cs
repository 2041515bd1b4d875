using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using MynaTerminal.Core.Session;
using MynaTerminal.Panel.Input;
using MynaTerminal.Panel.Rendering;

namespace MynaTerminal.Panel;

/// <summary>
/// Checks <see cref="PanelOptions"/> beyond its attributes: the nested section of the chosen kind (DataAnnotations
/// do not recurse), the rotation, and distinct pins. Messages name the configuration key.
/// </summary>
public sealed class PanelOptionsValidator : IValidateOptions<PanelOptions>
{
    /// <summary>The header pins of SPI0 (CE1, MISO, MOSI, SCLK, CE0), which no button or control line may use.</summary>
    internal static readonly int[] Spi0Pins = [7, 8, 9, 10, 11];

    public ValidateOptionsResult Validate(string? name, PanelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (!Enum.IsDefined(options.Kind))
        {
            errors.Add($"Panel:Kind must be Png, SpiTft or Framebuffer (was {options.Kind}).");
        }

        if (options.Kind == PanelKind.SpiTft)
        {
            var tft = options.SpiTft;
            OptionsChecks.Annotations(tft, "Panel:SpiTft", errors);
            if (tft.Rotation is not (0 or 90 or 180 or 270))
            {
                errors.Add($"Panel:SpiTft:Rotation must be 0, 90, 180 or 270 (was {tft.Rotation}).");
            }

            if (!Enum.IsDefined(tft.Controller))
            {
                errors.Add($"Panel:SpiTft:Controller must be St7789, Ili9341 or St7796 (was {tft.Controller}).");
            }

            var pins = new[] { ("DataCommandPin", tft.DataCommandPin), ("ResetPin", tft.ResetPin), ("BacklightPin", tft.BacklightPin) }
                .Where(p => p.Item2 >= 0).ToArray();
            foreach (var group in pins.GroupBy(p => p.Item2).Where(g => g.Count() > 1))
            {
                errors.Add($"Panel:SpiTft: {string.Join(" and ", group.Select(p => p.Item1))} are both GPIO {group.Key}.");
            }

            foreach (var (key, pin) in pins.Where(p => tft.Bus == 0 && Spi0Pins.Contains(p.Item2)))
            {
                errors.Add($"Panel:SpiTft:{key} is GPIO {pin}, a pin of SPI0.");
            }
        }
        else if (options.Kind == PanelKind.Framebuffer)
        {
            OptionsChecks.Annotations(options.Framebuffer, "Panel:Framebuffer", errors);
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>
/// Checks <see cref="InputOptions"/>: nested sections, that touch has a panel to hit-test against, calibration,
/// keypad key names and actions, and button pins (distinct, not the TFT's).
/// </summary>
public sealed class InputOptionsValidator(IOptions<PanelOptions> panel) : IValidateOptions<InputOptions>
{
    public ValidateOptionsResult Validate(string? name, InputOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        var panelOptions = panel.Value;

        if (options.Touch.Enabled)
        {
            OptionsChecks.Annotations(options.Touch, "Input:Touch", errors);
            if (panelOptions.Kind is not (PanelKind.SpiTft or PanelKind.Framebuffer))
            {
                errors.Add("Input:Touch needs Panel:Kind SpiTft or Framebuffer: touches are hit-tested against the buttons the panel drew.");
            }

            CheckCalibration(options.Touch.Calibration, errors);
        }

        if (options.Keypad.Enabled)
        {
            OptionsChecks.Annotations(options.Keypad, "Input:Keypad", errors);
            foreach (var (key, action) in options.Keypad.Keys)
            {
                if (!EvdevCodes.TryParseKey(key, out _))
                {
                    errors.Add($"Input:Keypad:Keys:{key} is not a known key name ({string.Join(", ", EvdevCodes.KeyNames.Order(StringComparer.Ordinal))}).");
                }

                if (!string.IsNullOrEmpty(action) && !OptionsChecks.IsAction(action))
                {
                    errors.Add($"Input:Keypad:Keys:{key} = '{action}' is not an action id.");
                }
            }
        }

        if (options.Buttons.Enabled)
        {
            var fitted = options.Buttons.All().Where(b => b.Button.Pin >= 0).ToArray();
            foreach (var (key, button) in options.Buttons.All())
            {
                var prefix = $"Input:Buttons:{Capitalized(key)}";
                OptionsChecks.Annotations(button, prefix, errors);
                if (button.Pin >= 0 && !OptionsChecks.IsAction(button.Action))
                {
                    errors.Add($"{prefix}:Action '{button.Action}' is not an action id.");
                }
            }

            foreach (var group in fitted.GroupBy(b => b.Button.Pin).Where(g => g.Count() > 1))
            {
                errors.Add($"Input:Buttons: {string.Join(" and ", group.Select(b => b.Name))} are both GPIO {group.Key}.");
            }

            if (panelOptions.Kind == PanelKind.SpiTft)
            {
                var tft = panelOptions.SpiTft;
                var taken = new[] { tft.DataCommandPin, tft.ResetPin, tft.BacklightPin }.Concat(tft.Bus == 0 ? PanelOptionsValidator.Spi0Pins : []);
                foreach (var (key, button) in fitted.Where(b => taken.Contains(b.Button.Pin)))
                {
                    errors.Add($"Input:Buttons:{Capitalized(key)}:Pin is GPIO {button.Pin}, which the SPI TFT uses.");
                }
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static string Capitalized(string key) => key switch
    {
        "lang" => "Language",
        _ => char.ToUpperInvariant(key[0]) + key[1..],
    };

    private static void CheckCalibration(TouchCalibrationOptions calibration, List<string> errors)
    {
        if (calibration.Points is { } points)
        {
            if (points.Length != 3)
            {
                errors.Add($"Input:Touch:Calibration:Points needs exactly 3 points (has {points.Length}).");
            }
            else if (!TouchCalibration.TryFromPoints(points, out _))
            {
                errors.Add("Input:Touch:Calibration:Points lie on one line (raw or screen); touch three corners of a triangle.");
            }

            return;
        }

        if (calibration.RawMinX is { } minX && calibration.RawMaxX is { } maxX && minX >= maxX)
        {
            errors.Add($"Input:Touch:Calibration:RawMinX ({minX}) must be below RawMaxX ({maxX}); use InvertX for a reversed axis.");
        }

        if (calibration.RawMinY is { } minY && calibration.RawMaxY is { } maxY && minY >= maxY)
        {
            errors.Add($"Input:Touch:Calibration:RawMinY ({minY}) must be below RawMaxY ({maxY}); use InvertY for a reversed axis.");
        }
    }
}

internal static class OptionsChecks
{
    /// <summary>A session action id, or the language button's <see cref="CurrentScreen.NextLanguage"/>.</summary>
    public static bool IsAction(string id) => id == CurrentScreen.NextLanguage || ActionIds.ToEvent(id) is not null;

    /// <summary>The DataAnnotations of a nested options object, as "Prefix:Member message".</summary>
    public static void Annotations(object instance, string prefix, List<string> errors)
    {
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(instance, new ValidationContext(instance), results, validateAllProperties: true))
        {
            foreach (var result in results)
            {
                errors.Add($"{prefix}:{string.Join(",", result.MemberNames)}: {result.ErrorMessage}");
            }
        }
    }
}
