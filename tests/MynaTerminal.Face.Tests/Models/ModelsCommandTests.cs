using System.CommandLine;
using System.Text.Json;
using MynaTerminal.Cli;
using MynaTerminal.Face.Models;

using MynaTerminal.Tests.Shared;

namespace MynaTerminal.Face.Tests.Models;

/// <summary><c>mynaterm models fetch|verify</c> (ModelsCommand.cs is compiled into this assembly, see the csproj).</summary>
public sealed class ModelsCommandTests : IAsyncLifetime
{
    private readonly TempFolder _temp = new();
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private readonly ModelCatalog _catalog;
    private readonly Dictionary<string, byte[]> _bytes = [];
    private LocalHttpServer _server = null!;

    public ModelsCommandTests()
    {
        var models = new List<ModelFile>();
        foreach (var (id, inDefault) in new[] { ("det", true), ("emb", true), ("extra", false) })
        {
            var (model, bytes) = TestModels.Make(id, 40_000, inDefault);
            models.Add(model);
            _bytes[id] = bytes;
        }

        _catalog = ModelCatalog.FromModels(models);
    }

    public ValueTask InitializeAsync()
    {
        _server = LocalHttpServer.Start();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _http.Dispose();
        _temp.Dispose();
    }

    private ModelFetcherOptions FromServer => new() { SourceOf = ModelFetcherOptions.FromBaseUri(_server.BaseUri) };

    private void ServeAll()
    {
        foreach (var model in _catalog.All)
        {
            _server.Serve(model.FileName, _bytes[model.Id]);
        }
    }

    private async Task<(int Exit, string Output)> FetchAsync(ModelsCommand.Selection selection, bool interactive = false)
    {
        using var output = new StringWriter();
        var exit = await ModelsCommand.FetchAsync(selection, _http, FromServer, output, interactive, _catalog, TestContext.Current.CancellationToken);
        return (exit, output.ToString());
    }

    private (int Exit, string Output) Verify(ModelsCommand.Selection selection, bool json = false)
    {
        using var output = new StringWriter();
        var exit = ModelsCommand.Verify(selection, json, output, _catalog);
        return (exit, output.ToString());
    }

    [Fact]
    public async Task Fetch_downloads_the_default_set_then_keeps_it()
    {
        ServeAll();
        var selection = new ModelsCommand.Selection(_temp.Path, [], false);

        var (exit, output) = await FetchAsync(selection);

        Assert.Equal(ModelsCommand.ExitOk, exit);
        Assert.Contains("2 model(s): 2 downloaded, 0 already present, 0 failed.", output, StringComparison.Ordinal);
        Assert.Contains("det  downloading det.onnx", output, StringComparison.Ordinal);
        Assert.Contains("sha256 verified", output, StringComparison.Ordinal);
        Assert.DoesNotContain("\r", output, StringComparison.Ordinal);
        Assert.False(File.Exists(_temp.File("extra.onnx")));

        var (again, secondOutput) = await FetchAsync(selection);

        Assert.Equal(ModelsCommand.ExitOk, again);
        Assert.Contains("2 model(s): 0 downloaded, 2 already present, 0 failed.", secondOutput, StringComparison.Ordinal);
        Assert.Equal(1, _server.RequestsFor("det.onnx"));
    }

