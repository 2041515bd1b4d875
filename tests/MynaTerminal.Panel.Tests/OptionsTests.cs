using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Session;
using MynaTerminal.Panel.Framebuffer;
using MynaTerminal.Panel.Gpio;
using MynaTerminal.Panel.Input;
using MynaTerminal.Panel.Rendering;
using MynaTerminal.Panel.Spi;
using MynaTerminal.Panel.Tests.Fakes;

namespace MynaTerminal.Panel.Tests;

public sealed class OptionsTests
{
    [Fact]
    public void Default_options_agree_with_the_pin_map()
    {
        using var pinmap = JsonDocument.Parse(File.ReadAllText(RepoFiles.Find("hardware/pinmap.json")));
        var root = pinmap.RootElement;
        Assert.Equal("bcm", root.GetProperty("numbering").GetString());
        Assert.Equal(new GpioOptions().Chip, root.GetProperty("gpioChip").GetInt32());

        var spi = root.GetProperty("spiDisplay");
        var tft = new PanelOptions().SpiTft;
        Assert.Equal(spi.GetProperty("bus").GetInt32(), tft.Bus);
        Assert.Equal(spi.GetProperty("chipSelect").GetInt32(), tft.ChipSelect);
        Assert.Equal(spi.GetProperty("clockHz").GetInt32(), tft.ClockHz);
        Assert.Equal(spi.GetProperty("dataCommand").GetInt32(), tft.DataCommandPin);
        Assert.Equal(spi.GetProperty("reset").GetInt32(), tft.ResetPin);
        Assert.Equal(spi.GetProperty("backlight").GetInt32(), tft.BacklightPin);
        Assert.Equal(spi.GetProperty("backlightActiveHigh").GetBoolean(), tft.BacklightActiveHigh);
        Assert.Equal(spi.GetProperty("controller").GetString(), tft.Controller.ToString(), StringComparer.OrdinalIgnoreCase);
        Assert.Equal(spi.GetProperty("width").GetInt32(), tft.Width);
        Assert.Equal(spi.GetProperty("height").GetInt32(), tft.Height);
        Assert.Equal(spi.GetProperty("rotation").GetInt32(), tft.Rotation);

        var defaults = new GpioButtonsOptions().All().ToDictionary(b => b.Name, b => b.Button);
        var mapped = root.GetProperty("buttons").EnumerateArray().ToArray();
        Assert.Equal(defaults.Keys.Order(), mapped.Select(b => b.GetProperty("id").GetString()!).Order());
        foreach (var button in mapped)
        {
            var options = defaults[button.GetProperty("id").GetString()!];
            Assert.Equal(button.GetProperty("pin").GetInt32(), options.Pin);
            Assert.Equal(button.GetProperty("activeLow").GetBoolean(), options.ActiveLow);
            Assert.Equal("up", button.GetProperty("pull").GetString());
            Assert.Equal(TimeSpan.FromMilliseconds(button.GetProperty("debounceMs").GetInt32()), options.Debounce);
            Assert.Equal(button.GetProperty("action").GetString(), options.Action);
        }

        // The pin map's own consistency: no GPIO used twice, none on SPI0.
        var touch = root.GetProperty("spiTouch");
        Assert.Equal(1, touch.GetProperty("chipSelect").GetInt32()); // CE1: the TFT has CE0
        Assert.Contains($"penirq={touch.GetProperty("penIrq").GetInt32()}", touch.GetProperty("overlay").GetString(), StringComparison.Ordinal);
        var pins = new[] { spi.GetProperty("dataCommand").GetInt32(), spi.GetProperty("reset").GetInt32(), spi.GetProperty("backlight").GetInt32(), touch.GetProperty("penIrq").GetInt32() }
            .Concat(mapped.Select(b => b.GetProperty("pin").GetInt32()))
            .Concat(root.GetProperty("leds").EnumerateArray().Select(l => l.GetProperty("pin").GetInt32())).ToArray();
        Assert.Equal(pins.Length, pins.Distinct().Count());
        Assert.DoesNotContain(pins, p => p is >= 7 and <= 11);
    }

    [Fact]
    public void The_default_options_are_valid()
    {
        Assert.True(Validate(new PanelOptions { Kind = PanelKind.SpiTft }).Succeeded);
        Assert.True(Validate(new PanelOptions { Kind = PanelKind.Framebuffer }).Succeeded);
        var input = new InputOptions { Touch = { Enabled = true }, Keypad = { Enabled = true }, Buttons = { Enabled = true } };
        Assert.True(Validate(input, new PanelOptions { Kind = PanelKind.SpiTft }).Succeeded);
    }

