using System.Collections.Concurrent;
using MynaTerminal.Face.Models;

namespace MynaTerminal.Face.Tests.Models;

public sealed class ModelFetcherTests : IAsyncLifetime
{
    private readonly TempFolder _temp = new();
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private LocalHttpServer _server = null!;

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

    private ModelFetcher Fetcher(Uri? baseUri = null, TimeSpan? responseTimeout = null, TimeSpan? stallTimeout = null) =>
        new(_http, new ModelFetcherOptions
        {
            SourceOf = ModelFetcherOptions.FromBaseUri(baseUri ?? _server.BaseUri),
            ResponseTimeout = responseTimeout ?? TimeSpan.FromSeconds(30),
            StallTimeout = stallTimeout ?? TimeSpan.FromSeconds(30),
        });

    private string Folder => Path.Combine(_temp.Path, "var", "lib", "models");

    private void AssertNothingLeft(ModelFile model)
    {
        Assert.False(File.Exists(Path.Combine(Folder, model.FileName)), "the model file must not exist");
        Assert.False(File.Exists(Path.Combine(Folder, model.FileName + ".part")), "the part file must be deleted");
    }

    [Fact]
    public async Task Downloads_verifies_and_moves_into_place_creating_the_folder()
    {
        var (model, bytes) = TestModels.Make("embedder-a", 300_000);
        _server.Serve(model.FileName, bytes);
        var events = new ConcurrentQueue<ModelFetchProgress>();

        var results = await Fetcher().FetchAsync([model], Folder, new SyncProgress(events.Enqueue), TestContext.Current.CancellationToken);

        var result = Assert.Single(results);
        Assert.Equal(ModelFetchOutcome.Downloaded, result.Outcome);
        Assert.True(result.IsOk);
        Assert.Null(result.Error);
        Assert.Equal(300_000, result.BytesDownloaded);
        Assert.Equal(Path.Combine(Folder, model.FileName), result.Path);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(result.Path, TestContext.Current.CancellationToken));
        Assert.False(File.Exists(result.Path + ".part"));
        Assert.True(new ModelStore(Folder, ModelCatalog.FromModels([model])).Check(model).IsOk);