    [Fact]
    public async Task Fetch_on_a_terminal_draws_a_progress_bar()
    {
        ServeAll();

        var (exit, output) = await FetchAsync(new ModelsCommand.Selection(_temp.Path, ["emb"], false), interactive: true);

        Assert.Equal(ModelsCommand.ExitOk, exit);
        Assert.Contains("\r  emb  [########################] 100%  39.1 KiB / 39.1 KiB", output, StringComparison.Ordinal);
        Assert.Contains("\r  emb  ok  39.1 KiB in ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fetch_model_and_include_sface_select_models()
    {
        var catalog = ModelCatalog.Default;

        Assert.Equal(["mobilefacenet", "minifasnet-v2"],
            ModelsCommand.Select(catalog, new ModelsCommand.Selection("/x", ["mobilefacenet,minifasnet-v2", "mobilefacenet"], false)).Select(m => m.Id));
        Assert.Equal(["yunet-640", "yunet-dynamic", "mobilefacenet", "minifasnet-v2", "minifasnet-v1se", "sface"],
            ModelsCommand.Select(catalog, new ModelsCommand.Selection("/x", [], true)).Select(m => m.Id));
        Assert.Equal(["yunet-dynamic", "sface"],
            ModelsCommand.Select(catalog, new ModelsCommand.Selection("/x", ["yunet-dynamic"], true)).Select(m => m.Id));

        var (exit, output) = await FetchAsync(new ModelsCommand.Selection(_temp.Path, ["det", "nope"], false));
        Assert.Equal(ModelsCommand.ExitUsage, exit);
        Assert.Contains("Unknown face model id 'nope'. Known ids: det, emb, extra.", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fetch_failure_exits_non_zero_and_says_why()
    {
        _server.Serve("det.onnx", _bytes["det"]);
        _server.Serve("emb.onnx", TestModels.Corrupt(_bytes["emb"]));

        var (exit, output) = await FetchAsync(new ModelsCommand.Selection(_temp.Path, [], false));

        Assert.Equal(ModelsCommand.ExitFailed, exit);
        Assert.Contains("emb  FAILED", output, StringComparison.Ordinal);
        Assert.Contains("2 model(s): 1 downloaded, 0 already present, 1 failed.", output, StringComparison.Ordinal);
        Assert.Contains("error: Refusing face model 'emb'", output, StringComparison.Ordinal);
        Assert.Contains("Face authentication cannot start until these model(s) are in place: emb.", output, StringComparison.Ordinal);
        Assert.False(File.Exists(_temp.File("emb.onnx")));
    }

    [Fact]
    public async Task Verify_detects_a_corrupted_file()
    {
        ServeAll();
        var all = new ModelsCommand.Selection(_temp.Path, ["det", "emb", "extra"], false);
        Assert.Equal(ModelsCommand.ExitOk, (await FetchAsync(all)).Exit);
        Assert.Equal(ModelsCommand.ExitOk, Verify(all).Exit);

        await File.WriteAllBytesAsync(_temp.File("emb.onnx"), TestModels.Corrupt(_bytes["emb"]), TestContext.Current.CancellationToken);
        File.Delete(_temp.File("extra.onnx"));
        var (exit, output) = Verify(all);

        Assert.Equal(ModelsCommand.ExitFailed, exit);
        Assert.Matches(@"  ok +det +det\.onnx +39\.1 KiB, sha256 [0-9a-f]{16}… matches", output);
        Assert.Matches(@"  WRONG +emb +emb\.onnx +'[^']+emb\.onnx' has the pinned size but sha256 [0-9a-f]{64}, expected " + _catalog.Get("emb").Sha256, output);
        Assert.Matches(@"  MISSING +extra +extra\.onnx", output);
        Assert.Contains("1 ok, 1 missing, 1 wrong or unreadable.", output, StringComparison.Ordinal);
        Assert.Contains($"Fix: mynaterm models fetch --dir {_temp.Path}", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_json_gives_one_object_per_model()
    {
        File.WriteAllBytes(_temp.File("det.onnx"), _bytes["det"]);
        File.WriteAllBytes(_temp.File("emb.onnx"), _bytes["emb"][..100]);

        var (exit, output) = Verify(new ModelsCommand.Selection(_temp.Path, [], false), json: true);

        Assert.Equal(ModelsCommand.ExitFailed, exit);
        using var document = JsonDocument.Parse(output);
        var root = document.RootElement;
        Assert.Equal("mynaterm.models.verify/1", root.GetProperty("schema").GetString());
        Assert.Equal(_temp.Path, root.GetProperty("folder").GetString());
        Assert.False(root.GetProperty("ok").GetBoolean());
        var models = root.GetProperty("models").EnumerateArray().ToList();
        Assert.Equal(["det", "emb"], models.Select(m => m.GetProperty("id").GetString()));
        Assert.Equal(["ok", "wrongSize"], models.Select(m => m.GetProperty("status").GetString()));
        Assert.Equal(100, models[1].GetProperty("actualSize").GetInt64());
        Assert.Equal(40_000, models[1].GetProperty("expectedSize").GetInt64());
        Assert.Equal(JsonValueKind.Null, models[1].GetProperty("actualSha256").ValueKind);
        Assert.Equal(_catalog.Get("det").Sha256, models[0].GetProperty("actualSha256").GetString());
    }

    [Fact]
    public async Task Command_line_verify_of_an_empty_folder_lists_every_default_model_missing()
    {
        var (exit, output, _) = await InvokeAsync("models", "verify", "--dir", _temp.Path, "--json");

        Assert.Equal(ModelsCommand.ExitFailed, exit);
        using var document = JsonDocument.Parse(output);
        var statuses = document.RootElement.GetProperty("models").EnumerateArray()
            .Select(m => (m.GetProperty("id").GetString(), m.GetProperty("status").GetString())).ToList();
        Assert.Equal(ModelCatalog.Default.DefaultSet.Select(m => (m.Id, "missing")), statuses.Select(s => (s.Item1!, s.Item2!)));
    }

    [Fact]
    public async Task Command_line_usage_errors_exit_2()
    {
        var (badUrl, output, _) = await InvokeAsync("models", "fetch", "--dir", _temp.Path, "--from", "not a url");
        Assert.Equal(ModelsCommand.ExitUsage, badUrl);
        Assert.Contains("--from wants an http(s) URL", output, StringComparison.Ordinal);

        var (unknownOption, _, error) = await InvokeAsync("models", "verify", "--bogus");
        Assert.Equal(ModelsCommand.ExitUsage, unknownOption);
        Assert.Contains("See: mynaterm models verify --help", error, StringComparison.Ordinal);

        var (unknownModel, modelOutput, _) = await InvokeAsync("models", "verify", "--dir", _temp.Path, "--model", "arcface");
        Assert.Equal(ModelsCommand.ExitUsage, unknownModel);
        Assert.Contains("Unknown face model id 'arcface'", modelOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Command_line_fetch_from_a_mirror_gets_the_real_pinned_files()
    {
        var shared = SharedModels.RequireFolder();
        var model = ModelCatalog.Default.Get("yunet-dynamic");
        _server.Serve(model.FileName, await File.ReadAllBytesAsync(Path.Combine(shared, model.FileName), TestContext.Current.CancellationToken));

        var (exit, output, _) = await InvokeAsync("models", "fetch", "--dir", _temp.Path, "--model", "yunet-dynamic", "--from", _server.BaseUri.AbsoluteUri);

        Assert.True(exit == ModelsCommand.ExitOk, output);
        Assert.Contains("1 model(s): 1 downloaded", output, StringComparison.Ordinal);
        Assert.Equal(ModelsCommand.ExitOk, (await InvokeAsync("models", "verify", "--dir", _temp.Path, "--model", "yunet-dynamic")).Exit);
    }

    private static async Task<(int Exit, string Output, string Error)> InvokeAsync(params string[] args)
    {
        var root = new RootCommand("test");
        root.Subcommands.Add(ModelsCommand.Create());
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, TestContext.Current.CancellationToken);
        return (exit, output.ToString(), error.ToString());
    }
}
