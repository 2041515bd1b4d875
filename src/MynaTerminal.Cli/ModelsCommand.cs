using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MynaTerminal.Face.Models;

namespace MynaTerminal.Cli;

/// <summary>
/// <c>mynaterm models</c>: put the pinned face models in place (<c>fetch</c>) and check them (<c>verify</c>).
/// The models, their sizes, SHA-256 and pinned URLs come from the embedded manifest (<see cref="ModelCatalog"/>).
/// </summary>
public static class ModelsCommand
{
    /// <summary>All models are in place (fetch) / all checked models are valid (verify).</summary>
    public const int ExitOk = 0;

    /// <summary>At least one model could not be fetched / is missing or wrong.</summary>
    public const int ExitFailed = 1;

    /// <summary>Bad arguments (unknown model id, bad --from URL).</summary>
    public const int ExitUsage = 2;

    /// <summary>The optional model that <c>--include-sface</c> adds.</summary>
    public const string SfaceId = "sface";

    public static Command Create()
    {
        var command = new Command("models", "Download (fetch) and check (verify) the pinned ONNX face models in the models folder.");
        command.Subcommands.Add(CreateFetch());
        command.Subcommands.Add(CreateVerify());
        return command;
    }

    /// <summary>Which models and where.</summary>
    /// <param name="Folder">The models folder.</param>
    /// <param name="ModelIds">Only these ids (empty: the default set).</param>
    /// <param name="IncludeSface">Add the optional SFace model to the default set.</param>
    public sealed record Selection(string Folder, IReadOnlyList<string> ModelIds, bool IncludeSface);

    private static Option<string> DirOption() => new("--dir")
    {
        Description = "The models folder.",
        HelpName = "DIR",
        DefaultValueFactory = _ => ModelStore.DefaultFolder,
    };

    private static Option<string[]> ModelOption(string verb) => new("--model")
    {
        Description = $"Only {verb} these model ids (repeatable, or comma-separated): {ModelCatalog.Default.KnownIds}.",
        HelpName = "ID",
        AllowMultipleArgumentsPerToken = true,
    };

    private static Option<bool> SfaceOption(string verb) => new("--include-sface")
    {
        Description = $"Also {verb} the optional OpenCV SFace recognizer (fp32, 36.9 MiB; not in the default set).",
    };

    private static Command CreateFetch()
    {
        var dir = DirOption();
        var model = ModelOption("fetch");
        var sface = SfaceOption("fetch");
        var from = new Option<string?>("--from")
        {
            Description = "Fetch from this base URL (a local mirror holding the files by name) instead of the pinned upstream URLs.",
            HelpName = "URL",
        };
        var command = new Command("fetch",
            "Download the pinned face models into the models folder. Files that already match are kept; each download is checked " +
            "against its pinned size and sha256 before it replaces anything.")
        {
            dir, model, sface, from,
        };
        command.Action = new UsageAwareAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            Uri? baseUri = null;
            if (parse.GetValue(from) is { } text &&
                (!Uri.TryCreate(text, UriKind.Absolute, out baseUri) || (baseUri.Scheme != Uri.UriSchemeHttp && baseUri.Scheme != Uri.UriSchemeHttps)))
            {
                await output.WriteLineAsync($"error: --from wants an http(s) URL, not '{text}'.").ConfigureAwait(false);
                return ExitUsage;
            }

            var selection = new Selection(parse.GetValue(dir)!, parse.GetValue(model) ?? [], parse.GetValue(sface));
            using var http = CreateHttpClient();
            var options = baseUri is null ? null : new ModelFetcherOptions { SourceOf = ModelFetcherOptions.FromBaseUri(baseUri) };
            var interactive = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
            return await FetchAsync(selection, http, options, output, interactive, null, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static Command CreateVerify()
    {
        var dir = DirOption();
        var model = ModelOption("verify");
        var sface = SfaceOption("verify");
        var json = new Option<bool>("--json") { Description = "One JSON object (camelCase) instead of text." };
        var command = new Command("verify", "Check each model in the models folder: ok, missing, wrong size or wrong sha256.")
        {
            dir, model, sface, json,
        };
        command.Action = new UsageAwareAction((parse, _) =>
        {
            var selection = new Selection(parse.GetValue(dir)!, parse.GetValue(model) ?? [], parse.GetValue(sface));
            return Task.FromResult(Verify(selection, parse.GetValue(json), parse.InvocationConfiguration.Output, null));
        });
        return command;
    }

    /// <summary>The client for the pinned URLs: honours HTTPS_PROXY, follows redirects (GitHub LFS media), no overall time-out
    /// (<see cref="ModelFetcher"/> watches the connection and stalls itself).</summary>
    public static HttpClient CreateHttpClient()
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(20),
            AllowAutoRedirect = true,
            MaxAutomaticRedirections = 5,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
        };
        var http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.UserAgent.ParseAdd($"mynaterm/{typeof(ModelsCommand).Assembly.GetName().Version?.ToString(3) ?? "0"}");
        return http;
    }

