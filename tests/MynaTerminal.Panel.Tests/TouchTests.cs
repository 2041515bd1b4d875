using Microsoft.Extensions.Time.Testing;
using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Session;
using MynaTerminal.Panel.Input;
using MynaTerminal.Panel.Rendering;
using MynaTerminal.Panel.Tests.Fakes;
using static MynaTerminal.Panel.Input.EvdevCodes;

namespace MynaTerminal.Panel.Tests;

public sealed class TouchTrackerTests
{
    [Fact]
    public void Single_touch_down_and_up_at_sync_boundaries()
    {
        var reports = Feed(Ev.Tap(100, 200, 110, 205));
        Assert.Equal([new TouchReport(TouchPhase.Down, 100, 200), new TouchReport(TouchPhase.Up, 110, 205)], reports);
    }

    [Fact]
    public void A_second_tap_at_the_same_place_needs_no_new_coordinates()
    {
        // The kernel leaves out values that did not change: the second tap is BTN_TOUCH only.
        var reports = Feed(Ev.Concat(Ev.Tap(30, 40), Ev.Key(BTN_TOUCH, 1), Ev.Key(BTN_TOUCH, 0)));
        Assert.Equal(TouchPhase.Down, reports[2].Phase);
        Assert.Equal((30, 40), (reports[2].RawX, reports[2].RawY));
        Assert.Equal(4, reports.Count);
    }

    [Fact]
    public void Multi_touch_protocol_b_follows_slot_0_only()
    {
        var bytes = Ev.Concat(
            Ev.Record(EV_ABS, ABS_MT_SLOT, 0), Ev.Record(EV_ABS, ABS_MT_TRACKING_ID, 7),
            Ev.Record(EV_ABS, ABS_MT_POSITION_X, 500), Ev.Record(EV_ABS, ABS_MT_POSITION_Y, 600), Ev.Syn(),
            // a second finger in slot 1 moves and lifts: ignored
            Ev.Record(EV_ABS, ABS_MT_SLOT, 1), Ev.Record(EV_ABS, ABS_MT_TRACKING_ID, 8),
            Ev.Record(EV_ABS, ABS_MT_POSITION_X, 10), Ev.Record(EV_ABS, ABS_MT_POSITION_Y, 20), Ev.Syn(),
            Ev.Record(EV_ABS, ABS_MT_TRACKING_ID, -1), Ev.Syn(),
            Ev.Record(EV_ABS, ABS_MT_SLOT, 0), Ev.Record(EV_ABS, ABS_MT_POSITION_X, 505), Ev.Syn(),
            Ev.Record(EV_ABS, ABS_MT_TRACKING_ID, -1), Ev.Syn());

        Assert.Equal([new TouchReport(TouchPhase.Down, 500, 600), new TouchReport(TouchPhase.Up, 505, 600)], Feed(bytes));
    }

    [Fact]
    public void Single_touch_values_win_over_multi_touch_ones()
    {
        var bytes = Ev.Concat(
            Ev.Record(EV_ABS, ABS_MT_TRACKING_ID, 1), Ev.Record(EV_ABS, ABS_MT_POSITION_X, 9999), Ev.Record(EV_ABS, ABS_MT_POSITION_Y, 9999),
            Ev.Record(EV_KEY, BTN_TOUCH, 1), Ev.Record(EV_ABS, ABS_X, 100), Ev.Record(EV_ABS, ABS_Y, 200), Ev.Syn(),
            Ev.Record(EV_ABS, ABS_MT_POSITION_X, 8888), Ev.Record(EV_ABS, ABS_MT_TRACKING_ID, -1), Ev.Record(EV_KEY, BTN_TOUCH, 0), Ev.Syn());
        Assert.Equal([new TouchReport(TouchPhase.Down, 100, 200), new TouchReport(TouchPhase.Up, 100, 200)], Feed(bytes));
    }

