using System.Runtime.CompilerServices;
using System.Threading.Channels;
using MynaTerminal.Core.Devices;
using MynaTerminal.Panel.Input;

namespace MynaTerminal.Panel.Tests;

public sealed class CompositeInputTests
{
    [Fact(Timeout = 20_000)]
    public async Task Merges_devices_in_arrival_order()
    {
        var a = new ManualInput();
        var b = new ManualInput();
        var composite = new CompositeInput([a, b]);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        await using var actions = composite.ActionsAsync(cts.Token).GetAsyncEnumerator(cts.Token);

        a.Press("digit:1");
        Assert.True(await actions.MoveNextAsync());
        Assert.Equal("digit:1", actions.Current.Id);
        b.Press("help");
        Assert.True(await actions.MoveNextAsync());
        Assert.Equal("help", actions.Current.Id);
        a.Press("digit:2");
        Assert.True(await actions.MoveNextAsync());
        Assert.Equal("digit:2", actions.Current.Id);
    }

    [Fact(Timeout = 20_000)]
    public async Task A_failing_device_is_left_out_and_the_others_go_on()
    {
        var good = new ManualInput();
        var broken = new ManualInput();
        var composite = new CompositeInput([broken, good]);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        await using var actions = composite.ActionsAsync(cts.Token).GetAsyncEnumerator(cts.Token);

        var next = actions.MoveNextAsync().AsTask(); // starts the devices
        broken.Fail(new IOException("keypad unplugged"));
        await broken.Finished;
        good.Press("pin:ok");

        Assert.True(await next);
        Assert.Equal("pin:ok", actions.Current.Id);
    }

    [Fact(Timeout = 20_000)]
    public async Task Ends_when_every_device_ended_and_stops_them_when_it_stops()
    {
        var a = new ManualInput();
        var b = new ManualInput();
        var composite = new CompositeInput([a, b]);
        var seen = new List<string>();

        a.Press("x");
        a.End();
        b.End();
        await foreach (var action in composite.ActionsAsync(TestContext.Current.CancellationToken))
        {
            seen.Add(action.Id);
        }

        Assert.Equal(["x"], seen);

        var c = new ManualInput();
        var stopping = new CompositeInput([c]);
        c.Press("y");
        await using (var enumerator = stopping.ActionsAsync(TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken))
        {
            Assert.True(await enumerator.MoveNextAsync());
        }

        await c.Finished; // leaving the loop cancelled the device's enumeration
        Assert.True(c.WasCancelled);
    }

    private sealed class ManualInput : IInputDevice
    {
        private readonly Channel<object> _items = Channel.CreateUnbounded<object>();
        private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Finished => _finished.Task;

        public bool WasCancelled { get; private set; }

        public void Press(string id) => _items.Writer.TryWrite(new InputAction(id));

        public void Fail(Exception error) => _items.Writer.TryWrite(error);

        public void End() => _items.Writer.TryComplete();

        public async IAsyncEnumerable<InputAction> ActionsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            try
            {
                await foreach (var item in _items.Reader.ReadAllAsync(cancellationToken))
                {
                    if (item is Exception error)
                    {
                        throw error;
                    }

                    yield return (InputAction)item;
                }
            }
            finally
            {
                WasCancelled = cancellationToken.IsCancellationRequested;
                _finished.TrySetResult();
            }
        }
    }
}
