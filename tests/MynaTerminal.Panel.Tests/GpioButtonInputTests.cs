using MynaTerminal.Core.Session;
using MynaTerminal.Panel.Gpio;
using MynaTerminal.Panel.Rendering;
using MynaTerminal.Panel.Tests.Fakes;

namespace MynaTerminal.Panel.Tests;

/// <summary>
/// Debounce on a fake clock through a fake pin set: no sleeps. Presses are logged synchronously with the fake time at
/// which they were recognised, so the timing is asserted exactly; the actions themselves come through ActionsAsync.
/// </summary>
public sealed class GpioButtonInputTests
{
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(30);

    [Fact(Timeout = 20_000)]
    public async Task A_bouncing_press_counts_once_when_the_level_has_been_stable_for_the_debounce_time()
    {
        using var rig = new Rig();
        await using var actions = rig.Start();
        var next = actions.MoveNextAsync().AsTask();
        Assert.Equal(PinPull.Up, rig.Pins.Inputs[17]);

        // Contact bounce: low, high, low within 4 ms, then low for good.
        rig.Pins.Set(17, false);
        rig.Time.Advance(TimeSpan.FromMilliseconds(2));
        rig.Pins.Set(17, true);
        rig.Time.Advance(TimeSpan.FromMilliseconds(2));
        rig.Pins.Set(17, false);
        rig.Time.Advance(Debounce - TimeSpan.FromMilliseconds(1));
        Assert.Empty(rig.Presses);
        rig.Time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal([("help", 34)], rig.Presses);

        Assert.True(await next);
        Assert.Equal(ActionIds.Help, actions.Current.Id);

        // Held for 5 s, released with bounce, pressed again: one more press, at the second press.
        rig.Time.Advance(TimeSpan.FromSeconds(5));
        rig.Pins.Set(17, true);
        rig.Time.Advance(TimeSpan.FromMilliseconds(1));
        rig.Pins.Set(17, false);
        rig.Time.Advance(TimeSpan.FromMilliseconds(1));
        rig.Pins.Set(17, true);
        rig.Time.Advance(Debounce);
        Assert.Single(rig.Presses);
        rig.Pins.Set(17, false);
        rig.Time.Advance(Debounce);
        Assert.Equal([("help", 34), ("help", 5034 + 2 + 30 + 30)], rig.Presses);
    }

    [Fact(Timeout = 20_000)]
    public async Task A_glitch_shorter_than_the_debounce_is_not_a_press()
    {
        using var rig = new Rig();
        await using var actions = rig.Start();
        var next = actions.MoveNextAsync().AsTask();

        rig.Pins.Set(17, false); // help: 10 ms low
        rig.Time.Advance(TimeSpan.FromMilliseconds(10));
        rig.Pins.Set(17, true);
        rig.Time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Empty(rig.Presses);
        rig.Pins.Set(22, false); // staff: a real press
        rig.Time.Advance(Debounce);

        Assert.True(await next);
        Assert.Equal(ActionIds.StaffResume, actions.Current.Id);
        Assert.Equal([("staff", 140)], rig.Presses);
    }

    [Fact(Timeout = 20_000)]
    public async Task A_button_held_at_start_is_not_a_press_even_when_an_edge_glitches()
    {
        using var rig = new Rig(preset: pins => pins.Preset(22, false)); // staff key stuck down at boot
        await using var actions = rig.Start();
        var next = actions.MoveNextAsync().AsTask();

        rig.Pins.Set(22, true); // a glitch while held
        rig.Pins.Set(22, false);
        rig.Time.Advance(Debounce);
        Assert.Empty(rig.Presses);

        rig.Pins.Set(17, false);
        rig.Time.Advance(Debounce);
        Assert.True(await next);
        Assert.Equal(ActionIds.Help, actions.Current.Id);

        rig.Pins.Set(22, true); // released, then pressed: that counts
        rig.Time.Advance(Debounce);
        rig.Pins.Set(22, false);
        rig.Time.Advance(Debounce);
        Assert.Equal([("help", 60), ("staff", 120)], rig.Presses);
    }