    /// <summary>The models a selection names.</summary>
    /// <exception cref="KeyNotFoundException">An unknown id (the message lists the known ones).</exception>
    public static IReadOnlyList<ModelFile> Select(ModelCatalog catalog, Selection selection)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(selection);
        var ids = selection.ModelIds
            .SelectMany(id => id.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToList();
        if (selection.IncludeSface && catalog.TryGet(SfaceId, out _))
        {
            ids.AddRange(ids.Count == 0 ? catalog.DefaultSet.Select(m => m.Id).Append(SfaceId) : [SfaceId]);
        }

        return ids.Count == 0
            ? catalog.DefaultSet
            : [.. ids.Select(catalog.Get).DistinctBy(m => m.Id)];
    }

    /// <summary>
    /// <c>mynaterm models fetch</c>: fetches the selected models with <paramref name="http"/> into the folder, drawing a
    /// progress bar per file when <paramref name="interactive"/> (a terminal) or plain lines otherwise.
    /// </summary>
    /// <returns>0 when every selected model is in place, 1 when one failed, 2 for an unknown model id.</returns>
    public static async Task<int> FetchAsync(
        Selection selection, HttpClient http, ModelFetcherOptions? options, TextWriter output, bool interactive, ModelCatalog? catalog,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(selection);
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(output);
        catalog ??= ModelCatalog.Default;
        IReadOnlyList<ModelFile> models;
        try
        {
            models = Select(catalog, selection);
        }
        catch (KeyNotFoundException ex)
        {
            await output.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return ExitUsage;
        }

        var folder = Path.GetFullPath(selection.Folder);
        var total = models.Sum(m => m.Size);
        await output.WriteLineAsync($"Fetching {models.Count} face model(s), {FormatBytes(total)}, into {folder}").ConfigureAwait(false);
        var printer = new ProgressPrinter(output, interactive, models.Max(m => m.Id.Length));
        IReadOnlyList<ModelFetchResult> results;
        try
        {
            results = await new ModelFetcher(http, options).FetchAsync(models, folder, printer, cancellationToken).ConfigureAwait(false);
        }
        catch (ModelFetchException ex)
        {
            printer.EndLine();
            await output.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return ExitFailed;
        }
        catch (OperationCanceledException)
        {
            printer.EndLine();
            await output.WriteLineAsync("Cancelled; the file being downloaded was discarded (files already verified stay).").ConfigureAwait(false);
            return ExitFailed;
        }

        var failed = results.Where(r => !r.IsOk).ToList();
        var downloaded = results.Count(r => r.Outcome == ModelFetchOutcome.Downloaded);
        var kept = results.Count(r => r.Outcome == ModelFetchOutcome.AlreadyValid);
        await output.WriteLineAsync(
            $"{results.Count} model(s): {downloaded} downloaded, {kept} already present, {failed.Count} failed.").ConfigureAwait(false);
        if (failed.Count == 0)
        {
            return ExitOk;
        }

        foreach (var failure in failed)
        {
            await output.WriteLineAsync($"error: {failure.Error?.Message}").ConfigureAwait(false);
        }

        await output.WriteLineAsync(
            $"Face authentication cannot start until these model(s) are in place: {string.Join(", ", failed.Select(f => f.Model.Id))}.").ConfigureAwait(false);
        return ExitFailed;
    }

    /// <summary><c>mynaterm models verify</c>: checks the selected models in the folder.</summary>
    /// <returns>0 when all are ok, 1 when one is missing or wrong, 2 for an unknown model id.</returns>
    public static int Verify(Selection selection, bool json, TextWriter output, ModelCatalog? catalog)
    {
        ArgumentNullException.ThrowIfNull(selection);
        ArgumentNullException.ThrowIfNull(output);
        catalog ??= ModelCatalog.Default;
        IReadOnlyList<ModelFile> models;
        try
        {
            models = Select(catalog, selection);
        }
        catch (KeyNotFoundException ex)
        {
            output.WriteLine(json ? ErrorJson(ex.Message) : $"error: {ex.Message}");
            return ExitUsage;
        }

        var store = new ModelStore(selection.Folder, catalog);
        var checks = store.VerifyAll(models);
        var allOk = checks.All(c => c.IsOk);
        if (json)
        {
            output.WriteLine(VerifyJson(store.Folder, checks));
            return allOk ? ExitOk : ExitFailed;
        }

        output.WriteLine($"Face models in {store.Folder}:");
        var idWidth = checks.Max(c => c.Model.Id.Length);
        var fileWidth = checks.Max(c => c.Model.FileName.Length);
        foreach (var check in checks)
        {
            var label = check.Status switch
            {
                ModelStatus.Ok => "ok",
                ModelStatus.Missing => "MISSING",
                ModelStatus.Unreadable => "UNREADABLE",
                _ => "WRONG",
            };
            var detail = check.IsOk ? $"{FormatBytes(check.Model.Size)}, sha256 {check.Model.Sha256[..16]}… matches" : check.Detail;
            output.WriteLine($"  {label,-10} {check.Model.Id.PadRight(idWidth)}  {check.Model.FileName.PadRight(fileWidth)}  {detail}");
        }

        var missing = checks.Count(c => c.Status == ModelStatus.Missing);
        var wrong = checks.Count - missing - checks.Count(c => c.IsOk);
        output.WriteLine($"{checks.Count(c => c.IsOk)} ok, {missing} missing, {wrong} wrong or unreadable.");
        if (!allOk)
        {
            output.WriteLine($"Fix: mynaterm models fetch --dir {ShellQuote(store.Folder)}" +
                (models.Any(m => m.Id == SfaceId) ? " --include-sface" : string.Empty) +
                " (downloads the missing and wrong files; valid ones are kept).");
        }

        return allOk ? ExitOk : ExitFailed;
    }