        var stages = events.Select(e => e.Stage).ToList();
        Assert.Equal(ModelFetchStage.Downloading, stages[0]);
        Assert.Equal(0, events.First().BytesReceived);
        Assert.Equal(ModelFetchStage.Completed, stages[^1]);
        Assert.Equal(300_000, events.Last().BytesReceived);
        Assert.Equal(1.0, events.Last().Fraction);
        Assert.Contains(events, e => e.Stage == ModelFetchStage.Downloading && e.BytesReceived == 300_000);
        Assert.Equal(1, _server.RequestsFor(model.FileName));
    }

    [Fact]
    public async Task Wrong_hash_is_rejected_and_no_file_is_left()
    {
        var (model, bytes) = TestModels.Make("embedder-b", 100_000);
        _server.Serve(model.FileName, TestModels.Corrupt(bytes));

        var result = Assert.Single(await Fetcher().FetchAsync([model], Folder, null, TestContext.Current.CancellationToken));

        Assert.Equal(ModelFetchOutcome.Failed, result.Outcome);
        Assert.Equal(ModelFetchFailure.WrongHash, result.Error!.Failure);
        Assert.Contains(model.Sha256, result.Error.Message, StringComparison.Ordinal);
        Assert.Contains("'embedder-b'", result.Error.Message, StringComparison.Ordinal);
        AssertNothingLeft(model);
    }

    [Fact]
    public async Task Announced_wrong_length_is_refused_before_writing()
    {
        var (model, bytes) = TestModels.Make("liveness-a", 10_000);
        _server.Serve(model.FileName, bytes[..9_000]);

        var result = Assert.Single(await Fetcher().FetchAsync([model], Folder, null, TestContext.Current.CancellationToken));

        Assert.Equal(ModelFetchFailure.WrongSize, result.Error!.Failure);
        Assert.Contains("announces 9,000 bytes", result.Error.Message, StringComparison.Ordinal);
        AssertNothingLeft(model);
    }

    [Fact]
    public async Task Longer_body_without_a_length_is_cut_off_and_refused()
    {
        var (model, bytes) = TestModels.Make("liveness-b", 10_000);
        _server.Serve(model.FileName, [.. bytes, .. bytes], ServeMode.NoContentLength);

        var result = Assert.Single(await Fetcher().FetchAsync([model], Folder, null, TestContext.Current.CancellationToken));

        Assert.Equal(ModelFetchFailure.WrongSize, result.Error!.Failure);
        Assert.Contains("longer than the pinned 10,000 bytes", result.Error.Message, StringComparison.Ordinal);
        AssertNothingLeft(model);
    }

    [Fact]
    public async Task A_git_lfs_pointer_body_is_refused_with_a_hint()
    {
        var (model, _) = TestModels.Make("sface-like", 10_000);
        var pointer = "version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 10000\n"u8.ToArray();
        _server.Serve(model.FileName, pointer, ServeMode.NoContentLength);

        var result = Assert.Single(await Fetcher().FetchAsync([model], Folder, null, TestContext.Current.CancellationToken));

        Assert.Equal(ModelFetchFailure.WrongSize, result.Error!.Failure);
        Assert.Contains("Git LFS pointer", result.Error.Message, StringComparison.Ordinal);
        AssertNothingLeft(model);
    }

    [Fact]
    public async Task Connection_closed_midway_is_an_interruption_and_no_file_is_left()
    {
        var (model, bytes) = TestModels.Make("detector-c", 200_000);
        _server.Serve(model.FileName, bytes, ServeMode.CutShort);

        var result = Assert.Single(await Fetcher().FetchAsync([model], Folder, null, TestContext.Current.CancellationToken));

        Assert.Equal(ModelFetchFailure.Interrupted, result.Error!.Failure);
        Assert.Contains("broke off", result.Error.Message, StringComparison.Ordinal);
        AssertNothingLeft(model);
    }

    [Fact]
    public async Task A_stalled_download_times_out()
    {
        var (model, bytes) = TestModels.Make("detector-d", 200_000);
        _server.Serve(model.FileName, bytes, ServeMode.StallMidway);

        var result = Assert.Single(await Fetcher(stallTimeout: TimeSpan.FromMilliseconds(300))
            .FetchAsync([model], Folder, null, TestContext.Current.CancellationToken));

        Assert.Equal(ModelFetchFailure.Interrupted, result.Error!.Failure);
        Assert.Contains("no data for 300 ms", result.Error.Message, StringComparison.Ordinal);
        AssertNothingLeft(model);
    }

    [Fact]
    public async Task Already_valid_files_are_skipped_without_a_request_and_damaged_ones_replaced()
    {
        var (valid, validBytes) = TestModels.Make("valid", 20_000);
        var (damaged, damagedBytes) = TestModels.Make("damaged", 20_000);
        Directory.CreateDirectory(Folder);
        await File.WriteAllBytesAsync(Path.Combine(Folder, valid.FileName), validBytes, TestContext.Current.CancellationToken);
        await File.WriteAllBytesAsync(Path.Combine(Folder, damaged.FileName), TestModels.Corrupt(damagedBytes), TestContext.Current.CancellationToken);
        _server.Serve(valid.FileName, validBytes);
        _server.Serve(damaged.FileName, damagedBytes);
        var events = new ConcurrentQueue<ModelFetchProgress>();

        var results = await Fetcher().FetchAsync([valid, damaged], Folder, new SyncProgress(events.Enqueue), TestContext.Current.CancellationToken);

        Assert.Equal([ModelFetchOutcome.AlreadyValid, ModelFetchOutcome.Downloaded], results.Select(r => r.Outcome));
        Assert.Equal(0, _server.RequestsFor(valid.FileName));
        Assert.Equal(1, _server.RequestsFor(damaged.FileName));
        Assert.Equal(damagedBytes, await File.ReadAllBytesAsync(Path.Combine(Folder, damaged.FileName), TestContext.Current.CancellationToken));
        Assert.Equal(ModelFetchStage.AlreadyValid, events.First().Stage);
        Assert.Same(valid, events.First().Model);
    }

    [Fact]
    public async Task Unreachable_host_gives_a_clear_error()
    {
        var (model, _) = TestModels.Make("far-away", 1000);
        var unreachable = LocalHttpServer.UnreachableBaseUri();

        var result = Assert.Single(await Fetcher(unreachable).FetchAsync([model], Folder, null, TestContext.Current.CancellationToken));

        Assert.Equal(ModelFetchFailure.Unreachable, result.Error!.Failure);
        Assert.StartsWith($"The upstream host {unreachable.Authority} could not be reached for face model 'far-away'", result.Error.Message, StringComparison.Ordinal);
        Assert.Contains("network, DNS and proxy", result.Error.Message, StringComparison.Ordinal);
        Assert.Equal(new Uri(unreachable, "far-away.onnx"), result.Error.SourceUrl);
        AssertNothingLeft(model);
    }

    [Fact]
    public async Task A_server_that_never_answers_is_unreachable_after_the_response_timeout()
    {
        var (model, bytes) = TestModels.Make("silent", 1000);
        _server.Serve(model.FileName, bytes, ServeMode.NoResponse);

        var result = Assert.Single(await Fetcher(responseTimeout: TimeSpan.FromMilliseconds(300))
            .FetchAsync([model], Folder, null, TestContext.Current.CancellationToken));

        Assert.Equal(ModelFetchFailure.Unreachable, result.Error!.Failure);
        Assert.Contains("could not be reached", result.Error.Message, StringComparison.Ordinal);
        Assert.Contains("no answer within 300 ms", result.Error.Message, StringComparison.Ordinal);
        AssertNothingLeft(model);
    }

    [Fact]
    public async Task One_failure_does_not_stop_the_others()
    {
        var (missing, _) = TestModels.Make("not-on-server", 1000);
        var (present, bytes) = TestModels.Make("on-server", 1000);
        _server.Serve(present.FileName, bytes);
        var events = new ConcurrentQueue<ModelFetchProgress>();

        var results = await Fetcher().FetchAsync([missing, present], Folder, new SyncProgress(events.Enqueue), TestContext.Current.CancellationToken);

        Assert.Equal([ModelFetchOutcome.Failed, ModelFetchOutcome.Downloaded], results.Select(r => r.Outcome));
        Assert.Equal(ModelFetchFailure.HttpStatus, results[0].Error!.Failure);
        Assert.Contains("HTTP 404", results[0].Error!.Message, StringComparison.Ordinal);
        var failed = Assert.Single(events, e => e.Stage == ModelFetchStage.Failed);
        Assert.Equal(results[0].Error!.Message, failed.Error);
        Assert.True(File.Exists(Path.Combine(Folder, present.FileName)));
    }

    [Fact]
    public async Task Cancelling_midway_deletes_the_part_file()
    {
        var (model, bytes) = TestModels.Make("cancelled", 200_000);
        _server.Serve(model.FileName, bytes, ServeMode.StallMidway);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var partSeen = false;
        var progress = new SyncProgress(e =>
        {
            if (e.Stage == ModelFetchStage.Downloading && e.BytesReceived > 0)
            {
                partSeen |= File.Exists(Path.Combine(Folder, model.FileName + ".part"));
                cts.Cancel();
            }
        });
        var fetcher = new ModelFetcher(_http, new ModelFetcherOptions
        {
            SourceOf = ModelFetcherOptions.FromBaseUri(_server.BaseUri),
            ProgressInterval = TimeSpan.Zero,
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fetcher.FetchAsync([model], Folder, progress, cts.Token));

        Assert.True(partSeen, "the download was in progress in the part file");
        AssertNothingLeft(model);
    }

    [Fact]
    public async Task A_folder_that_cannot_be_created_is_a_storage_error()
    {
        var (model, _) = TestModels.Make("nowhere", 1000);
        var blocker = _temp.File("a-file");
        await File.WriteAllTextAsync(blocker, "not a folder", TestContext.Current.CancellationToken);

        var ex = await Assert.ThrowsAsync<ModelFetchException>(() =>
            Fetcher().FetchAsync([model], Path.Combine(blocker, "models"), null, TestContext.Current.CancellationToken));

        Assert.Equal(ModelFetchFailure.Storage, ex.Failure);
        Assert.Contains("Cannot create the models folder", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromBaseUri_appends_the_escaped_file_name()
    {
        var (model, _) = TestModels.Make("x", 10);
        var named = model with { FileName = "a b.onnx" };

        Assert.Equal("http://mirror.local/m/a%20b.onnx", ModelFetcherOptions.FromBaseUri(new Uri("http://mirror.local/m"))(named).AbsoluteUri);
        Assert.Equal("http://mirror.local/m/a%20b.onnx", ModelFetcherOptions.FromBaseUri(new Uri("http://mirror.local/m/"))(named).AbsoluteUri);
    }

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; would post to the thread pool, out of order).</summary>
    private sealed class SyncProgress(Action<ModelFetchProgress> report) : IProgress<ModelFetchProgress>
    {
        public void Report(ModelFetchProgress value) => report(value);
    }
}
