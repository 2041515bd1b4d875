using System.Runtime.CompilerServices;
using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Session;
using MynaTerminal.Display;

namespace MynaTerminal.Audio.Tests;

public sealed class SpokenGuidanceTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly RecordingDisplay _display = new();
    private readonly RecordingPlayer _player = new();
    private readonly SpokenGuidance _guidance;

    public SpokenGuidanceTests()
    {
        foreach (var (language, id) in new[] { ("ja", ScreenIds.Idle), ("ja", ScreenIds.Pin), ("ja", ScreenIds.Done), ("en", ScreenIds.Idle) })
        {
            Directory.CreateDirectory(_temp.File(language));
            File.WriteAllBytes(_temp.File(language, id + ".wav"), FakeProcessRunner.Tone(0.2));
        }

        _guidance = new SpokenGuidance(_display, _player, new AudioOptions { PromptsPath = _temp.Path });
    }

    public void Dispose()
    {
        _guidance.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task Plays_a_prompt_once_per_screen_change_never_on_a_refresh()
    {
        var ct = TestContext.Current.CancellationToken;
        Screen[] screens =
        [
            Screens.Idle(),
            Screens.Idle(warning: true),       // same screen, refreshed
            Screens.Pin(digits: 0),
            Screens.Pin(digits: 1),            // every digit typed refreshes the PIN screen
            Screens.Pin(digits: 2),
            Screens.Pin(digits: 4),
            Screens.DoneWithName(),
            Screens.DoneWithName(),
            Screens.Idle(),
            Screens.Idle(language: "en"),      // the patient switched language: the same screen, heard in English
        ];

        foreach (var screen in screens)
        {
            await _guidance.ShowAsync(screen, ct);
        }

        Assert.Equal(screens, _display.Shown); // every screen still reaches the display, in order
        Assert.Equal(
            [_temp.File("ja", "idle.wav"), _temp.File("ja", "pin.wav"), _temp.File("ja", "done.wav"), _temp.File("ja", "idle.wav"), _temp.File("en", "idle.wav")],
            _player.Played);
    }

    [Fact]
    public async Task Nothing_from_the_screen_texts_is_played_only_the_file_of_its_id()
    {
        var done = Screens.DoneWithName();
        Assert.Contains(done.Lines, l => l.Contains(Screens.GreetingName, StringComparison.Ordinal));

        await _guidance.ShowAsync(done, TestContext.Current.CancellationToken);

        Assert.Equal([_temp.File("ja", "done.wav")], _player.Played);
    }

    [Fact]
    public async Task A_screen_without_a_prompt_file_stops_the_previous_prompt()
    {
        await _guidance.ShowAsync(Screens.Idle(), TestContext.Current.CancellationToken);
        Assert.Equal(0, _player.Stops);

        await _guidance.ShowAsync(Screens.Reading(), TestContext.Current.CancellationToken); // no ja/reading.wav here

        Assert.Single(_player.Played);
        Assert.Equal(1, _player.Stops);
        Assert.Equal(2, _display.Shown.Count);
    }

    [Fact]
    public async Task A_screen_id_that_is_no_file_name_is_never_used_as_a_path()
    {
        await _guidance.ShowAsync(new Screen("../../etc/passwd", "ja", "x", [], []), TestContext.Current.CancellationToken);
        await _guidance.ShowAsync(new Screen(ScreenIds.Idle, "../ja", "x", [], []), TestContext.Current.CancellationToken);

        Assert.Empty(_player.Played);
        Assert.Equal(2, _player.Stops);
    }

    [Fact]
    public async Task When_the_display_fails_the_prompt_still_plays_and_the_error_is_not_swallowed()
    {
        _display.Fails = new IOException("panel gone");

        await Assert.ThrowsAsync<IOException>(() => _guidance.ShowAsync(Screens.Idle(), TestContext.Current.CancellationToken));

        Assert.Equal([_temp.File("ja", "idle.wav")], _player.Played);
    }

    [Fact]
    public async Task Disabled_guidance_only_shows()
    {
        using var disabled = new SpokenGuidance(_display, _player, new AudioOptions { PromptsPath = _temp.Path, Enabled = false });

        await disabled.ShowAsync(Screens.Idle(), TestContext.Current.CancellationToken);
        await disabled.ShowAsync(Screens.Pin(0), TestContext.Current.CancellationToken);

        Assert.Empty(_player.Played);
        Assert.Equal(2, _display.Shown.Count);
    }

    [Fact]
    public async Task Keypad_keys_click_and_nothing_else_does()
    {
        File.WriteAllBytes(_temp.File(PromptFiles.KeyClickName), WaveFile.KeyClick());
        InputAction[] actions = [new(ActionIds.MethodPin), new(ActionIds.Digit(1)), new(ActionIds.Digit(9)), new(ActionIds.PinBackspace), new(ActionIds.PinOk), new(ActionIds.Help)];
        var input = new KeyClickFeedback(new ScriptedInput(actions), _player, new AudioOptions { PromptsPath = _temp.Path });

        var passed = new List<InputAction>();
        await foreach (var action in input.ActionsAsync(TestContext.Current.CancellationToken))
        {
            passed.Add(action);
        }

        Assert.Equal(actions, passed);
        Assert.Equal(4, _player.Played.Count);
        Assert.All(_player.Played, p => Assert.Equal(_temp.File(PromptFiles.KeyClickName), p));
    }

    [Fact]
    public void The_key_click_is_a_short_tone()
    {
        var format = WaveFile.TryRead(WaveFile.KeyClick());
        Assert.NotNull(format);
        Assert.InRange(format.Duration.TotalMilliseconds, 20, 80);
    }

    private sealed class ScriptedInput(IEnumerable<InputAction> actions) : IInputDevice
    {
        public async IAsyncEnumerable<InputAction> ActionsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            foreach (var action in actions)
            {
                await Task.Yield();
                yield return action;
            }
        }
    }
}