    private static string VerifyJson(string folder, IReadOnlyList<ModelCheck> checks)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("schema", "mynaterm.models.verify/1");
            writer.WriteString("folder", folder);
            writer.WriteBoolean("ok", checks.All(c => c.IsOk));
            writer.WriteStartArray("models");
            foreach (var check in checks)
            {
                writer.WriteStartObject();
                writer.WriteString("id", check.Model.Id);
                writer.WriteString("file", check.Model.FileName);
                writer.WriteString("role", check.Model.Role.ToString().ToLowerInvariant());
                writer.WriteString("path", check.Path);
                writer.WriteString("status", check.StatusName);
                writer.WriteNumber("expectedSize", check.Model.Size);
                if (check.ActualSize is { } size)
                {
                    writer.WriteNumber("actualSize", size);
                }
                else
                {
                    writer.WriteNull("actualSize");
                }

                writer.WriteString("expectedSha256", check.Model.Sha256);
                writer.WriteString("actualSha256", check.ActualSha256);
                writer.WriteString("detail", check.Detail);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string ErrorJson(string message)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("schema", "mynaterm.models.verify/1");
            writer.WriteBoolean("ok", false);
            writer.WriteString("error", message);
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string ShellQuote(string text) =>
        text.Length > 0 && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or '+' or ':' or '@' or ',')
            ? text
            : "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    internal static string FormatBytes(double bytes) => bytes switch
    {
        >= 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024 * 1024):0.0} MiB"),
        >= 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024:0.0} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes:0} B"),
    };

    /// <summary>
    /// Prints fetch progress synchronously (so lines never interleave): on a terminal one line per file redrawn with
    /// <c>\r</c> (bar, percent, bytes, rate); redirected, plain lines at the start, every quarter and the end.
    /// </summary>
    private sealed class ProgressPrinter(TextWriter output, bool interactive, int idWidth) : IProgress<ModelFetchProgress>
    {
        private const int BarWidth = 24;
        private int _openLineLength;
        private int _lastQuarter;

        public void Report(ModelFetchProgress value)
        {
            var id = value.Model.Id.PadRight(idWidth);
            switch (value.Stage)
            {
                case ModelFetchStage.AlreadyValid:
                    EndLine();
                    output.WriteLine($"  {id}  already present, sha256 ok ({value.Model.FileName})");
                    break;
                case ModelFetchStage.Downloading when interactive:
                {
                    var filled = (int)Math.Round(value.Fraction * BarWidth);
                    var line = $"  {id}  [{new string('#', filled)}{new string('-', BarWidth - filled)}] {value.Fraction * 100,3:0}%  " +
                        $"{FormatBytes(value.BytesReceived)} / {FormatBytes(value.TotalBytes)}  {FormatBytes(value.BytesPerSecond)}/s";
                    output.Write("\r" + line.PadRight(_openLineLength));
                    _openLineLength = line.Length;
                    output.Flush();
                    break;
                }

                case ModelFetchStage.Downloading:
                {
                    if (value.BytesReceived == 0)
                    {
                        _lastQuarter = 0;
                        output.WriteLine($"  {id}  downloading {value.Model.FileName} ({FormatBytes(value.TotalBytes)})");
                        break;
                    }

                    var quarter = (int)(value.Fraction * 4);
                    if (quarter > _lastQuarter && quarter < 4)
                    {
                        _lastQuarter = quarter;
                        output.WriteLine($"  {id}  {quarter * 25}%  {FormatBytes(value.BytesReceived)} / {FormatBytes(value.TotalBytes)}  {FormatBytes(value.BytesPerSecond)}/s");
                    }

                    break;
                }

                case ModelFetchStage.Completed:
                {
                    var line = $"  {id}  ok  {FormatBytes(value.TotalBytes)} in {value.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s " +
                        $"({FormatBytes(value.BytesPerSecond)}/s), sha256 verified";
                    output.WriteLine((interactive ? "\r" + line.PadRight(_openLineLength) : line).TrimEnd());
                    _openLineLength = 0;
                    break;
                }

                case ModelFetchStage.Failed:
                {
                    var line = $"  {id}  FAILED (details below)";
                    output.WriteLine((interactive ? "\r" + line.PadRight(_openLineLength) : line).TrimEnd());
                    _openLineLength = 0;
                    break;
                }
            }
        }

        public void EndLine()
        {
            if (interactive && _openLineLength > 0)
            {
                output.WriteLine();
                _openLineLength = 0;
            }
        }
    }

}