    [Fact]
    public void Dropped_events_cancel_the_touch_and_are_ignored_up_to_the_next_report()
    {
        var bytes = Ev.Concat(
            Ev.Record(EV_ABS, ABS_X, 1), Ev.Record(EV_ABS, ABS_Y, 2), Ev.Record(EV_KEY, BTN_TOUCH, 1), Ev.Syn(),
            Ev.Record(EV_SYN, SYN_DROPPED, 0), Ev.Record(EV_KEY, BTN_TOUCH, 0), Ev.Record(EV_KEY, BTN_TOUCH, 1), Ev.Syn(),
            Ev.Record(EV_KEY, BTN_TOUCH, 0), Ev.Syn(),
            Ev.Record(EV_KEY, BTN_TOUCH, 1), Ev.Syn());
        Assert.Equal([new TouchReport(TouchPhase.Down, 1, 2), new TouchReport(TouchPhase.Cancelled, 1, 2), new TouchReport(TouchPhase.Down, 1, 2)], Feed(bytes));
    }

    [Fact]
    public void No_down_before_a_position_is_known()
    {
        var bytes = Ev.Concat(Ev.Key(BTN_TOUCH, 1), Ev.Record(EV_ABS, ABS_X, 5), Ev.Syn(), Ev.Record(EV_ABS, ABS_Y, 6), Ev.Syn());
        Assert.Equal([new TouchReport(TouchPhase.Down, 5, 6)], Feed(bytes));
    }

    private static List<TouchReport> Feed(byte[] bytes)
    {
        var tracker = new TouchTracker();
        return Ev.Events(bytes).Select(tracker.Feed).OfType<TouchReport>().ToList();
    }
}

public sealed class TouchCalibrationTests
{
    [Fact]
    public void Ranges_scale_onto_the_frame()
    {
        var c = TouchCalibration.FromRanges(200, 3900, 100, 4000, swapXY: false, invertX: false, invertY: false, width: 800, height: 480);
        AssertPoint((0, 0), c.Map(200, 100));
        AssertPoint((799, 479), c.Map(3900, 4000));
        AssertPoint((399.5f, 239.5f), c.Map(2050, 2050));
    }

    [Fact]
    public void Invert_mirrors_the_frame_axes()
    {
        var c = TouchCalibration.FromRanges(0, 1000, 0, 1000, swapXY: false, invertX: true, invertY: true, width: 101, height: 11);
        AssertPoint((100, 10), c.Map(0, 0));
        AssertPoint((0, 0), c.Map(1000, 1000));
        AssertPoint((75, 7.5f), c.Map(250, 250));
    }

    [Fact]
    public void Swap_feeds_the_frame_x_from_the_raw_y_axis_with_its_range()
    {
        // A portrait touch overlay (raw X 0…240 across, raw Y 0…320 down) on a panel rotated 90° to 320 × 240.
        var c = TouchCalibration.FromRanges(0, 240, 0, 320, swapXY: true, invertX: false, invertY: true, width: 321, height: 241);
        AssertPoint((0, 240), c.Map(0, 0));
        AssertPoint((320, 0), c.Map(240, 320));
        AssertPoint((160, 180), c.Map(60, 160));
    }

    [Fact]
    public void Three_points_recover_an_affine_map()
    {
        // A known map: rotation, mirror, scale and offset.
        static (double X, double Y) Truth(double rx, double ry) => ((0.1 * ry) + 12, (-0.05 * rx) + (0.002 * ry) + 470);
        var raw = new[] { (300.0, 200.0), (3800.0, 400.0), (2000.0, 3700.0) };
        var points = raw.Select(r => new CalibrationPoint { RawX = r.Item1, RawY = r.Item2, ScreenX = Truth(r.Item1, r.Item2).X, ScreenY = Truth(r.Item1, r.Item2).Y }).ToArray();

        Assert.True(TouchCalibration.TryFromPoints(points, out var c));

        foreach (var (rx, ry) in new[] { (0.0, 0.0), (1234.0, 567.0), (4095.0, 4095.0) })
        {
            var (x, y) = c.Map(rx, ry);
            Assert.Equal(Truth(rx, ry).X, x, 0.01);
            Assert.Equal(Truth(rx, ry).Y, y, 0.01);
        }
    }

