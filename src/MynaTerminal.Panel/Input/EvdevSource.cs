using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace MynaTerminal.Panel.Input;

/// <summary>
/// The events of one evdev node for as long as it is enumerated: opens it (grabbing it when asked), reads it, and
/// when it is missing, refused or unplugged logs that once and tries again after a delay. A keypad pulled out and
/// plugged back in just works again.
/// </summary>
internal sealed class EvdevSource(string path, bool grab, IEvdevOpener opener, TimeSpan reopenDelay, TimeProvider time, ILogger logger)
{
    /// <summary>Events until cancelled; <paramref name="opened"/> runs for each newly opened device.</summary>
    public async IAsyncEnumerable<InputEvent> EventsAsync(Action<IEvdevDevice>? opened, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? lastProblem = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var device = TryOpen(ref lastProblem);
            if (device is null)
            {
                await Task.Delay(reopenDelay, time, cancellationToken).ConfigureAwait(false);
                continue;
            }

            try
            {
                opened?.Invoke(device);
                await using var events = new EvdevReader(device.Events).ReadAllAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
                while (true)
                {
                    bool more;
                    try
                    {
                        more = await events.MoveNextAsync().ConfigureAwait(false);
                    }
                    catch (IOException e)
                    {
                        lastProblem = e.Message;
                        logger.LogWarning("{Path}: {Problem}; opening it again in {Delay}", path, e.Message, reopenDelay);
                        break;
                    }

                    if (!more)
                    {
                        logger.LogWarning("{Path}: the device stopped sending events; opening it again in {Delay}", path, reopenDelay);
                        break;
                    }

                    yield return events.Current;
                }
            }
            finally
            {
                device.Dispose();
            }

            await Task.Delay(reopenDelay, time, cancellationToken).ConfigureAwait(false);
        }
    }

    private IEvdevDevice? TryOpen(ref string? lastProblem)
    {
        IEvdevDevice? device = null;
        try
        {
            device = opener.Open(path);
            if (grab)
            {
                device.Grab();
            }

            logger.LogInformation("{Path}: reading input events{Grab}", path, grab ? " (grabbed)" : string.Empty);
            lastProblem = null;
            return device;
        }
        catch (PanelDeviceException e)
        {
            device?.Dispose();
            if (e.Message != lastProblem)
            {
                logger.LogWarning("{Problem} Trying again every {Delay}.", e.Message, reopenDelay);
                lastProblem = e.Message;
            }

            return null;
        }
    }
}