    [Fact]
    public void Panel_mistakes_name_the_key()
    {
        var options = new PanelOptions { Kind = PanelKind.SpiTft, SpiTft = { Rotation = 45, ResetPin = 25, BacklightPin = 10, ClockHz = 5 } };
        var failures = Validate(options).Failures!.ToArray();
        Assert.Contains(failures, f => f.Contains("Panel:SpiTft:Rotation must be 0, 90, 180 or 270 (was 45)", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("DataCommandPin and ResetPin are both GPIO 25", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Panel:SpiTft:BacklightPin is GPIO 10, a pin of SPI0", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Panel:SpiTft:ClockHz", StringComparison.Ordinal));
        Assert.Contains(Validate(new PanelOptions { Kind = PanelKind.Framebuffer, Framebuffer = { Device = "" } }).Failures!, f => f.StartsWith("Panel:Framebuffer:Device", StringComparison.Ordinal));
    }

    [Fact]
    public void Input_mistakes_name_the_key()
    {
        var touchWithoutPanel = Validate(new InputOptions { Touch = { Enabled = true } }, new PanelOptions());
        Assert.Contains(touchWithoutPanel.Failures!, f => f.StartsWith("Input:Touch needs Panel:Kind SpiTft or Framebuffer", StringComparison.Ordinal));

        var input = new InputOptions
        {
            Touch = { Enabled = true, Calibration = { RawMinX = 100, RawMaxX = 50 } },
            Keypad = { Enabled = true, Keys = { ["KEY_FOO"] = "help", ["KEY_KP5"] = "dance" } },
            Buttons = { Enabled = true, Language = { Pin = 17, Action = CurrentScreen.NextLanguage }, Staff = { Pin = 25, Action = "staff:resume" } },
        };
        var failures = Validate(input, new PanelOptions { Kind = PanelKind.SpiTft }).Failures!.ToArray();
        Assert.Contains(failures, f => f.StartsWith("Input:Touch:Calibration:RawMinX (100) must be below RawMaxX (50)", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Input:Keypad:Keys:KEY_FOO is not a known key name", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Input:Keypad:Keys:KEY_KP5 = 'dance' is not an action id", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Input:Buttons: help and lang are both GPIO 17", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Input:Buttons:Staff:Pin is GPIO 25, which the SPI TFT uses", StringComparison.Ordinal));

        CalibrationPoint P(double x, double y) => new() { RawX = x, RawY = y, ScreenX = x, ScreenY = y };
        var collinear = new InputOptions { Touch = { Enabled = true, Calibration = { Points = [P(0, 0), P(1, 1), P(2, 2)] } } };
        Assert.Contains(Validate(collinear, new PanelOptions { Kind = PanelKind.Framebuffer }).Failures!, f => f.Contains("lie on one line", StringComparison.Ordinal));
        var two = new InputOptions { Touch = { Enabled = true, Calibration = { Points = [P(0, 0), P(1, 0)] } } };
        Assert.Contains(Validate(two, new PanelOptions { Kind = PanelKind.Framebuffer }).Failures!, f => f.Contains("exactly 3 points (has 2)", StringComparison.Ordinal));
    }

    [Fact]
    public void Configuration_binds_and_keypad_keys_merge_into_the_defaults()
    {
        var configuration = Configuration(new()
        {
            ["Panel:Kind"] = "SpiTft",
            ["Panel:SpiTft:Controller"] = "Ili9341",
            ["Panel:SpiTft:Rotation"] = "270",
            ["Panel:SpiTft:ColorOrder"] = "Rgb",
            ["Input:Keypad:Enabled"] = "true",
            ["Input:Keypad:Keys:KEY_KPPLUS"] = "consent:all",
            ["Input:Keypad:Keys:KEY_KPMINUS"] = "",
            ["Input:Buttons:Staff:Action"] = "staff:approve",
            ["Input:Buttons:Help:Debounce"] = "00:00:00.050",
            ["Input:LanguageCycle:0"] = "en",
            ["Input:LanguageCycle:1"] = "ja",
            ["Gpio:Chip"] = "4",
        });
        using var provider = new ServiceCollection().AddPanel(configuration).BuildServiceProvider();

        var panel = provider.GetRequiredService<IOptions<PanelOptions>>().Value;
        Assert.Equal((PanelKind.SpiTft, TftController.Ili9341, 270, ColorOrder.Rgb), (panel.Kind, panel.SpiTft.Controller, panel.SpiTft.Rotation, panel.SpiTft.ColorOrder));
        var input = provider.GetRequiredService<IOptions<InputOptions>>().Value;
        Assert.Equal("consent:all", input.Keypad.Keys["KEY_KPPLUS"]);
        Assert.Equal(ActionIds.Digit(5), input.Keypad.Keys["KEY_KP5"]); // defaults kept
        Assert.False(KeypadInput.KeyMap(input.Keypad.Keys).ContainsKey(EvdevCodes.KEY_KPMINUS));
        Assert.Equal(("staff:approve", 22), (input.Buttons.Staff.Action, input.Buttons.Staff.Pin));
        Assert.Equal(TimeSpan.FromMilliseconds(50), input.Buttons.Help.Debounce);
        Assert.Equal(["en", "ja"], input.Languages);
        Assert.Equal(4, provider.GetRequiredService<IOptions<GpioOptions>>().Value.Chip);
    }

    [Fact]
    public void Png_registers_no_display_and_an_empty_input()
    {
        using var provider = new ServiceCollection().AddPanel(Configuration([])).BuildServiceProvider();
        Assert.Null(provider.GetService<IDisplay>());
        Assert.Null(provider.GetService<IGpioPins>());
        Assert.Empty(provider.GetRequiredService<CompositeInput>().Devices);
        Assert.Null(provider.GetService<IInputDevice>()); // the lead decides how to merge with the simulator
    }

    [Fact]
    public void SpiTft_registers_the_tft_as_the_display_and_fails_clearly_without_the_hardware()
    {
        var configuration = Configuration(new() { ["Panel:Kind"] = "SpiTft", ["Input:Buttons:Enabled"] = "true" });
        var services = new ServiceCollection().AddPanel(configuration);
        Assert.Contains(services, d => d.ServiceType == typeof(IDisplay));
        Assert.Contains(services, d => d.ServiceType == typeof(SpiTftDisplay));
        Assert.Contains(services, d => d.ServiceType == typeof(GpioButtonInput));
        using var provider = services.BuildServiceProvider();

        // No /dev/gpiochip* or /dev/spidev* here: the message says what to do.
        var error = Assert.Throws<PanelDeviceException>(() => provider.GetRequiredService<IDisplay>());
        Assert.Matches("gpiochip0|spidev0.0", error.Message);
    }

    [Fact]
    public async Task Framebuffer_registers_the_framebuffer_display_and_touch()
    {
        var configuration = Configuration(new()
        {
            ["Panel:Kind"] = "Framebuffer",
            ["Panel:Framebuffer:Device"] = "/nonexistent/fb9",
            ["Input:Touch:Enabled"] = "true",
            ["Input:Keypad:Enabled"] = "true",
        });
        using var provider = new ServiceCollection().AddPanel(configuration).BuildServiceProvider();

        var display = provider.GetRequiredService<IDisplay>();
        Assert.IsType<FramebufferDisplay>(display);
        Assert.Same(provider.GetRequiredService<FramebufferDisplay>(), display);
        Assert.Equal([typeof(TouchInput), typeof(KeypadInput)], provider.GetRequiredService<CompositeInput>().Devices.Select(d => d.GetType()));
        var error = await Assert.ThrowsAsync<PanelDeviceException>(() => display.ShowAsync(TestScreens.Pin(), TestContext.Current.CancellationToken));
        Assert.StartsWith("No framebuffer at /nonexistent/fb9", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_configuration_stops_at_validation_naming_the_key()
    {
        var configuration = Configuration(new() { ["Panel:Kind"] = "SpiTft", ["Panel:SpiTft:Rotation"] = "45", ["Input:Touch:Enabled"] = "true", ["Panel:Framebuffer:Device"] = "x" });
        using var provider = new ServiceCollection().AddPanel(configuration).BuildServiceProvider();
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<PanelOptions>>().Value);
        Assert.Contains("Panel:SpiTft:Rotation", error.Message, StringComparison.Ordinal);

        var badKind = Configuration(new() { ["Panel:Kind"] = "Hologram" });
        using var badProvider = new ServiceCollection().AddPanel(badKind).BuildServiceProvider();
        Assert.Null(badProvider.GetService<IDisplay>());
        Assert.Throws<InvalidOperationException>(() => badProvider.GetRequiredService<IOptions<PanelOptions>>().Value);
    }

    private static ValidateOptionsResult Validate(PanelOptions options) => new PanelOptionsValidator().Validate(null, options);

    private static ValidateOptionsResult Validate(InputOptions options, PanelOptions panel) =>
        new InputOptionsValidator(Options.Create(panel)).Validate(null, options);

    private static IConfiguration Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
