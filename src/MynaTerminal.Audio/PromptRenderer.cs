namespace MynaTerminal.Audio;

/// <summary>A prompt and the WAV it has (rendered now, or up to date from before).</summary>
public sealed record RenderedPrompt(Prompt Prompt, TtsVoice Voice, string File);

/// <summary>A prompt the TTS failed to render, and why.</summary>
public sealed record RenderFailure(Prompt Prompt, string Message)
{
    public override string ToString() => $"{Prompt.ScreenId} [{Prompt.Language}]: {Message}";
}

/// <summary>What a render did.</summary>
public sealed record RenderReport(
    IReadOnlyList<RenderedPrompt> Rendered,
    IReadOnlyList<RenderedPrompt> UpToDate,
    IReadOnlyList<PromptProblem> Problems,
    IReadOnlyList<RenderFailure> Failures,
    IReadOnlyList<string> MissingTools,
    TimeSpan Elapsed)
{
    /// <summary>Everything of the catalog was rendered or up to date.</summary>
    public bool Complete => Problems.Count == 0 && Failures.Count == 0 && MissingTools.Count == 0;
}

/// <summary>
/// Pre-renders the prompts of a <see cref="PromptCatalog"/> into a prompts folder: one WAV per (screen, language)
/// at <c>&lt;language&gt;/&lt;screenId&gt;.wav</c>, the key click, and <c>manifest.json</c>. A prompt whose text SHA-256
/// and voice match the manifest and whose WAV is valid is skipped; anything else is rendered again.
/// </summary>
public sealed class PromptRenderer
{
    private readonly IProcessRunner _runner;
    private readonly TtsSettings _settings;
    private readonly TimeProvider _time;

    public PromptRenderer(IProcessRunner runner, TtsSettings? settings = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(runner);
        _runner = runner;
        _settings = settings ?? new TtsSettings();
        _time = time ?? TimeProvider.System;
    }

    /// <summary>How many TTS programs run at once (default: one per processor).</summary>
    public int MaxParallel { get; init; } = Environment.ProcessorCount;

    /// <summary>Renders the prompts of <paramref name="languages"/> (null: every language of the catalog).</summary>
    /// <exception cref="ArgumentException">A language the catalog does not have.</exception>
    public async Task<RenderReport> RenderAsync(
        PromptCatalog catalog, string outputFolder, IReadOnlyCollection<string>? languages, bool force, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputFolder);
        var started = _time.GetTimestamp();
        var selected = SelectLanguages(catalog, languages);
        var problems = catalog.Problems.Where(p => selected.Contains(p.Language)).ToList();

        // The voice of each language; a language whose declared voice is unusable renders nothing.
        var voices = new Dictionary<string, TtsVoice>(StringComparer.Ordinal);
        foreach (var language in selected)
        {
            try
            {
                voices[language] = TtsVoice.For(language, catalog.DeclaredVoice(language), catalog.TextsOf(language));
            }
            catch (FormatException e)
            {
                problems.Add(new PromptProblem("*", language, e.Message));
            }
        }

        Directory.CreateDirectory(outputFolder);
        var old = PromptManifest.Load(outputFolder);
        var oldEntries = old.Prompts.ToDictionary(e => (e.Screen, e.Language));
        var upToDate = new List<RenderedPrompt>();
        var stale = new List<RenderedPrompt>();
        foreach (var prompt in catalog.Prompts.Where(p => voices.ContainsKey(p.Language)))
        {
            var voice = voices[prompt.Language];
            var item = new RenderedPrompt(prompt, voice, Path.Combine(outputFolder, prompt.Language, prompt.ScreenId + ".wav"));
            var current = !force &&
                          oldEntries.TryGetValue((prompt.ScreenId, prompt.Language), out var entry) &&
                          entry.TextSha256 == prompt.TextSha256 &&
                          entry.Voice == voice.ToString() &&
                          entry.File == prompt.RelativeFile &&
                          IsValidWave(item.File);
            (current ? upToDate : stale).Add(item);
        }

        // Every program a prompt to render needs, checked before anything is rendered. A missing one is reported
        // (with its Debian package) and its languages are left out; the other languages are still rendered.
        var executables = new Dictionary<TtsEngine, string>();
        var missing = new List<string>();
        foreach (var engine in stale.GroupBy(s => s.Voice.Engine).ToArray())
        {
            try
            {
                executables[engine.Key] = TtsCommands.Require(
                    engine.Key, _settings, _runner, engine.Select(s => s.Prompt.Language).Distinct(StringComparer.Ordinal));
            }
            catch (TtsNotInstalledException e)
            {
                missing.Add(e.Message);
                stale.RemoveAll(s => s.Voice.Engine == engine.Key);
            }
        }

