using System.Runtime.ExceptionServices;
using MynaTerminal.Core.Devices;

namespace MynaTerminal.Display;

/// <summary>
/// Shows every screen on several displays in order (e.g. the PNG folder and the console). One display failing
/// does not keep the screen from the others; its exception is thrown after all were tried.
/// </summary>
public sealed class CompositeDisplay : IDisplay
{
    private readonly IDisplay[] _displays;

    /// <summary>Creates a display that forwards to <paramref name="displays"/>, in this order.</summary>
    public CompositeDisplay(params IDisplay[] displays)
    {
        ArgumentNullException.ThrowIfNull(displays);
        if (Array.IndexOf(displays, null) >= 0)
        {
            throw new ArgumentException("A display is null.", nameof(displays));
        }

        _displays = (IDisplay[])displays.Clone();
    }

    /// <summary>The displays, in the order they are shown to.</summary>
    public IReadOnlyList<IDisplay> Displays => _displays;

    /// <inheritdoc />
    public async Task ShowAsync(Screen screen, CancellationToken cancellationToken)
    {
        List<Exception>? errors = null;
        foreach (var display in _displays)
        {
            try
            {
                await display.ShowAsync(screen, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e)
            {
                (errors ??= []).Add(e);
            }
        }

        if (errors is [var single])
        {
            ExceptionDispatchInfo.Capture(single).Throw();
        }
        else if (errors is { Count: > 1 })
        {
            throw new AggregateException("More than one display failed.", errors);
        }
    }
}
