using System.Globalization;
using MynaTerminal.Panel.Rendering;
using MynaTerminal.Panel.Spi;
using MynaTerminal.Panel.Tests.Fakes;
using SkiaSharp;
using static MynaTerminal.Panel.Tests.Fakes.RecordingTft;

namespace MynaTerminal.Panel.Tests;

/// <summary>The SPI TFT protocol byte for byte, through a recording bus and pin set (no hardware).</summary>
public sealed class TftDriverTests
{
    [Fact]
    public async Task St7789_reset_and_init_trace_is_exact()
    {
        var tft = new RecordingTft();
        var driver = new TftDriver(new SpiTftOptions(), tft, tft, tft.Time);

        await driver.InitializeAsync(TestContext.Current.CancellationToken);

        // Defaults: D/C 25, RST 24, backlight 18 (active high), rotation 90, ST7789 → MADCTL MX|MV, RGB, INVON.
        string[] expected =
        [
            "gpio25=0", "gpio24=1", "gpio18=0",
            "gpio24=0", "wait 10", "gpio24=1", "wait 120",
            "gpio25=0", "C:01", "wait 150",
            "gpio25=0", "C:11", "wait 120",
            "gpio25=0", "C:3A", "gpio25=1", "D:55", "wait 10",
            "gpio25=0", "C:36", "gpio25=1", "D:60",
            "gpio25=0", "C:21",
            "gpio25=0", "C:13", "wait 10",
            "gpio25=0", "C:29", "wait 20",
        ];
        Assert.Equal(expected, Trace(tft));
    }

    [Fact]
    public async Task Ili9341_init_has_power_and_gamma_then_the_common_tail()
    {
        var tft = new RecordingTft();
        var options = new SpiTftOptions { Controller = TftController.Ili9341, Rotation = 0, ResetPin = -1, BacklightPin = -1 };
        await new TftDriver(options, tft, tft, tft.Time).InitializeAsync(TestContext.Current.CancellationToken);

        string[] expected =
        [
            "01", "C0 23", "C1 10", "C5 3E 28", "C7 86", "B1 00 18", "B6 08 82 27", "26 01",
            "E0 0F 31 2B 0C 0E 08 4E F1 37 07 10 03 0E 09 00",
            "E1 00 0E 14 03 11 07 31 C1 48 08 0F 0C 31 36 0F",
            "11", "3A 55", "36 48", "20", "13", "29",
        ];
        Assert.Equal(expected, tft.Commands().Select(Hex));
        // No reset line: only the software reset; no backlight line: never touched.
        Assert.DoesNotContain(tft.Log.OfType<PinSet>(), p => p.Pin is 24 or 18);
        Assert.Equal([150, 120, 10, 10, 20], tft.Log.OfType<Waited>().Select(w => (int)w.Delay.TotalMilliseconds));
    }

    [Theory]
    [InlineData(TftController.St7789, 0, null, 0x00)]
    [InlineData(TftController.St7789, 90, null, 0x60)]
    [InlineData(TftController.St7789, 180, null, 0xC0)]
    [InlineData(TftController.St7789, 270, null, 0xA0)]
    [InlineData(TftController.St7789, 90, ColorOrder.Bgr, 0x68)]
    [InlineData(TftController.Ili9341, 0, null, 0x48)]
    [InlineData(TftController.Ili9341, 90, null, 0x28)]
    [InlineData(TftController.Ili9341, 180, null, 0x88)]
    [InlineData(TftController.Ili9341, 270, null, 0xE8)]
    [InlineData(TftController.Ili9341, 270, ColorOrder.Rgb, 0xE0)]
    [InlineData(TftController.St7796, 90, null, 0x28)]
    public void Madctl_per_controller_rotation_and_colour_order(TftController controller, int rotation, ColorOrder? order, int expected)
    {
        var options = new SpiTftOptions { Controller = controller, Rotation = rotation, ColorOrder = order };
        Assert.Equal((byte)expected, TftDriver.Madctl(options));
    }

    [Fact]
    public void Madctl_override_replaces_the_table()
    {
        Assert.Equal(0xC8, TftDriver.Madctl(new SpiTftOptions { MadctlOverride = 0xC8, Rotation = 90 }));
    }

    [Theory]
    [InlineData(TftController.St7789, null, 0x21)]
    [InlineData(TftController.St7789, false, 0x20)]
    [InlineData(TftController.Ili9341, null, 0x20)]
    [InlineData(TftController.St7796, true, 0x21)]
    public void Inversion_defaults_per_controller_and_can_be_set(TftController controller, bool? invert, int command)
    {
        var steps = TftDriver.InitSequence(new SpiTftOptions { Controller = controller, Invert = invert });
        Assert.Contains(steps, s => s.Command == command);
        Assert.DoesNotContain(steps, s => s.Command == (command == 0x21 ? 0x20 : 0x21));
    }

