using System.Buffers.Binary;

namespace MynaTerminal.Audio.Tests;

public sealed class AlsaPlayerTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly FakeProcessRunner _runner = new();
    private readonly ListLogger<AlsaPlayer> _logger = new();
    private readonly string _first;
    private readonly string _second;

    public AlsaPlayerTests()
    {
        _first = _temp.File("first.wav");
        _second = _temp.File("second.wav");
        File.WriteAllBytes(_first, FakeProcessRunner.Tone(1.0));
        File.WriteAllBytes(_second, FakeProcessRunner.Tone(0.5));
    }

    public void Dispose() => _temp.Dispose();

    private AlsaPlayer Player(int volume = 100, string device = "default") =>
        new(new AudioOptions { Device = device, Volume = volume }, _runner, _logger);

    [Fact]
    public async Task Plays_through_aplay_on_the_configured_device_with_the_wav_on_stdin()
    {
        using var player = Player(device: "plughw:CARD=Headphones,DEV=0");

        var playing = player.PlayAsync(_first, TestContext.Current.CancellationToken);
        var process = await _runner.NextStartedAsync();
        Assert.Equal("aplay", process.Spec.FileName);
        Assert.Equal(["-q", "-D", "plughw:CARD=Headphones,DEV=0", "-"], process.Spec.Arguments);
        Assert.Equal(await File.ReadAllBytesAsync(_first, TestContext.Current.CancellationToken), process.Spec.StandardInput.ToArray());
        Assert.False(playing.IsCompleted);

        process.Exit(0);
        Assert.Equal(PlaybackOutcome.Completed, await playing);
        Assert.True(player.IsAvailable);
    }

    [Fact]
    public async Task A_new_prompt_interrupts_the_one_playing()
    {
        using var player = Player();
        var first = player.PlayAsync(_first, TestContext.Current.CancellationToken);
        var firstProcess = await _runner.NextStartedAsync();

        var second = player.PlayAsync(_second, TestContext.Current.CancellationToken);
        var secondProcess = await _runner.NextStartedAsync();

        Assert.True(firstProcess.KillCalled);
        Assert.Equal(PlaybackOutcome.Interrupted, await first);
        Assert.False(secondProcess.KillCalled);
        Assert.Equal(await File.ReadAllBytesAsync(_second, TestContext.Current.CancellationToken), secondProcess.Spec.StandardInput.ToArray());

        player.Stop();
        Assert.Equal(PlaybackOutcome.Interrupted, await second);
        Assert.True(player.IsAvailable);
        Assert.Empty(_logger.Warnings);
    }

    [Fact]
    public async Task A_missing_sound_card_is_logged_once_and_the_player_goes_silent()
    {
        using var player = Player();
        var playing = player.PlayAsync(_first, TestContext.Current.CancellationToken);
        var process = await _runner.NextStartedAsync();
        process.Exit(1, "ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown PCM default\naplay: main:831: audio open error: No such file or directory");

        Assert.Equal(PlaybackOutcome.Silent, await playing);
        Assert.False(player.IsAvailable);
        var warning = Assert.Single(_logger.Warnings);
        Assert.Contains("audio open error", warning, StringComparison.Ordinal);

        // From now on: nothing started, nothing logged, nothing thrown.
        Assert.Equal(PlaybackOutcome.Silent, await player.PlayAsync(_second, TestContext.Current.CancellationToken));
        Assert.Equal(PlaybackOutcome.Silent, await player.PlayAsync(_first, TestContext.Current.CancellationToken));
        player.Stop();
        Assert.Single(_runner.Started);
        Assert.Single(_logger.Warnings);
    }

    [Fact]
    public async Task Without_aplay_the_player_names_alsa_utils_once_and_goes_silent()
    {
        _runner.StartFails = FakeProcessRunner.NotInstalled("aplay");
        using var player = Player();

        Assert.Equal(PlaybackOutcome.Silent, await player.PlayAsync(_first, TestContext.Current.CancellationToken));
        Assert.Equal(PlaybackOutcome.Silent, await player.PlayAsync(_second, TestContext.Current.CancellationToken));

        Assert.Contains("apt-get install alsa-utils", Assert.Single(_logger.Warnings), StringComparison.Ordinal);
        Assert.False(player.IsAvailable);
    }

    [Fact]
    public async Task A_missing_or_broken_file_is_silent_and_does_not_silence_the_player()
    {
        using var player = Player();
        await File.WriteAllTextAsync(_temp.File("broken.wav"), "no wav", TestContext.Current.CancellationToken);

        Assert.Equal(PlaybackOutcome.Silent, await player.PlayAsync(_temp.File("missing.wav"), TestContext.Current.CancellationToken));
        Assert.Equal(PlaybackOutcome.Silent, await player.PlayAsync(_temp.File("broken.wav"), TestContext.Current.CancellationToken));
        Assert.Empty(_runner.Started);
        Assert.True(player.IsAvailable);

        var playing = player.PlayAsync(_first, TestContext.Current.CancellationToken);
        (await _runner.NextStartedAsync()).Exit(0);
        Assert.Equal(PlaybackOutcome.Completed, await playing);
    }

    [Fact]
    public async Task The_volume_hint_scales_the_samples()
    {
        using var player = Player(volume: 50);
        var playing = player.PlayAsync(_first, TestContext.Current.CancellationToken);
        var process = await _runner.NextStartedAsync();
        process.Exit(0);
        await playing;

        var original = await File.ReadAllBytesAsync(_first, TestContext.Current.CancellationToken);
        var sent = process.Spec.StandardInput.ToArray();
        var format = WaveFile.TryRead(original)!;
        Assert.Equal(original.Length, sent.Length);
        Assert.Equal(original[..format.DataOffset], sent[..format.DataOffset]);
        var checkedSamples = 0;
        for (var i = format.DataOffset; i < original.Length; i += 2)
        {
            var before = BinaryPrimitives.ReadInt16LittleEndian(original.AsSpan(i));
            var after = BinaryPrimitives.ReadInt16LittleEndian(sent.AsSpan(i));
            Assert.InRange(after, (before / 2) - 1, (before / 2) + 1);
            checkedSamples += Math.Abs((int)before) > 1000 ? 1 : 0;
        }

        Assert.True(checkedSamples > 1000);
    }

    [Fact]
    public async Task Cancelling_stops_the_sound()
    {
        using var player = Player();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var playing = player.PlayAsync(_first, cancel.Token);
        var process = await _runner.NextStartedAsync();

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => playing);
        Assert.True(process.KillCalled);
        Assert.True(player.IsAvailable);
    }

    [Fact]
    public async Task With_the_real_aplay_an_unknown_device_goes_silent_without_an_exception()
    {
        var system = new SystemProcessRunner();
        Assert.SkipWhen(system.FindExecutable("aplay") is null, "aplay is not installed (sudo apt-get install alsa-utils).");
        using var player = new AlsaPlayer(new AudioOptions { Device = "mynaterm_test_no_such_pcm" }, system, _logger);

        Assert.Equal(PlaybackOutcome.Silent, await player.PlayAsync(_first, TestContext.Current.CancellationToken));
        Assert.Equal(PlaybackOutcome.Silent, await player.PlayAsync(_second, TestContext.Current.CancellationToken));

        Assert.False(player.IsAvailable);
        Assert.Contains("mynaterm_test_no_such_pcm", Assert.Single(_logger.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_null_player_is_always_silent()
    {
        Assert.Equal(PlaybackOutcome.Silent, await NullAudioPlayer.Instance.PlayAsync(_first, TestContext.Current.CancellationToken));
        NullAudioPlayer.Instance.Stop();
    }
}
