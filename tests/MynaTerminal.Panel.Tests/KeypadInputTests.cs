using MynaTerminal.Core.Session;
using MynaTerminal.Panel.Input;
using MynaTerminal.Panel.Rendering;
using MynaTerminal.Panel.Tests.Fakes;
using static MynaTerminal.Panel.Input.EvdevCodes;

namespace MynaTerminal.Panel.Tests;

public sealed class KeypadInputTests
{
    [Fact(Timeout = 20_000)]
    public async Task Keypad_keys_become_pin_actions_and_repeats_and_releases_are_ignored()
    {
        var stream = new ScriptedStream();
        var device = new FakeEvdevDevice(stream);
        var keypad = new KeypadInput(new KeypadOptions(), TimeSpan.FromSeconds(1), opener: new FakeEvdevOpener().Then(device), time: new SignallingTimeProvider());

        stream.Send(Ev.Concat(
            Ev.Key(KEY_NUMLOCK, 1), Ev.Key(KEY_NUMLOCK, 0),    // not mapped
            Ev.Key(KEY_KP1, 1), Ev.Key(KEY_KP1, 2), Ev.Key(KEY_KP1, 2), Ev.Key(KEY_KP1, 0), // held: one digit
            Ev.Key(KEY_KP2, 1), Ev.Key(KEY_KP2, 0),
            Ev.Key(KEY_KP0, 1), Ev.Key(KEY_KP0, 0),
            Ev.Key(KEY_KPDOT, 1), Ev.Key(KEY_KPDOT, 0),
            Ev.Key(KEY_BACKSPACE, 1),
            Ev.Key(KEY_KP9, 1),
            Ev.Key(KEY_KPENTER, 1),
            Ev.Key(KEY_KPMINUS, 1),
            Ev.Key(KEY_KPPLUS, 1),
            Ev.Key(KEY_KPASTERISK, 1),
            Ev.Key((ushort)(KEY_1 + 4), 1)));                 // KEY_5 on the top row

        var actions = await TouchInputTests.Take(keypad, 11);

        Assert.Equal(
        [
            ActionIds.Digit(1), ActionIds.Digit(2), ActionIds.Digit(0), ActionIds.PinBackspace, ActionIds.PinBackspace,
            ActionIds.Digit(9), ActionIds.PinOk, ActionIds.Back, ActionIds.Continue, ActionIds.Help, ActionIds.Digit(5),
        ], actions);
        Assert.True(device.Grabbed, "the keypad is grabbed so PIN digits never reach the console");
    }

    [Fact]
    public void Every_keypad_digit_maps_to_its_digit_action()
    {
        var map = KeypadInput.KeyMap(KeypadOptions.DefaultKeys());
        ushort[] codes = [KEY_KP0, KEY_KP1, KEY_KP2, KEY_KP3, KEY_KP4, KEY_KP5, KEY_KP6, KEY_KP7, KEY_KP8, KEY_KP9];
        for (var digit = 0; digit <= 9; digit++)
        {
            Assert.Equal(ActionIds.Digit(digit), map[codes[digit]]);
            Assert.Equal(ActionIds.Digit(digit), map[digit == 0 ? KEY_0 : (ushort)(KEY_1 + digit - 1)]);
        }

        Assert.All(map.Values, a => Assert.NotNull(ActionIds.ToEvent(a)));
    }

    [Fact(Timeout = 20_000)]
    public async Task A_custom_map_overrides_removes_and_adds_keys()
    {
        var keys = KeypadOptions.DefaultKeys();
        keys["KEY_KPMINUS"] = string.Empty;                       // removed
        keys["KEY_KPSLASH"] = CurrentScreen.NextLanguage;          // the language key
        keys["KEY_KPENTER"] = ActionIds.Continue;                  // changed
        var current = new CurrentScreen();
        current.Publish(TestScreens.MethodChoice("ja"), 800, 480, []);
        var stream = new ScriptedStream();
        var keypad = new KeypadInput(new KeypadOptions { Keys = keys, Grab = false }, TimeSpan.FromSeconds(1), current, ["ja", "en"], new FakeEvdevOpener().Then(new FakeEvdevDevice(stream)), new SignallingTimeProvider());

        stream.Send(Ev.Concat(Ev.Key(KEY_KPMINUS, 1), Ev.Key(KEY_KPSLASH, 1), Ev.Key(KEY_KPENTER, 1)));

        Assert.Equal([ActionIds.Language("en"), ActionIds.Continue], await TouchInputTests.Take(keypad, 2));
    }

    [Fact(Timeout = 20_000)]
    public async Task A_missing_keypad_is_looked_for_again_until_it_is_plugged_in()
    {
        var stream = new ScriptedStream();
        var time = new SignallingTimeProvider();
        var opener = new FakeEvdevOpener()
            .Then(new PanelDeviceException("No input device at /dev/input/event1 (fake)."))
            .Then(new FakeEvdevDevice(stream));
        var keypad = new KeypadInput(new KeypadOptions(), TimeSpan.FromSeconds(3), opener: opener, time: time);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var delay = time.NextTimer;
        await using var actions = keypad.ActionsAsync(cts.Token).GetAsyncEnumerator(cts.Token);
        var next = actions.MoveNextAsync().AsTask();

        Assert.Equal(TimeSpan.FromSeconds(3), await delay);
        Assert.Single(opener.Opened);
        var second = opener.NextAttempt.Task;
        time.Advance(TimeSpan.FromSeconds(3));
        await second;
        stream.Send(Ev.Key(KEY_KP7, 1));

        Assert.True(await next);
        Assert.Equal(ActionIds.Digit(7), actions.Current.Id);
        await cts.CancelAsync();
    }
}