    [Fact]
    public void Degenerate_point_sets_are_refused()
    {
        CalibrationPoint P(double rx, double ry, double sx, double sy) => new() { RawX = rx, RawY = ry, ScreenX = sx, ScreenY = sy };
        Assert.False(TouchCalibration.TryFromPoints([P(0, 0, 0, 0), P(10, 10, 100, 0), P(20, 20, 0, 100)], out _)); // raw on a line
        Assert.False(TouchCalibration.TryFromPoints([P(0, 0, 0, 0), P(10, 0, 10, 10), P(0, 10, 20, 20)], out _)); // screen on a line
        Assert.False(TouchCalibration.TryFromPoints([P(0, 0, 0, 0), P(10, 0, 10, 0)], out _));
        Assert.Throws<ArgumentException>(() => TouchCalibration.FromRanges(10, 10, 0, 5, false, false, false, 10, 10));
    }

    private static void AssertPoint((float X, float Y) expected, (float X, float Y) actual)
    {
        Assert.Equal(expected.X, actual.X, 0.001f);
        Assert.Equal(expected.Y, actual.Y, 0.001f);
    }
}

public sealed class TouchInputTests
{
    [Fact(Timeout = 20_000)]
    public async Task A_tap_on_a_button_sends_its_action_and_a_slide_off_sends_nothing()
    {
        var (current, buttons) = Published(TestScreens.MethodChoice());
        var face = buttons.Single(b => b.Id == ActionIds.MethodFace).Bounds;
        var pin = buttons.Single(b => b.Id == ActionIds.MethodPin).Bounds;
        var stream = new ScriptedStream();
        var device = new FakeEvdevDevice(stream, new() { [ABS_X] = (0, 799), [ABS_Y] = (0, 479) });
        var touch = new TouchInput(new TouchOptions(), TimeSpan.FromSeconds(1), current, new FakeEvdevOpener().Then(device), new FakeTimeProvider());

        // Down on 顔認証, up on 暗証番号: nothing. Then a clean tap on 暗証番号. Then a tap on the body text: nothing.
        // Then a tap on 顔認証.
        stream.Send(Ev.Tap((int)face.MidX, (int)face.MidY, (int)pin.MidX, (int)pin.MidY));
        stream.Send(Ev.Tap((int)pin.MidX, (int)pin.MidY));
        stream.Send(Ev.Tap(50, 150));
        stream.Send(Ev.Tap((int)face.MidX, (int)face.MidY));

        var actions = await Take(touch, 2);

        Assert.Equal([ActionIds.MethodPin, ActionIds.MethodFace], actions);
        Assert.True(device.Grabbed);
    }

    [Fact(Timeout = 20_000)]
    public async Task Calibration_maps_raw_coordinates_before_hit_testing()
    {
        var (current, buttons) = Published(TestScreens.Pin());
        var seven = buttons.Single(b => b.Id == ActionIds.Digit(7)).Bounds;
        var stream = new ScriptedStream();
        // Raw 0…4095 on both axes, axes swapped and Y mirrored (a portrait overlay on a landscape frame).
        var options = new TouchOptions { Calibration = new() { RawMinX = 0, RawMaxX = 4095, RawMinY = 0, RawMaxY = 4095, SwapXY = true, InvertY = true } };
        var touch = new TouchInput(options, TimeSpan.FromSeconds(1), current, new FakeEvdevOpener().Then(new FakeEvdevDevice(stream)), new FakeTimeProvider());
        var rawY = (int)Math.Round(seven.MidX / 799.0 * 4095);     // frame X comes from raw Y
        var rawX = (int)Math.Round((1 - (seven.MidY / 479.0)) * 4095); // frame Y from raw X, mirrored

        stream.Send(Ev.Tap(rawX, rawY));

        Assert.Equal([ActionIds.Digit(7)], await Take(touch, 1));
        Assert.NotNull(touch.ToFrame(rawX, rawY));
        Assert.Equal(seven.MidX, touch.ToFrame(rawX, rawY)!.Value.X, 1f);
    }

