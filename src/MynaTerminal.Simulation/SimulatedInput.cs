using System.Runtime.CompilerServices;
using System.Threading.Channels;
using MynaTerminal.Core.Devices;

namespace MynaTerminal.Simulation;

/// <summary>Touch panel and buttons in simulation: scripts (and the web mirror) press action ids.</summary>
public sealed class SimulatedInput : IInputDevice
{
    private readonly Channel<InputAction> _actions = Channel.CreateUnbounded<InputAction>();

    public void Press(string actionId) => _actions.Writer.TryWrite(new InputAction(actionId));

    public async IAsyncEnumerable<InputAction> ActionsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var action in _actions.Reader.ReadAllAsync(cancellationToken))
        {
            yield return action;
        }
    }
}
