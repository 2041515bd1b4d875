using MynaTerminal.Face.Models;

namespace MynaTerminal.Face.Tests.Models;

public sealed class ModelStoreTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly ModelFile _model;
    private readonly byte[] _bytes;
    private readonly ModelStore _store;

    public ModelStoreTests()
    {
        (_model, _bytes) = TestModels.Make("detector-a", 50_000);
        _store = new ModelStore(_temp.Path, ModelCatalog.FromModels([_model]));
    }

    public void Dispose() => _temp.Dispose();

    private string ModelPath => _temp.File(_model.FileName);

    [Fact]
    public void PathOf_returns_the_full_path_of_a_valid_file()
    {
        File.WriteAllBytes(ModelPath, _bytes);

        Assert.Equal(Path.GetFullPath(ModelPath), _store.PathOf("detector-a"));
        Assert.Equal(Path.GetFullPath(ModelPath), _store.PathOf(_model));
    }

    [Fact]
    public void Missing_file_names_model_file_folder_pins_and_the_fetch_command()
    {
        var ex = Assert.Throws<ModelNotFoundException>(() => _store.PathOf("detector-a"));

        Assert.Equal("detector-a", ex.ModelId);
        Assert.Equal(Path.GetFullPath(ModelPath), ex.FilePath);
        Assert.Equal(_temp.Path, ex.Folder);
        Assert.Equal(ModelStatus.Missing, ex.Check.Status);
        Assert.Contains("'detector-a'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("detector-a.onnx", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"'{_temp.Path}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("50,000 bytes", ex.Message, StringComparison.Ordinal);
        Assert.Contains(_model.Sha256, ex.Message, StringComparison.Ordinal);
        Assert.Contains($"mynaterm models fetch --dir {_temp.Path}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_folder_says_the_folder_does_not_exist()
    {
        var folder = Path.Combine(_temp.Path, "no such folder");
        var store = new ModelStore(folder, ModelCatalog.FromModels([_model]));

        var ex = Assert.Throws<ModelNotFoundException>(() => store.PathOf("detector-a"));

        Assert.Contains($"the models folder '{folder}' does not exist", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"mynaterm models fetch --dir '{folder}'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_size_is_a_checksum_error_with_expected_and_actual_size()
    {
        File.WriteAllBytes(ModelPath, _bytes[..1000]);

        var ex = Assert.Throws<ModelChecksumException>(() => _store.PathOf("detector-a"));

        Assert.Equal(ModelStatus.WrongSize, ex.Check.Status);
        Assert.Equal(1000, ex.Check.ActualSize);
        Assert.Contains("1,000 bytes", ex.Message, StringComparison.Ordinal);
        Assert.Contains("50,000 bytes", ex.Message, StringComparison.Ordinal);
        Assert.Contains("mynaterm models fetch --dir", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_hash_is_a_checksum_error_with_both_hashes()
    {
        var corrupt = TestModels.Corrupt(_bytes);
        File.WriteAllBytes(ModelPath, corrupt);

        var ex = Assert.Throws<ModelChecksumException>(() => _store.PathOf("detector-a"));

        Assert.Equal(ModelStatus.WrongHash, ex.Check.Status);
        var actual = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(corrupt));
        Assert.Equal(actual, ex.Check.ActualSha256);
        Assert.Contains(actual, ex.Message, StringComparison.Ordinal);
        Assert.Contains(_model.Sha256, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_git_lfs_pointer_is_recognised()
    {
        TinyModels.TinyOnnxModels.WriteGitLfsPointer(ModelPath);

        var check = _store.Check(_model);

        Assert.Equal(ModelStatus.WrongSize, check.Status);
        Assert.Contains("Git LFS pointer", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_directory_in_place_of_the_file_is_unreadable()
    {
        Directory.CreateDirectory(ModelPath);

        var ex = Assert.Throws<ModelFileException>(() => _store.PathOf("detector-a"));

        Assert.Equal(ModelStatus.Unreadable, ex.Check.Status);
        Assert.Contains("is a directory", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_id_lists_the_catalog()
    {
        var ex = Assert.Throws<KeyNotFoundException>(() => _store.PathOf("yunet-640"));

        Assert.Contains("Known ids: detector-a", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void VerifyAll_reports_each_state_in_order()
    {
        var (sizeModel, sizeBytes) = TestModels.Make("wrong-size", 3000);
        var (hashModel, hashBytes) = TestModels.Make("wrong-hash", 3000);
        var (missingModel, _) = TestModels.Make("missing", 3000);
        File.WriteAllBytes(ModelPath, _bytes);
        File.WriteAllBytes(_temp.File(sizeModel.FileName), sizeBytes[..2999]);
        File.WriteAllBytes(_temp.File(hashModel.FileName), TestModels.Corrupt(hashBytes));
        var store = new ModelStore(_temp.Path, ModelCatalog.FromModels([_model, sizeModel, hashModel, missingModel]));

        var checks = store.VerifyAll(store.Catalog.All);

        Assert.Equal([ModelStatus.Ok, ModelStatus.WrongSize, ModelStatus.WrongHash, ModelStatus.Missing], checks.Select(c => c.Status));
        Assert.Equal(["ok", "wrongSize", "wrongHash", "missing"], checks.Select(c => c.StatusName));
        Assert.Equal(string.Empty, checks[0].Detail);
        Assert.All(checks.Skip(1), c => Assert.NotEmpty(c.Detail));
    }

    [Fact]
    public void A_settled_file_is_hashed_once_and_a_change_of_time_stamp_rehashes_it()
    {
        File.WriteAllBytes(ModelPath, _bytes);
        var old = DateTime.UtcNow.AddMinutes(-10);
        File.SetLastWriteTimeUtc(ModelPath, old);

        for (var i = 0; i < 5; i++)
        {
            _store.PathOf("detector-a");
        }

        Assert.Equal(1, ModelStore.HashCount(ModelPath));

        // Rewritten with the same size (a damaged copy); its time stamp changes, so the cache must not answer.
        File.WriteAllBytes(ModelPath, TestModels.Corrupt(_bytes));
        File.SetLastWriteTimeUtc(ModelPath, old.AddSeconds(1));

        Assert.Throws<ModelChecksumException>(() => _store.PathOf("detector-a"));
        Assert.Equal(2, ModelStore.HashCount(ModelPath));
    }

    [Fact]
    public void A_freshly_written_file_is_not_cached_so_a_same_size_rewrite_with_the_same_time_stamp_is_caught()
    {
        File.WriteAllBytes(ModelPath, _bytes);
        var stamp = File.GetLastWriteTimeUtc(ModelPath);
        Assert.Equal(Path.GetFullPath(ModelPath), _store.PathOf("detector-a"));

        // Coarse file-system clocks can give the rewrite the very same time stamp: force that case.
        File.WriteAllBytes(ModelPath, TestModels.Corrupt(_bytes));
        File.SetLastWriteTimeUtc(ModelPath, stamp);

        var ex = Assert.Throws<ModelChecksumException>(() => _store.PathOf("detector-a"));
        Assert.Equal(ModelStatus.WrongHash, ex.Check.Status);
    }
}
