using MynaTerminal.Display;

namespace MynaTerminal.Audio.Tests;

/// <summary>The real Debian TTS programs, where they are installed (scripts/install-deps.sh installs them).</summary>
public sealed class RealTtsTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly SystemProcessRunner _runner = new();
    private readonly TtsSettings _settings = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Open_jtalk_renders_the_Japanese_prompts_as_wav()
    {
        try
        {
            TtsCommands.Require(TtsEngine.OpenJTalk, _settings, _runner, ["ja"]);
        }
        catch (TtsNotInstalledException e)
        {
            Assert.Skip(e.Message);
        }

        var catalog = PromptCatalog.FromScreenTexts();
        var subset = PromptCatalog.Create(
            PromptCatalogTests.Tables(("ja", new()
            {
                ["speech.idle"] = catalog.Find(ScreenIds.Idle, "ja")!.Text,
                ["speech.pin"] = catalog.Find(ScreenIds.Pin, "ja")!.Text,
            })),
            [ScreenIds.Idle, ScreenIds.Pin]);

        var report = await new PromptRenderer(_runner, _settings).RenderAsync(subset, _temp.Path, null, force: false, TestContext.Current.CancellationToken);

        Assert.True(report.Complete, string.Join("; ", report.Failures));
        AssertSpeech(_temp.File("ja", "idle.wav"), minimumSeconds: 2.0);
        AssertSpeech(_temp.File("ja", "pin.wav"), minimumSeconds: 2.0);
    }

    [Theory]
    [InlineData("en", "Please place your My Number Card with the photo side up.")]
    [InlineData("zh-Hans", "请放置您的个人编号卡。")]
    [InlineData("ko", "마이넘버 카드를 올려 주세요.")]
    [InlineData("vi", "Vui lòng đặt thẻ My Number của bạn.")]
    public async Task Espeak_ng_renders_the_other_languages_with_Debian_voices(string language, string text)
    {
        Assert.SkipWhen(_runner.FindExecutable(_settings.EspeakNgPath) is null, "espeak-ng is not installed (sudo apt-get install espeak-ng).");
        var catalog = PromptCatalog.Create(PromptCatalogTests.Tables((language, new() { ["speech.idle"] = text })), [ScreenIds.Idle]);

        var report = await new PromptRenderer(_runner, _settings).RenderAsync(catalog, _temp.Path, null, force: false, TestContext.Current.CancellationToken);

        Assert.True(report.Complete, string.Join("; ", report.Failures));
        AssertSpeech(_temp.File(language, "idle.wav"), minimumSeconds: 1.0);
    }

    [Fact]
    public async Task An_unknown_espeak_voice_is_a_failure_not_a_silent_file()
    {
        Assert.SkipWhen(_runner.FindExecutable(_settings.EspeakNgPath) is null, "espeak-ng is not installed (sudo apt-get install espeak-ng).");
        var catalog = PromptCatalog.Create(
            PromptCatalogTests.Tables(("xq", new() { ["speech.idle"] = "Hello.", [PromptCatalog.VoiceKey] = "espeak-ng:xx" })),
            [ScreenIds.Idle]);

        var report = await new PromptRenderer(_runner, _settings).RenderAsync(catalog, _temp.Path, null, force: false, TestContext.Current.CancellationToken);

        Assert.Contains("espeak-ng:xx exited with", Assert.Single(report.Failures).Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_temp.File("xq", "idle.wav")));
    }

    private static void AssertSpeech(string file, double minimumSeconds)
    {
        var bytes = File.ReadAllBytes(file);
        Assert.Equal("RIFF"u8.ToArray(), bytes[..4]);
        Assert.Equal("WAVE"u8.ToArray(), bytes[8..12]);
        var format = WaveFile.TryRead(bytes);
        Assert.NotNull(format);
        Assert.Equal(WaveFormat.Pcm, format.FormatTag);
        Assert.Equal(16, format.BitsPerSample);
        Assert.InRange(format.SampleRate, 8000, 48000);
        Assert.InRange(format.Duration.TotalSeconds, minimumSeconds, 30);
        // Not silence: some samples are loud.
        var peak = 0;
        for (var i = format.DataOffset; i + 1 < format.DataOffset + format.DataLength; i += 2)
        {
            peak = Math.Max(peak, Math.Abs((int)BitConverter.ToInt16(bytes, i)));
        }

        Assert.True(peak > 1000, $"peak {peak}");
    }
}