    [Theory]
    // native size, rotation → frame, CASET and RASET parameters, pixel bytes
    [InlineData(TftController.Ili9341, 240, 320, 0, 240, 320, "00 00 00 EF", "00 00 01 3F")]
    [InlineData(TftController.Ili9341, 240, 320, 90, 320, 240, "00 00 01 3F", "00 00 00 EF")]
    [InlineData(TftController.St7789, 240, 320, 270, 320, 240, "00 00 01 3F", "00 00 00 EF")]
    [InlineData(TftController.St7796, 320, 480, 0, 320, 480, "00 00 01 3F", "00 00 01 DF")]
    [InlineData(TftController.St7796, 320, 480, 90, 480, 320, "00 00 01 DF", "00 00 01 3F")]
    public async Task Full_frame_window_for_each_size_and_rotation(TftController controller, int width, int height, int rotation, int frameWidth, int frameHeight, string caset, string raset)
    {
        var tft = new RecordingTft();
        var options = new SpiTftOptions { Controller = controller, Width = width, Height = height, Rotation = rotation };
        using var display = new SpiTftDisplay(options, tft, tft, current: null, time: tft.Time);
        Assert.Equal((frameWidth, frameHeight), (display.Width, display.Height));
        await display.InitializeAsync(TestContext.Current.CancellationToken);
        tft.Clear();

        using var frame = Solid(frameWidth, frameHeight, SKColors.Black);
        await display.ShowBitmapAsync(frame, TestContext.Current.CancellationToken);

        var commands = tft.Commands();
        Assert.Equal([0x2A, 0x2B, 0x2C], commands.Select(c => c.Command));
        Assert.Equal(caset, Hex(commands[0].Data));
        Assert.Equal(raset, Hex(commands[1].Data));
        Assert.Equal(frameWidth * frameHeight * 2, commands[2].Data.Length);
    }

