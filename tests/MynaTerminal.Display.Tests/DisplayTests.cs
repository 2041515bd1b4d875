using MynaTerminal.Core.Devices;
using SkiaSharp;

namespace MynaTerminal.Display.Tests;

public sealed class DisplayTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("myna-display-");

    public void Dispose() => _folder.Delete(recursive: true);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Png_folder_display_writes_current_png_and_a_numbered_history()
    {
        var options = new DisplayOptions { OutputFolder = _folder.FullName };
        using (var display = new PngFolderDisplay(options))
        {
            await display.ShowAsync(ScreenComposer.Compose(Snapshots.All["idle"]), Token);
            await display.ShowAsync(ScreenComposer.Compose(Snapshots.All["pin-empty"]), Token);

            using var current = SKBitmap.Decode(display.CurrentPath);
            Assert.NotNull(current);
            Assert.Equal(800, current.Width);
            Assert.Equal(480, current.Height);
            Assert.Equal(File.ReadAllBytes(display.CurrentPath), File.ReadAllBytes(Path.Combine(_folder.FullName, "0002-pin.png")));
        }

        Assert.Equal(["0001-idle.png", "0002-pin.png", "current.png"], FileNames());

        // The same frame again is not written; a new display continues the numbering.
        using (var display = new PngFolderDisplay(options))
        {
            await display.ShowAsync(ScreenComposer.Compose(Snapshots.All["failed-TimedOut"]), Token);
            await display.ShowAsync(ScreenComposer.Compose(Snapshots.All["failed-TimedOut"]), Token);
        }

        Assert.Equal(["0001-idle.png", "0002-pin.png", "0003-failed-timed-out.png", "current.png"], FileNames());
    }

    [Fact]
    public async Task Without_history_only_current_png_is_written()
    {
        using var display = new PngFolderDisplay(new DisplayOptions { OutputFolder = _folder.FullName, KeepHistory = false, Width = 320, Height = 240 });
        await display.ShowAsync(ScreenComposer.Compose(Snapshots.All["reading"]), Token);
        await display.ShowAsync(ScreenComposer.Compose(Snapshots.All["done-greeting"]), Token);

        Assert.Equal(["current.png"], FileNames());
        using var current = SKBitmap.Decode(display.CurrentPath);
        Assert.Equal(320, current.Width);
    }

    [Fact]
    public void Png_folder_display_needs_a_folder()
    {
        Assert.ThrowsAny<ArgumentException>(() => new PngFolderDisplay(new DisplayOptions()));
    }

    [Fact]
    public async Task Console_display_writes_the_plain_text()
    {
        using var writer = new StringWriter();
        var screen = ScreenComposer.Compose(Snapshots.All["done-greeting"]);
        await new ConsoleDisplay(writer).ShowAsync(screen, Token);
        Assert.Equal(screen.ToPlainText() + writer.NewLine, writer.ToString());
    }

    [Fact]
    public async Task Composite_display_shows_on_all_even_when_one_fails()
    {
        var first = new RecordingDisplay();
        var last = new RecordingDisplay();
        var composite = new CompositeDisplay(first, new FailingDisplay(), last);
        var screen = ScreenComposer.Compose(Snapshots.All["idle"]);

        await Assert.ThrowsAsync<IOException>(() => composite.ShowAsync(screen, Token));
        Assert.Same(screen, Assert.Single(first.Shown));
        Assert.Same(screen, Assert.Single(last.Shown));
    }

    private string[] FileNames() =>
        _folder.EnumerateFiles().Select(f => f.Name).Order(StringComparer.Ordinal).ToArray();

    private sealed class RecordingDisplay : IDisplay
    {
        public List<Screen> Shown { get; } = [];

        public Task ShowAsync(Screen screen, CancellationToken cancellationToken)
        {
            Shown.Add(screen);
            return Task.CompletedTask;
        }
    }

    private sealed class FailingDisplay : IDisplay
    {
        public Task ShowAsync(Screen screen, CancellationToken cancellationToken) => Task.FromException(new IOException("panel unplugged"));
    }
}
