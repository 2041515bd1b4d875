using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MynaTerminal.Core.Devices;

namespace MynaTerminal.Panel.Input;

/// <summary>
/// Several input devices as one, in arrival order. A device that fails is logged and left out; the others go on
/// (a broken keypad must not take the touch panel with it). The merged sequence ends when every device has ended,
/// and stops them all when its enumeration stops.
/// </summary>
public sealed class CompositeInput : IInputDevice
{
    private readonly IInputDevice[] _devices;
    private readonly ILogger _logger;

    public CompositeInput(IEnumerable<IInputDevice> devices, ILogger<CompositeInput>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(devices);
        _devices = devices.ToArray();
        if (Array.IndexOf(_devices, null) >= 0)
        {
            throw new ArgumentException("An input device is null.", nameof(devices));
        }

        _logger = logger ?? (ILogger)NullLogger<CompositeInput>.Instance;
    }

    /// <summary>The merged devices, in the order given.</summary>
    public IReadOnlyList<IInputDevice> Devices => _devices;

    /// <inheritdoc />
    public async IAsyncEnumerable<InputAction> ActionsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var merged = Channel.CreateUnbounded<InputAction>(new UnboundedChannelOptions { SingleReader = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pumps = _devices.Select(d => Task.Run(() => PumpAsync(d, merged.Writer, stop.Token), CancellationToken.None)).ToArray();
        var completion = Task.WhenAll(pumps).ContinueWith(_ => merged.Writer.TryComplete(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        try
        {
            await foreach (var action in merged.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return action;
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await completion.ConfigureAwait(false);
        }
    }

    private async Task PumpAsync(IInputDevice device, ChannelWriter<InputAction> writer, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var action in device.ActionsAsync(cancellationToken).ConfigureAwait(false))
            {
                await writer.WriteAsync(action, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _logger.LogError(e, "The input device {Device} failed and is left out", device.GetType().Name);
        }
    }
}
