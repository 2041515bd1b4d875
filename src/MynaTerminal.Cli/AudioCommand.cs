using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using MynaTerminal.Audio;

namespace MynaTerminal.Cli;

/// <summary>
/// <c>mynaterm audio render</c>: pre-render the spoken prompt of every screen in every language (one WAV each, with
/// open_jtalk for Japanese and espeak-ng for the others) plus the key click and a manifest, into the prompts folder
/// the terminal plays from. Up-to-date prompts are skipped; a changed text is rendered again.
/// </summary>
public static class AudioCommand
{
    /// <summary>Every prompt is rendered or up to date.</summary>
    public const int ExitOk = 0;

    /// <summary>A TTS program is missing, or a prompt failed to render.</summary>
    public const int ExitFailed = 1;

    /// <summary>Bad arguments (unknown language).</summary>
    public const int ExitUsage = 2;

    /// <summary>Rendered, but some screen has no usable prompt in some language (see the warnings).</summary>
    public const int ExitIncomplete = 3;

    public static Command Create()
    {
        var command = new Command("audio", "Audio guidance: pre-render the spoken screen prompts (render).");
        command.Subcommands.Add(CreateRender());
        return command;
    }

    private static Command CreateRender()
    {
        var output = new Option<string?>("--out")
        {
            Description = $"The prompts folder (default: Audio:PromptsPath, {AudioOptions.DefaultPromptsPath}).",
            HelpName = "DIR",
        };
        var languages = new Option<string[]>("--languages")
        {
            Description = "Only these languages (comma-separated or repeated), e.g. ja,en. Default: every language of the text resources.",
            HelpName = "LANG",
            AllowMultipleArgumentsPerToken = true,
        };
        var force = new Option<bool>("--force") { Description = "Render every prompt again, even when it is up to date." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Only list the prompts (screen, language, voice, text); render nothing." };
        var command = new Command("render",
            "Render one WAV per screen and language from the text resources (open_jtalk for Japanese, espeak-ng for the other " +
            "languages), the key click and manifest.json. Prompts whose text and voice are unchanged are skipped.")
        {
            output, languages, force, dryRun,
        };
        command.Action = new UsageAwareAction(async (parse, cancellationToken) =>
        {
            var folder = parse.GetValue(output);
            if (string.IsNullOrWhiteSpace(folder))
            {
                var configured = CliConfiguration.Load().GetSection(AudioOptions.Section)[nameof(AudioOptions.PromptsPath)];
                folder = string.IsNullOrWhiteSpace(configured) ? AudioOptions.DefaultPromptsPath : configured;
            }

            var selected = (parse.GetValue(languages) ?? [])
                .SelectMany(l => l.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                .Distinct(StringComparer.Ordinal)
                .ToArray();
            return await RenderAsync(
                PromptCatalog.FromScreenTexts(), folder, selected, parse.GetValue(force), parse.GetValue(dryRun),
                new SystemProcessRunner(), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, cancellationToken);
        });
        return command;
    }

    /// <summary>The render, with its printing and exit codes.</summary>
    public static async Task<int> RenderAsync(
        PromptCatalog catalog, string folder, IReadOnlyList<string> languages, bool force, bool dryRun, IProcessRunner runner,
        TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var unknown = languages.Where(l => !catalog.Languages.Contains(l)).ToArray();
        if (unknown.Length > 0)
        {
            await error.WriteLineAsync($"error: no text table for {string.Join(", ", unknown)}; the languages are {string.Join(", ", catalog.Languages)}.").ConfigureAwait(false);
            return ExitUsage;
        }

        if (dryRun)
        {
            foreach (var prompt in catalog.Prompts.Where(p => languages.Count == 0 || languages.Contains(p.Language)))
            {
                string voice;
                try
                {
                    voice = TtsVoice.For(prompt.Language, catalog.DeclaredVoice(prompt.Language), catalog.TextsOf(prompt.Language)).ToString();
                }
                catch (FormatException e)
                {
                    voice = "(" + e.Message + ")";
                }

                await output.WriteLineAsync($"{prompt.RelativeFile}\t{voice}\t{prompt.SourceKey}\t{prompt.Text}").ConfigureAwait(false);
            }

            foreach (var problem in catalog.Problems.Where(p => languages.Count == 0 || languages.Contains(p.Language)))
            {
                await error.WriteLineAsync($"warning: {problem}").ConfigureAwait(false);
            }

            return ExitOk;
        }

        var report = await new PromptRenderer(runner).RenderAsync(catalog, folder, languages, force, cancellationToken).ConfigureAwait(false);
        foreach (var rendered in report.Rendered)
        {
            await output.WriteLineAsync($"rendered {rendered.Prompt.RelativeFile} ({rendered.Voice})").ConfigureAwait(false);
        }

        foreach (var problem in report.Problems)
        {
            await error.WriteLineAsync($"warning: no prompt for {problem}").ConfigureAwait(false);
        }

        foreach (var failure in report.Failures)
        {
            await error.WriteLineAsync($"error: {failure}").ConfigureAwait(false);
        }

        foreach (var missing in report.MissingTools)
        {
            await error.WriteLineAsync($"error: {missing}").ConfigureAwait(false);
        }

        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"audio: {report.Rendered.Count} rendered, {report.UpToDate.Count} up to date, {report.Failures.Count} failed in {report.Elapsed.TotalSeconds:0.0} s → {folder}")).ConfigureAwait(false);
        return report.Failures.Count > 0 || report.MissingTools.Count > 0 ? ExitFailed
            : report.Problems.Count > 0 ? ExitIncomplete
            : ExitOk;
    }
}