        var rendered = new List<RenderedPrompt>();
        var failures = new List<RenderFailure>();
        var gate = new object();
        await Parallel.ForEachAsync(
            stale,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, MaxParallel), CancellationToken = cancellationToken },
            async (item, token) =>
            {
                var failure = await RenderOneAsync(item, executables[item.Voice.Engine], token).ConfigureAwait(false);
                lock (gate)
                {
                    if (failure is null)
                    {
                        rendered.Add(item);
                    }
                    else
                    {
                        failures.Add(new RenderFailure(item.Prompt, failure));
                    }
                }
            }).ConfigureAwait(false);

        var keyClick = Path.Combine(outputFolder, PromptFiles.KeyClickName);
        if (force || !IsValidWave(keyClick))
        {
            await WriteAtomicallyAsync(keyClick, WaveFile.KeyClick(), cancellationToken).ConfigureAwait(false);
        }

        await SaveManifestAsync(catalog, outputFolder, old, selected, upToDate.Concat(rendered), cancellationToken).ConfigureAwait(false);
        var order = catalog.Prompts.Select((p, i) => (p, i)).ToDictionary(x => (x.p.ScreenId, x.p.Language), x => x.i);
        return new RenderReport(
            rendered.OrderBy(r => order[(r.Prompt.ScreenId, r.Prompt.Language)]).ToArray(),
            upToDate,
            problems,
            failures.OrderBy(f => order[(f.Prompt.ScreenId, f.Prompt.Language)]).ToArray(),
            missing,
            _time.GetElapsedTime(started));
    }

    /// <summary>True when <paramref name="file"/> exists and is a RIFF/WAVE file with sound in it.</summary>
    public static bool IsValidWave(string file)
    {
        try
        {
            return File.Exists(file) && WaveFile.TryRead(File.ReadAllBytes(file)) is { DataLength: > 0 };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static HashSet<string> SelectLanguages(PromptCatalog catalog, IReadOnlyCollection<string>? languages)
    {
        if (languages is null || languages.Count == 0)
        {
            return catalog.Languages.ToHashSet(StringComparer.Ordinal);
        }

        var unknown = languages.Where(l => !catalog.Languages.Contains(l)).ToArray();
        if (unknown.Length > 0)
        {
            throw new ArgumentException(
                $"No text table for {string.Join(", ", unknown)}; the languages are {string.Join(", ", catalog.Languages)}.", nameof(languages));
        }

        return languages.ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Renders one prompt into a temporary file, checks it, then moves it in place. Null, or why it failed.</summary>
    private async Task<string?> RenderOneAsync(RenderedPrompt item, string executable, CancellationToken cancellationToken)
    {
        var folder = Path.GetDirectoryName(item.File)!;
        Directory.CreateDirectory(folder);
        var temporary = Path.Combine(folder, $".{item.Prompt.ScreenId}.{Guid.NewGuid():N}.tmp.wav");
        try
        {
            var spec = TtsCommands.For(item.Voice, item.Prompt.Text, temporary, _settings, executable);
            var exit = await _runner.RunAsync(spec, cancellationToken).ConfigureAwait(false);
            if (exit.ExitCode != 0)
            {
                return $"{item.Voice} exited with {exit.ExitCode}: {LastLine(exit.StandardError)}";
            }

            if (!IsValidWave(temporary))
            {
                return $"{item.Voice} wrote no valid WAV file";
            }

            File.Move(temporary, item.File, overwrite: true);
            return null;
        }
        finally
        {
            TryDelete(temporary);
        }
    }

    private static async Task SaveManifestAsync(
        PromptCatalog catalog, string outputFolder, PromptManifest old, HashSet<string> selected, IEnumerable<RenderedPrompt> current,
        CancellationToken cancellationToken)
    {
        var entries = current
            .Select(r => new ManifestEntry(r.Prompt.ScreenId, r.Prompt.Language, r.Prompt.RelativeFile, r.Prompt.TextSha256, r.Voice.ToString(), r.Prompt.Text))
            .ToList();

        foreach (var entry in old.Prompts)
        {
            if (!selected.Contains(entry.Language))
            {
                // Languages not rendered this time keep what they had.
                entries.Add(entry);
            }
            else if (catalog.Find(entry.Screen, entry.Language) is null && PromptFiles.PathFor(outputFolder, entry.Screen, entry.Language) is { } orphan)
            {
                // A screen (or prompt) that is gone: its file goes too.
                TryDelete(orphan);
            }
        }

        var order = catalog.Prompts.Select((p, i) => (p, i)).ToDictionary(x => (x.p.ScreenId, x.p.Language), x => x.i);
        var sorted = entries
            .OrderBy(e => order.TryGetValue((e.Screen, e.Language), out var i) ? i : int.MaxValue)
            .ThenBy(e => e.Language, StringComparer.Ordinal)
            .ThenBy(e => e.Screen, StringComparer.Ordinal)
            .ToArray();
        await new PromptManifest(PromptManifest.CurrentSchema, PromptFiles.KeyClickName, sorted).SaveAsync(outputFolder, cancellationToken).ConfigureAwait(false);
    }

    private static async Task WriteAtomicallyAsync(string file, byte[] bytes, CancellationToken cancellationToken)
    {
        var temporary = file + ".tmp";
        await File.WriteAllBytesAsync(temporary, bytes, cancellationToken).ConfigureAwait(false);
        File.Move(temporary, file, overwrite: true);
    }

    private static string LastLine(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "(no message)" : lines[^1];
    }

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort.
        }
    }
}
