using System.Text;
using MynaTerminal.Display;

namespace MynaTerminal.Audio.Tests;

public sealed class PromptRendererTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly FakeProcessRunner _runner = new();
    private readonly TtsSettings _settings;
    private readonly string _out;

    public PromptRendererTests()
    {
        // open_jtalk's dictionary and voice are checked on disk: fake ones here.
        Directory.CreateDirectory(_temp.File("dic"));
        File.WriteAllText(_temp.File("dic", "sys.dic"), "fake");
        File.WriteAllText(_temp.File("voice.htsvoice"), "fake");
        _settings = new TtsSettings { OpenJTalkDictionary = _temp.File("dic"), OpenJTalkVoice = _temp.File("voice.htsvoice") };
        _out = _temp.File("prompts");
    }

    public void Dispose() => _temp.Dispose();

    private PromptRenderer Renderer => new(_runner, _settings) { MaxParallel = 2 };

    private static readonly PromptCatalog Catalog = PromptCatalog.FromScreenTexts();

    [Fact]
    public async Task Renders_one_wav_per_screen_and_language_with_the_engine_of_each_language()
    {
        var report = await Renderer.RenderAsync(Catalog, _out, ["ja", "en"], force: false, TestContext.Current.CancellationToken);

        Assert.True(report.Complete);
        var expected = Catalog.Prompts.Where(p => p.Language is "ja" or "en").ToArray();
        Assert.Equal(expected.Length, report.Rendered.Count);
        Assert.Equal(expected.Length, _runner.Started.Count);
        Assert.Empty(report.UpToDate);

        var idleJa = Catalog.Find(ScreenIds.Idle, "ja")!;
        var ja = Assert.Single(_runner.Started, p => p.Spec.StandardInput.Span.SequenceEqual(Encoding.UTF8.GetBytes(idleJa.Text + "\n")));
        Assert.Equal("/usr/bin/open_jtalk", ja.Spec.FileName);
        var jaArgs = ja.Spec.Arguments;
        Assert.Equal(["-x", _settings.OpenJTalkDictionary, "-m", _settings.OpenJTalkVoice, "-r", "0.9", "-ow"], jaArgs.Take(7));
        Assert.StartsWith(Path.Combine(_out, "ja") + "/", jaArgs[7], StringComparison.Ordinal); // a temporary file, moved in place after
        Assert.Equal(8, jaArgs.Count);

        var idleEn = Catalog.Find(ScreenIds.Idle, "en")!;
        var en = Assert.Single(_runner.Started, p => p.Spec.StandardInput.Span.SequenceEqual(Encoding.UTF8.GetBytes(idleEn.Text + "\n")));
        Assert.Equal("/usr/bin/espeak-ng", en.Spec.FileName);
        Assert.Equal(["-v", "en", "-b", "1", "-s", "150", "-w"], en.Spec.Arguments.Take(7));
        Assert.Equal("--stdin", en.Spec.Arguments[^1]);
        // The text only ever goes in on standard input, never on the command line.
        Assert.All(_runner.Started, p => Assert.DoesNotContain(p.Spec.Arguments, a => a.Contains("マイナンバー", StringComparison.Ordinal) || a.Contains("Card", StringComparison.Ordinal)));

        foreach (var prompt in expected)
        {
            Assert.True(PromptRenderer.IsValidWave(Path.Combine(_out, prompt.Language, prompt.ScreenId + ".wav")), prompt.RelativeFile);
        }

        Assert.True(PromptRenderer.IsValidWave(Path.Combine(_out, PromptFiles.KeyClickName)));
        Assert.Empty(Directory.EnumerateFiles(_out, "*.tmp*", SearchOption.AllDirectories));

        var manifest = PromptManifest.Load(_out);
        Assert.Equal(PromptManifest.CurrentSchema, manifest.Schema);
        Assert.Equal(expected.Length, manifest.Prompts.Count);
        var entry = Assert.Single(manifest.Prompts, e => e is { Screen: "idle", Language: "ja" });
        Assert.Equal("ja/idle.wav", entry.File);
        Assert.Equal(idleJa.TextSha256, entry.TextSha256);
        Assert.Equal("open_jtalk", entry.Voice);
        Assert.Equal("espeak-ng:en", Assert.Single(manifest.Prompts, e => e is { Screen: "idle", Language: "en" }).Voice);
        // Readable Japanese in the file (not \u escapes).
        Assert.Contains(idleJa.Text, await File.ReadAllTextAsync(Path.Combine(_out, PromptFiles.ManifestName), TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_render_skips_everything_that_is_up_to_date()
    {
        await Renderer.RenderAsync(Catalog, _out, ["ja", "en"], force: false, TestContext.Current.CancellationToken);
        var first = _runner.Started.Count;

        var report = await Renderer.RenderAsync(Catalog, _out, ["ja", "en"], force: false, TestContext.Current.CancellationToken);

        Assert.Equal(first, _runner.Started.Count);
        Assert.Empty(report.Rendered);
        Assert.Equal(first, report.UpToDate.Count);

        var forced = await Renderer.RenderAsync(Catalog, _out, ["en"], force: true, TestContext.Current.CancellationToken);
        Assert.Equal(Catalog.Prompts.Count(p => p.Language == "en"), forced.Rendered.Count);
    }

    [Fact]
    public async Task A_changed_text_is_rendered_again_and_only_it()
    {
        var original = Catalog("Please place your card.", "Reading.");
        await Renderer.RenderAsync(original, _out, null, force: false, TestContext.Current.CancellationToken);
        Assert.Equal(2, _runner.Started.Count);
        var before = PromptManifest.Load(_out).Prompts.Single(e => e.Screen == ScreenIds.Idle);

        var changed = Catalog("Please put your My Number Card on the reader.", "Reading.");
        var report = await Renderer.RenderAsync(changed, _out, null, force: false, TestContext.Current.CancellationToken);

        var rendered = Assert.Single(report.Rendered);
        Assert.Equal(ScreenIds.Idle, rendered.Prompt.ScreenId);
        Assert.Equal(3, _runner.Started.Count);
        Assert.Equal(Encoding.UTF8.GetBytes("Please put your My Number Card on the reader.\n"), _runner.Started.Last().Spec.StandardInput.ToArray());
        var after = PromptManifest.Load(_out).Prompts.Single(e => e.Screen == ScreenIds.Idle);
        Assert.NotEqual(before.TextSha256, after.TextSha256);
        Assert.Equal(changed.Find(ScreenIds.Idle, "en")!.TextSha256, after.TextSha256);

        static PromptCatalog Catalog(string idle, string reading) => PromptCatalog.Create(
            PromptCatalogTests.Tables(("en", new() { ["speech.idle"] = idle, ["speech.reading"] = reading })),
            [ScreenIds.Idle, ScreenIds.Reading]);
    }

    [Fact]
    public async Task A_damaged_or_deleted_wav_is_rendered_again()
    {
        await Renderer.RenderAsync(Catalog, _out, ["en"], force: false, TestContext.Current.CancellationToken);
        var count = _runner.Started.Count;
        await File.WriteAllTextAsync(Path.Combine(_out, "en", "idle.wav"), "not a wav", TestContext.Current.CancellationToken);
        File.Delete(Path.Combine(_out, "en", "pin.wav"));

        var report = await Renderer.RenderAsync(Catalog, _out, ["en"], force: false, TestContext.Current.CancellationToken);

        Assert.Equal(["idle", "pin"], report.Rendered.Select(r => r.Prompt.ScreenId).Order());
        Assert.Equal(count + 2, _runner.Started.Count);
    }

    [Fact]
    public async Task A_missing_tts_program_is_named_with_its_package_and_the_other_languages_still_render()
    {
        _runner.Installed = ["espeak-ng"];

        var report = await Renderer.RenderAsync(Catalog, _out, ["ja", "en"], force: false, TestContext.Current.CancellationToken);

        var missing = Assert.Single(report.MissingTools);
        Assert.Contains("open_jtalk", missing, StringComparison.Ordinal);
        Assert.Contains("apt-get install open-jtalk open-jtalk-mecab-naist-jdic hts-voice-nitech-jp-atr503-m001", missing, StringComparison.Ordinal);
        Assert.False(report.Complete);
        Assert.All(report.Rendered, r => Assert.Equal("en", r.Prompt.Language));
        Assert.Equal(Catalog.Prompts.Count(p => p.Language == "en"), report.Rendered.Count);
        Assert.All(_runner.Started, p => Assert.Equal("/usr/bin/espeak-ng", p.Spec.FileName));
        Assert.DoesNotContain(PromptManifest.Load(_out).Prompts, e => e.Language == "ja");
    }

    [Fact]
    public async Task Missing_espeak_ng_and_missing_open_jtalk_data_name_their_packages()
    {
        _runner.Installed = ["open_jtalk"];
        File.Delete(_settings.OpenJTalkVoice);

        var report = await Renderer.RenderAsync(Catalog, _out, ["ja", "en"], force: false, TestContext.Current.CancellationToken);

        Assert.Empty(report.Rendered);
        Assert.Contains(report.MissingTools, m => m.Contains("apt-get install espeak-ng", StringComparison.Ordinal));
        Assert.Contains(report.MissingTools, m => m.Contains("apt-get install hts-voice-nitech-jp-atr503-m001", StringComparison.Ordinal) && m.Contains("contrib", StringComparison.Ordinal));
        Assert.Empty(_runner.Started);
    }

    [Fact]
    public async Task A_tts_failure_is_reported_and_leaves_no_file_behind()
    {
        _runner.Behaviour = spec => spec.StandardInput.Span.SequenceEqual(Encoding.UTF8.GetBytes("Reading.\n"))
            ? 1
            : Write(FakeProcessRunner.OutputFile(spec)!);
        var catalog = PromptCatalog.Create(
            PromptCatalogTests.Tables(("en", new() { ["speech.idle"] = "Please place your card.", ["speech.reading"] = "Reading." })),
            [ScreenIds.Idle, ScreenIds.Reading]);

        var report = await Renderer.RenderAsync(catalog, _out, null, force: false, TestContext.Current.CancellationToken);

        var failure = Assert.Single(report.Failures);
        Assert.Equal(ScreenIds.Reading, failure.Prompt.ScreenId);
        Assert.Contains("exited with 1", failure.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_out, "en", "reading.wav")));
        Assert.Empty(Directory.EnumerateFiles(_out, "*.tmp*", SearchOption.AllDirectories));
        Assert.Equal([ScreenIds.Idle], PromptManifest.Load(_out).Prompts.Select(e => e.Screen));

        static int Write(string file)
        {
            File.WriteAllBytes(file, FakeProcessRunner.Tone(0.3));
            return 0;
        }
    }

    [Fact]
    public async Task A_tts_that_writes_no_wav_is_a_failure()
    {
        _runner.Behaviour = _ => 0; // exits 0 but writes nothing
        var catalog = PromptCatalog.Create(PromptCatalogTests.Tables(("en", new() { ["speech.idle"] = "Hello." })), [ScreenIds.Idle]);

        var report = await Renderer.RenderAsync(catalog, _out, null, force: false, TestContext.Current.CancellationToken);

        Assert.Contains("no valid WAV", Assert.Single(report.Failures).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_screen_that_is_gone_loses_its_file_and_other_languages_keep_theirs()
    {
        var old = PromptCatalog.Create(
            PromptCatalogTests.Tables(("en", new() { ["speech.idle"] = "Hello.", ["speech.old-screen"] = "Old." }), ("ko", new() { ["speech.idle"] = "안녕하세요." })),
            [ScreenIds.Idle]);
        await Renderer.RenderAsync(old, _out, null, force: false, TestContext.Current.CancellationToken);
        Assert.True(File.Exists(Path.Combine(_out, "en", "old-screen.wav")));

        var current = PromptCatalog.Create(
            PromptCatalogTests.Tables(("en", new() { ["speech.idle"] = "Hello." }), ("ko", new() { ["speech.idle"] = "안녕하세요." })),
            [ScreenIds.Idle]);
        await Renderer.RenderAsync(current, _out, ["en"], force: false, TestContext.Current.CancellationToken);

        Assert.False(File.Exists(Path.Combine(_out, "en", "old-screen.wav")));
        Assert.Equal(["en/idle.wav", "ko/idle.wav"], PromptManifest.Load(_out).Prompts.Select(e => e.File).Order());
    }

    [Fact]
    public async Task An_unknown_language_is_refused()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            Renderer.RenderAsync(Catalog, _out, ["fr"], force: false, TestContext.Current.CancellationToken));
        Assert.Contains("fr", error.Message, StringComparison.Ordinal);
        Assert.Empty(_runner.Started);
    }

    [Fact]
    public async Task Cancelling_kills_the_tts()
    {
        _runner.Behaviour = _ => null; // hangs
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var catalog = PromptCatalog.Create(PromptCatalogTests.Tables(("en", new() { ["speech.idle"] = "Hello." })), [ScreenIds.Idle]);

        var render = Renderer.RenderAsync(catalog, _out, null, force: false, cancel.Token);
        var process = await _runner.NextStartedAsync();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => render);
        Assert.True(process.KillCalled);
    }
}
