using MynaTerminal.Core.Devices;
using MynaTerminal.Display;

namespace MynaTerminal.Web;

/// <summary>
/// One drawn screen as the page sees it: a version that grows with every screen, the screen, its PNG, and where the
/// renderer put each button (null when the layout could not be computed), so a click on the picture finds its button.
/// </summary>
public sealed record MirrorFrame(long Version, Screen Screen, byte[] Png, DisplayLayout? Layout = null);

/// <summary>
/// Decorates the terminal's display: every screen is also drawn into a PNG kept in memory (the latest one only) for
/// the web page, then handed to the real display. A failure of the mirror never keeps the screen from the panel.
/// </summary>
public sealed class MirrorDisplay : IDisplay, IDisposable
{
    private readonly IDisplay _inner;
    private readonly PngScreenRenderer _renderer;
    private readonly bool _ownsInner;
    private readonly Lock _rendering = new();
    private MirrorFrame? _current;
    private long _version;
    private bool _disposed;

    /// <param name="inner">The display the screens go to as before (the PNG folder, a panel).</param>
    /// <param name="renderer">Draws the mirrored PNG (disposed with this display).</param>
    /// <param name="ownsInner">Dispose <paramref name="inner"/> with this display (it was created for it).</param>
    public MirrorDisplay(IDisplay inner, PngScreenRenderer renderer, bool ownsInner = false)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(renderer);
        _inner = inner;
        _renderer = renderer;
        _ownsInner = ownsInner;
    }

    /// <summary>Raised after each new frame (on the terminal's display loop: handlers must be quick).</summary>
    public event Action<MirrorFrame>? Changed;

    /// <summary>The latest frame; null before the first screen.</summary>
    public MirrorFrame? Current => Volatile.Read(ref _current);

    /// <summary>The display this one forwards to.</summary>
    public IDisplay Inner => _inner;

    /// <inheritdoc />
    public async Task ShowAsync(Screen screen, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(screen);
        MirrorFrame? frame;
        try
        {
            frame = Draw(screen);
        }
        catch (Exception ex)
        {
            // The panel still gets its screen; the error then surfaces like any display failure.
            await _inner.ShowAsync(screen, cancellationToken).ConfigureAwait(false);
            throw new InvalidOperationException($"The web mirror could not draw screen '{screen.Id}'.", ex);
        }

        if (frame is null)
        {
            // Disposed (the host is going down while the session loop still shows a screen): the panel only.
            await _inner.ShowAsync(screen, cancellationToken).ConfigureAwait(false);
            return;
        }

        Volatile.Write(ref _current, frame);
        Changed?.Invoke(frame);
        await _inner.ShowAsync(screen, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The new frame; null once disposed (the renderer's native fonts are gone).</summary>
    private MirrorFrame? Draw(Screen screen)
    {
        lock (_rendering)
        {
            return _disposed ? null : new MirrorFrame(Interlocked.Increment(ref _version), screen, _renderer.Render(screen), LayoutOf(screen));
        }
    }

    private DisplayLayout? LayoutOf(Screen screen)
    {
        try
        {
            return _renderer.Layout(screen);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            return null; // the HTML buttons still work
        }
    }

    /// <summary>Releases the renderer (and the inner display when owned).</summary>
    public void Dispose()
    {
        lock (_rendering)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _renderer.Dispose();
        }

        if (_ownsInner && _inner is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }
}
