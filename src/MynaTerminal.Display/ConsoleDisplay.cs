using MynaTerminal.Core.Devices;

namespace MynaTerminal.Display;

/// <summary>
/// Writes each screen as plain text (<see cref="Screen.ToPlainText"/>) to a <see cref="TextWriter"/>: the
/// simulator's console, or a log. A screen carries no personal data but the greeting name, and never a PIN digit.
/// </summary>
public sealed class ConsoleDisplay : IDisplay
{
    private readonly TextWriter _writer;
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Creates the display; the caller keeps ownership of <paramref name="writer"/>.</summary>
    public ConsoleDisplay(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        _writer = writer;
    }

    /// <inheritdoc />
    public async Task ShowAsync(Screen screen, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(screen);
        var text = screen.ToPlainText();
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _writer.WriteLineAsync(text.AsMemory(), cancellationToken).ConfigureAwait(false);
            await _writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }
}