    [Fact(Timeout = 20_000)]
    public async Task A_touch_panel_that_is_unplugged_is_opened_again_after_the_delay()
    {
        var (current, buttons) = Published(TestScreens.MethodChoice());
        var help = buttons.Single(b => b.Id == ActionIds.Help).Bounds;
        var first = new ScriptedStream();
        var second = new ScriptedStream();
        var ranges = new Dictionary<ushort, (int, int)> { [ABS_X] = (0, 799), [ABS_Y] = (0, 479) };
        var opener = new FakeEvdevOpener().Then(new FakeEvdevDevice(first, ranges)).Then(new FakeEvdevDevice(second, ranges));
        var time = new SignallingTimeProvider();
        var touch = new TouchInput(new TouchOptions(), TimeSpan.FromSeconds(2), current, opener, time);

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        await using var actions = touch.ActionsAsync(cts.Token).GetAsyncEnumerator(cts.Token);
        var next = actions.MoveNextAsync().AsTask();
        var reopened = opener.NextAttempt.Task; // the attempt after the first open
        var delayStarted = time.NextTimer;
        first.Fail(new IOException("read failed: No such device (unplugged)"));

        // Nothing happens until the delay has passed on the injected clock.
        Assert.Equal(TimeSpan.FromSeconds(2), await delayStarted);
        Assert.False(reopened.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(2));
        await reopened;

        second.Send(Ev.Tap((int)help.MidX, (int)help.MidY));
        Assert.True(await next);
        Assert.Equal(ActionIds.Help, actions.Current.Id);
        Assert.Equal(2, opener.Opened.Count);
        await cts.CancelAsync();
    }

    [Fact(Timeout = 20_000)]
    public async Task Touches_before_the_first_frame_are_ignored()
    {
        var current = new CurrentScreen();
        var stream = new ScriptedStream();
        var touch = new TouchInput(new TouchOptions(), TimeSpan.FromSeconds(1), current, new FakeEvdevOpener().Then(new FakeEvdevDevice(stream, new() { [ABS_X] = (0, 799), [ABS_Y] = (0, 479) })), new FakeTimeProvider());
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        await using var actions = touch.ActionsAsync(cts.Token).GetAsyncEnumerator(cts.Token);
        var next = actions.MoveNextAsync().AsTask();

        using var renderer = new FrameRenderer(800, 480, null);
        var screen = TestScreens.MethodChoice();
        var layout = renderer.Layout(screen);
        var language = layout.Single(b => b.Id == ActionIds.Language("en")).Bounds;
        var help = layout.Single(b => b.Id == ActionIds.Help).Bounds;

        // A tap where the language button will be, handled before any frame was shown: nothing.
        await stream.SendAndDrainAsync(Ev.Tap((int)language.MidX, (int)language.MidY));
        current.Publish(screen, 800, 480, layout);
        stream.Send(Ev.Tap((int)help.MidX, (int)help.MidY));

        Assert.True(await next);
        Assert.Equal(ActionIds.Help, actions.Current.Id);
        await cts.CancelAsync();
    }

    internal static (CurrentScreen Current, IReadOnlyList<ButtonBounds> Buttons) Published(Screen screen)
    {
        using var renderer = new FrameRenderer(800, 480, null);
        var current = new CurrentScreen();
        var buttons = renderer.Layout(screen);
        current.Publish(screen, 800, 480, buttons);
        return (current, buttons);
    }

    internal static async Task<List<string>> Take(IInputDevice input, int count)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var result = new List<string>();
        await foreach (var action in input.ActionsAsync(cts.Token))
        {
            result.Add(action.Id);
            if (result.Count == count)
            {
                break;
            }
        }

        return result;
    }
}