    [Fact(Timeout = 20_000)]
    public async Task Active_high_buttons_use_the_pull_down_and_press_on_high()
    {
        var pins = new FakeGpioPins();
        var time = new SignallingTimeProvider();
        var input = new GpioButtonInput([new GpioButton("help", 5, ActiveLow: false, Debounce, ActionIds.Help)], pins, time);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        await using var actions = input.ActionsAsync(cts.Token).GetAsyncEnumerator(cts.Token);
        var next = actions.MoveNextAsync().AsTask();
        Assert.Equal(PinPull.Down, pins.Inputs[5]);

        pins.Set(5, true);
        time.Advance(Debounce);

        Assert.True(await next);
        Assert.Equal(ActionIds.Help, actions.Current.Id);
        await cts.CancelAsync();
    }

    [Fact(Timeout = 20_000)]
    public async Task The_language_button_presses_the_screens_next_language_button()
    {
        var current = new CurrentScreen();
        using var rig = new Rig(current);
        await using var actions = rig.Start();

        // No screen yet: the press does nothing; the staff press after it is the first action.
        var next = actions.MoveNextAsync().AsTask();
        rig.Press(27);
        rig.Press(22);
        Assert.True(await next);
        Assert.Equal(ActionIds.StaffResume, actions.Current.Id);

        current.Publish(TestScreens.MethodChoice("ja"), 800, 480, []);
        next = actions.MoveNextAsync().AsTask();
        rig.Press(27);
        Assert.True(await next);
        Assert.Equal(ActionIds.Language("en"), actions.Current.Id);

        current.Publish(TestScreens.MethodChoice("en"), 800, 480, []);
        next = actions.MoveNextAsync().AsTask();
        rig.Press(27);
        Assert.True(await next);
        Assert.Equal(ActionIds.Language("ja"), actions.Current.Id);
    }

    [Fact(Timeout = 20_000)]
    public async Task Pins_are_released_when_the_enumeration_stops_and_only_one_reader_is_allowed()
    {
        using var rig = new Rig();
        var enumerator = rig.Start();
        var next = enumerator.MoveNextAsync().AsTask();
        Assert.Equal(1, rig.Pins.WatcherCount(17));
        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (var _ in rig.Input.ActionsAsync(TestContext.Current.CancellationToken))
            {
            }
        });

        await rig.Stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next);
        await enumerator.DisposeAsync();

        Assert.Equal(0, rig.Pins.WatcherCount(17));
        Assert.Equal([17, 27, 22], rig.Pins.Closed);
    }

    [Fact]
    public void The_buttons_come_from_the_options()
    {
        var buttons = GpioButtonInput.From(new GpioButtonsOptions { Enabled = true, Staff = new() { Pin = -1, Action = ActionIds.StaffResume } });
        Assert.Equal(
            [new GpioButton("help", 17, true, Debounce, ActionIds.Help), new GpioButton("lang", 27, true, Debounce, CurrentScreen.NextLanguage)],
            buttons);
        Assert.Throws<ArgumentException>(() => new GpioButtonInput([new GpioButton("a", 4, true, Debounce, "help"), new GpioButton("b", 4, true, Debounce, "help")], new FakeGpioPins()));
    }

    /// <summary>The three default buttons on a fake pin set and clock, with a synchronous press log (name, ms since start).</summary>
    private sealed class Rig : IDisposable
    {
        private readonly DateTimeOffset _start;

        public Rig(CurrentScreen? current = null, Action<FakeGpioPins>? preset = null)
        {
            preset?.Invoke(Pins);
            _start = Time.GetUtcNow();
            Input = new GpioButtonInput(GpioButtonInput.From(new GpioButtonsOptions { Enabled = true }), Pins, Time, current, ["ja", "en"]);
            Input.Pressed += b =>
            {
                lock (Presses)
                {
                    Presses.Add((b.Name, (int)(Time.GetUtcNow() - _start).TotalMilliseconds));
                }
            };
        }

        public FakeGpioPins Pins { get; } = new();

        public SignallingTimeProvider Time { get; } = new();

        public GpioButtonInput Input { get; }

        public List<(string Name, int Milliseconds)> Presses { get; } = [];

        public CancellationTokenSource Stop { get; } = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        public IAsyncEnumerator<MynaTerminal.Core.Devices.InputAction> Start() => Input.ActionsAsync(Stop.Token).GetAsyncEnumerator(Stop.Token);

        public void Press(int pin)
        {
            Pins.Set(pin, false);
            Time.Advance(Debounce);
            Pins.Set(pin, true);
            Time.Advance(Debounce);
        }

        public void Dispose()
        {
            Stop.Cancel();
            Stop.Dispose();
        }
    }
}
