using System.Globalization;
using System.Text;
using MynaTerminal.Core.Devices;

namespace MynaTerminal.Display;

/// <summary>
/// The simulated screen: each shown screen is drawn to <c>current.png</c> in <see cref="DisplayOptions.OutputFolder"/>
/// (written to a temporary file, then moved over the old one, so a reader never sees half a PNG) and, with
/// <see cref="DisplayOptions.KeepHistory"/>, also kept as <c>NNNN-&lt;screenId&gt;.png</c>. A frame identical to the
/// previous one is not written again. Numbering continues after the highest number already in the folder.
/// </summary>
public sealed class PngFolderDisplay : IDisplay, IDisposable
{
    /// <summary>The file name of the latest frame.</summary>
    public const string CurrentFileName = "current.png";

    private const string TempFileName = ".current.png.tmp";

    private readonly DisplayOptions _options;
    private readonly PngScreenRenderer _renderer;
    private readonly bool _ownsRenderer;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private byte[]? _lastFrame;
    private int _sequence;

    /// <summary>Creates the display and its folder.</summary>
    /// <param name="options">Folder, size and history settings.</param>
    /// <param name="renderer">A renderer to share; null creates one from <paramref name="options"/> (and disposes it).</param>
    public PngFolderDisplay(DisplayOptions options, PngScreenRenderer? renderer = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.OutputFolder, $"{nameof(options)}.{nameof(DisplayOptions.OutputFolder)}");
        _options = options;
        _ownsRenderer = renderer is null;
        _renderer = renderer ?? new PngScreenRenderer(options);
        Directory.CreateDirectory(options.OutputFolder);
        _sequence = HighestHistoryNumber(options.OutputFolder);
    }

    /// <summary>Full path of <c>current.png</c>.</summary>
    public string CurrentPath => Path.Combine(_options.OutputFolder, CurrentFileName);

    /// <summary>The renderer in use (for <see cref="PngScreenRenderer.HasJapaneseFont"/>).</summary>
    public PngScreenRenderer Renderer => _renderer;

    /// <inheritdoc />
    public async Task ShowAsync(Screen screen, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(screen);
        var frame = _renderer.Render(screen);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_lastFrame is not null && frame.AsSpan().SequenceEqual(_lastFrame))
            {
                return;
            }

            var temp = Path.Combine(_options.OutputFolder, TempFileName);
            await WriteFileAsync(temp, frame, cancellationToken).ConfigureAwait(false);
            File.Move(temp, CurrentPath, overwrite: true);

            if (_options.KeepHistory)
            {
                _sequence++;
                var name = $"{_sequence.ToString("D4", CultureInfo.InvariantCulture)}-{SafeName(screen.Id)}.png";
                await WriteFileAsync(Path.Combine(_options.OutputFolder, name), frame, cancellationToken).ConfigureAwait(false);
            }

            _lastFrame = frame;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Disposes the renderer when this display created it.</summary>
    public void Dispose()
    {
        if (_ownsRenderer)
        {
            _renderer.Dispose();
        }

        _gate.Dispose();
    }

    private static async Task WriteFileAsync(string path, byte[] bytes, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 4096, useAsync: true);
        await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Keeps a screen id file-name safe: a–z, 0–9, '-' and '_'; anything else becomes '-'.</summary>
    private static string SafeName(string id)
    {
        var builder = new StringBuilder(id.Length);
        foreach (var c in id)
        {
            builder.Append(c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' ? c : c is >= 'A' and <= 'Z' ? char.ToLowerInvariant(c) : '-');
        }

        return builder.Length == 0 ? "screen" : builder.ToString();
    }

    private static int HighestHistoryNumber(string folder)
    {
        var highest = 0;
        foreach (var path in Directory.EnumerateFiles(folder, "*.png"))
        {
            var name = Path.GetFileName(path);
            var dash = name.IndexOf('-', StringComparison.Ordinal);
            if (dash > 0 && int.TryParse(name.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                highest = Math.Max(highest, number);
            }
        }

        return highest;
    }
}
