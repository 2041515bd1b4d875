using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using MynaTerminal.Display;
using SkiaSharp;

namespace MynaTerminal.Cli;

/// <summary>
/// <c>mynaterm screens bench</c>: time to lay out and draw each patient screen (<see cref="ScreenGallery"/>) at a
/// panel size, median and p95 over many frames after a warm-up, both into a panel bitmap (what the SPI /
/// framebuffer displays do) and with PNG encoding (what the PNG folder display does). A measurement, not a test.
/// </summary>
public static class ScreensCommand
{
    public static Command Create()
    {
        var size = new Option<string>("--size") { Description = "Frame size WIDTHxHEIGHT.", DefaultValueFactory = _ => "480x800" };
        var language = new Option<string>("--language") { Description = "Screen language (ja, ja-easy, en, zh-Hans, ko, vi).", DefaultValueFactory = _ => "ja" };
        var frames = new Option<int>("--frames") { Description = "Timed frames per screen (after 10 warm-up frames).", DefaultValueFactory = _ => 200 };
        var png = new Option<bool>("--png") { Description = "Also time PNG encoding (Render) besides drawing into a bitmap (RenderTo)." };
        var bench = new Command("bench", "Measure render time per screen (target: median ≤ 15 ms at 480x800).") { size, language, frames, png };
        bench.Action = new UsageAwareAction((parse, _) => Task.FromResult(Bench(parse.GetValue(size)!, parse.GetValue(language)!, parse.GetValue(frames), parse.GetValue(png), Console.Out)));
        return new Command("screens", "Patient screen tools.") { bench };
    }

    public static int Bench(string size, string language, int frames, bool png, TextWriter output)
    {
        var parts = size.Split('x', 'X', '×');
        if (parts.Length != 2 || !int.TryParse(parts[0], CultureInfo.InvariantCulture, out var width) || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out var height)
            || width < 16 || height < 16 || frames < 1)
        {
            output.WriteLine("error: --size must be WIDTHxHEIGHT (at least 16x16) and --frames at least 1");
            return UsageAwareAction.ExitUsage;
        }

        using var renderer = new PngScreenRenderer(width, height);
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        output.WriteLine($"screens bench: {width}x{height}, {language}, {frames} frames per screen, font {renderer.FontFamily} ({renderer.FontPath ?? "default"})");
        output.WriteLine(png ? $"{"screen",-32} {"draw p50",9} {"draw p95",9} {"png p50",9} {"png p95",9}  (ms)" : $"{"screen",-32} {"draw p50",9} {"draw p95",9}  (ms)");
        var medians = new List<double>();
        var pngMedians = new List<double>();
        foreach (var (name, screen) in ScreenGallery.Screens(language))
        {
            var draw = Time(() => renderer.RenderTo(screen, bitmap), frames);
            medians.Add(draw.P50);
            if (png)
            {
                var encoded = Time(() => renderer.Render(screen), frames);
                pngMedians.Add(encoded.P50);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-32} {draw.P50,9:0.000} {draw.P95,9:0.000} {encoded.P50,9:0.000} {encoded.P95,9:0.000}"));
            }
            else
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-32} {draw.P50,9:0.000} {draw.P95,9:0.000}"));
            }
        }

        var summary = string.Create(CultureInfo.InvariantCulture, $"median of screen medians: draw {Median(medians):0.000} ms, slowest screen {medians.Max():0.000} ms");
        if (png)
        {
            summary += string.Create(CultureInfo.InvariantCulture, $"; with PNG {Median(pngMedians):0.000} ms, slowest {pngMedians.Max():0.000} ms");
        }

        output.WriteLine(summary);
        return 0;
    }

    private static (double P50, double P95) Time(Action render, int frames)
    {
        for (var i = 0; i < 10; i++)
        {
            render();
        }

        var times = new double[frames];
        for (var i = 0; i < frames; i++)
        {
            var start = Stopwatch.GetTimestamp();
            render();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Array.Sort(times);
        return (times[frames / 2], times[Math.Min(frames - 1, (int)(frames * 0.95))]);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }
}