    [Fact]
    public void Window_addresses_add_the_module_offsets()
    {
        var tft = new RecordingTft();
        var options = new SpiTftOptions { Width = 240, Height = 240, Rotation = 180, ColumnOffset = 0, RowOffset = 80 };
        var driver = new TftDriver(options, tft, tft, tft.Time);
        tft.OpenOutput(25, false);

        driver.SetWindow(10, 0, 239, 239);

        Assert.Equal(["2A 00 0A 00 EF", "2B 00 50 01 3F"], tft.Commands().Select(Hex));
        Assert.Throws<ArgumentOutOfRangeException>(() => driver.SetWindow(0, 0, 240, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => driver.SetWindow(5, 0, 4, 10));
    }

    [Fact]
    public async Task Known_colours_go_out_as_big_endian_rgb565()
    {
        var tft = new RecordingTft();
        var options = new SpiTftOptions { Width = 16, Height = 16, Rotation = 0 };
        using var display = new SpiTftDisplay(options, tft, tft, time: tft.Time);
        using var frame = Solid(16, 16, SKColors.Black);
        SKColor[] colours = [new(255, 0, 0), new(0, 255, 0), new(0, 0, 255), new(255, 255, 255), new(0x12, 0x34, 0x56), new(0x07, 0x03, 0x07)];
        for (var i = 0; i < colours.Length; i++)
        {
            frame.SetPixel(i, 0, colours[i]);
        }

        await display.ShowBitmapAsync(frame, TestContext.Current.CancellationToken);

        var pixels = tft.Commands().Last(c => c.Command == 0x2C).Data;
        Assert.Equal("F8 00 07 E0 00 1F FF FF 11 AA 00 00 00 00", Hex(pixels[..14]));
    }

    [Theory]
    [InlineData(4096)]
    [InlineData(1000)]
    [InlineData(64)]
    public async Task Pixels_are_sent_in_transfers_no_larger_than_the_limit(int limit)
    {
        var tft = new RecordingTft();
        var options = new SpiTftOptions { MaxTransferBytes = limit };
        using var display = new SpiTftDisplay(options, tft, tft, time: tft.Time);
        await display.InitializeAsync(TestContext.Current.CancellationToken);
        tft.Clear();

        using var frame = Gradient(display.Width, display.Height);
        await display.ShowBitmapAsync(frame, TestContext.Current.CancellationToken);

        var afterRamwr = tft.Writes.SkipWhile(w => w.DataCommand || w.Bytes is not [0x2C]).Skip(1).ToArray();
        var total = 320 * 240 * 2;
        Assert.All(afterRamwr, w => Assert.True(w.DataCommand));
        Assert.Equal((total + limit - 1) / limit, afterRamwr.Length);
        Assert.All(afterRamwr[..^1], w => Assert.Equal(limit, w.Bytes.Length));
        Assert.Equal(total, afterRamwr.Sum(w => w.Bytes.Length));
        Assert.All(tft.Writes, w => Assert.True(w.Bytes.Length <= limit));

        // The concatenated transfers are exactly the converted frame.
        var expected = new byte[total];
        PixelConverter.ToRgb565BigEndian(frame.GetPixelSpan(), expected);
        Assert.Equal(expected, afterRamwr.SelectMany(w => w.Bytes).ToArray());
    }

    [Fact]
    public async Task Partial_update_sends_only_the_rows_that_changed_and_nothing_for_the_same_frame()
    {
        var tft = new RecordingTft();
        using var display = new SpiTftDisplay(new SpiTftOptions(), tft, tft, time: tft.Time);
        using var frame = Gradient(display.Width, display.Height);
        await display.ShowBitmapAsync(frame, TestContext.Current.CancellationToken);

        tft.Clear();
        await display.ShowBitmapAsync(frame, TestContext.Current.CancellationToken);
        Assert.Empty(tft.Log);

        frame.SetPixel(5, 10, SKColors.Red);
        frame.SetPixel(300, 12, SKColors.Blue);
        await display.ShowBitmapAsync(frame, TestContext.Current.CancellationToken);
        var commands = tft.Commands();
        Assert.Equal(["2A 00 00 01 3F", "2B 00 0A 00 0C"], commands.Take(2).Select(Hex));
        Assert.Equal(3 * 320 * 2, commands[2].Data.Length);
    }

    [Fact]
    public async Task Without_partial_update_every_frame_is_whole()
    {
        var tft = new RecordingTft();
        using var display = new SpiTftDisplay(new SpiTftOptions { PartialUpdate = false }, tft, tft, time: tft.Time);
        using var frame = Gradient(display.Width, display.Height);
        await display.ShowBitmapAsync(frame, TestContext.Current.CancellationToken);
        tft.Clear();

        await display.ShowBitmapAsync(frame, TestContext.Current.CancellationToken);

        Assert.Equal(320 * 240 * 2, tft.Commands().Single(c => c.Command == 0x2C).Data.Length);
    }

    [Fact]
    public async Task Backlight_comes_on_after_the_first_frame_and_goes_off_on_dispose()
    {
        var tft = new RecordingTft();
        var display = new SpiTftDisplay(new SpiTftOptions(), tft, tft, time: tft.Time);
        using var frame = Solid(display.Width, display.Height, SKColors.White);

        await display.ShowBitmapAsync(frame, TestContext.Current.CancellationToken);

        var log = tft.Log;
        var backlightOn = log.FindIndex(e => e is PinSet { Pin: 18, High: true });
        var lastPixels = log.FindLastIndex(e => e is SpiWrite { DataCommand: true });
        Assert.True(backlightOn > lastPixels, "the backlight must come on after the pixels are in the controller's RAM");

        tft.Clear();
        display.Dispose();
        Assert.Equal([new PinSet(18, false)], tft.Log.OfType<PinSet>().Where(p => p.Pin == 18));
        Assert.Equal([0x28, 0x10], tft.Commands().Select(c => c.Command));
        Assert.Empty(tft.OpenPins);
        Assert.True(tft.Disposed);
    }

    [Fact]
    public async Task A_screen_is_drawn_at_the_rotated_size_and_published_with_its_buttons()
    {
        var tft = new RecordingTft();
        var current = new CurrentScreen();
        using var display = new SpiTftDisplay(new SpiTftOptions(), tft, tft, current: current, time: tft.Time);
        var screen = TestScreens.MethodChoice();

        await display.ShowAsync(screen, TestContext.Current.CancellationToken);

        Assert.Same(screen, current.Screen);
        Assert.Equal((320, 240), current.Size);
        Assert.Equal(screen.Buttons.Select(b => b.Id), current.Buttons.Select(b => b.Id));
        Assert.Equal(320 * 240 * 2, tft.Commands().Single(c => c.Command == 0x2C).Data.Length);
    }

    [Fact]
    public async Task A_bitmap_of_the_wrong_size_is_refused()
    {
        var tft = new RecordingTft();
        using var display = new SpiTftDisplay(new SpiTftOptions(), tft, tft, time: tft.Time);
        using var portrait = Solid(240, 320, SKColors.Black);
        await Assert.ThrowsAsync<ArgumentException>(() => display.ShowBitmapAsync(portrait, TestContext.Current.CancellationToken));
    }

    internal static SKBitmap Solid(int width, int height, SKColor colour)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        bitmap.Erase(colour);
        return bitmap;
    }

    internal static SKBitmap Gradient(int width, int height)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var pixels = bitmap.GetPixelSpan();
        for (var i = 0; i < width * height; i++)
        {
            pixels[(i * 4) + 0] = (byte)(i % width);
            pixels[(i * 4) + 1] = (byte)(i / width);
            pixels[(i * 4) + 2] = (byte)(i * 7);
            pixels[(i * 4) + 3] = 255;
        }

        return bitmap;
    }

    private static string Hex(byte[] bytes) => string.Join(" ", bytes.Select(b => b.ToString("X2", CultureInfo.InvariantCulture)));

    private static string Hex((byte Command, byte[] Data) command) => string.Join(" ", new[] { command.Command }.Concat(command.Data).Select(b => b.ToString("X2", CultureInfo.InvariantCulture)));

    private static IEnumerable<string> Trace(RecordingTft tft) => tft.Log.Select(e => e switch
    {
        PinSet p => $"gpio{p.Pin}={(p.High ? 1 : 0)}",
        SpiWrite w => (w.DataCommand ? "D:" : "C:") + Hex(w.Bytes),
        Waited d => $"wait {d.Delay.TotalMilliseconds}",
        _ => e.ToString()!,
    });
}
