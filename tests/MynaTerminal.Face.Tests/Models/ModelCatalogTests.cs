using System.Text.RegularExpressions;
using MynaTerminal.Face.Models;

using MynaTerminal.Tests.Shared;

namespace MynaTerminal.Face.Tests.Models;

public sealed partial class ModelCatalogTests
{
    [Fact]
    public void Default_catalog_lists_the_pinned_models_with_sface_outside_the_default_set()
    {
        var catalog = ModelCatalog.Default;

        Assert.Equal(["yunet-640", "yunet-dynamic", "mobilefacenet", "minifasnet-v2", "minifasnet-v1se", "sface"], catalog.All.Select(m => m.Id));
        Assert.Equal(["yunet-640", "yunet-dynamic", "mobilefacenet", "minifasnet-v2", "minifasnet-v1se"], catalog.DefaultSet.Select(m => m.Id));
        Assert.Same(catalog, ModelCatalog.Default);

        var yunet = catalog.Get("yunet-640");
        Assert.Equal("face_detection_yunet_2023mar.onnx", yunet.FileName);
        Assert.Equal(ModelRole.Detector, yunet.Role);
        Assert.Equal(232589, yunet.Size);
        Assert.Equal("8f2383e4dd3cfbb4553ea8718107fc0423210dc964f9f4280604804ed2552fa4", yunet.Sha256);

        var sface = catalog.Get("sface");
        Assert.Equal("face_recognition_sface_2021dec.onnx", sface.FileName);
        Assert.Equal(ModelRole.Embedder, sface.Role);
        Assert.Equal(38696353, sface.Size);
        Assert.Equal("0ba9fbfa01b5270c96627c4ef784da859931e02f04419c829e83484087c34e79", sface.Sha256);
        Assert.Equal(
            "https://media.githubusercontent.com/media/opencv/opencv_zoo/966be4cb6eefc2a4f586ed0581bf4bbaa2533070/models/face_recognition_sface/face_recognition_sface_2021dec.onnx",
            sface.Url.AbsoluteUri);

        Assert.Equal([ModelRole.Detector, ModelRole.Detector, ModelRole.Embedder, ModelRole.Liveness, ModelRole.Liveness, ModelRole.Embedder],
            catalog.All.Select(m => m.Role));
        Assert.All(catalog.All, m => Assert.False(string.IsNullOrWhiteSpace(m.Licence)));
        Assert.All(catalog.All, m => Assert.False(string.IsNullOrWhiteSpace(m.Note)));
    }

    [Fact]
    public void Every_url_is_pinned_to_a_commit_not_a_branch()
    {
        foreach (var model in ModelCatalog.Default.All)
        {
            Assert.Equal("https", model.Url.Scheme);
            Assert.Matches(PinnedUrl(), model.Url.AbsoluteUri);
        }
    }

    [Fact]
    public void Get_is_case_insensitive_and_an_unknown_id_lists_the_known_ones()
    {
        Assert.Equal("mobilefacenet_foamliu.onnx", ModelCatalog.Default.Get(" MobileFaceNet ").FileName);

        var ex = Assert.Throws<KeyNotFoundException>(() => ModelCatalog.Default.Get("arcface"));
        Assert.Contains("'arcface'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("yunet-640, yunet-dynamic, mobilefacenet, minifasnet-v2, minifasnet-v1se, sface", ex.Message, StringComparison.Ordinal);
        Assert.False(ModelCatalog.Default.TryGet("arcface", out _));
    }

    [Fact]
    public void Catalog_pins_agree_with_the_shared_manifest()
    {
        var folder = SharedModels.RequireFolder();
        var manifest = File.ReadAllText(Path.Combine(folder, "MANIFEST.md"));
        foreach (var model in ModelCatalog.Default.All)
        {
            // Each model's row carries its size and sha256 on one line (the main table, or "Not acquired" for sface).
            var row = manifest.Split('\n').FirstOrDefault(line => line.Contains(model.Sha256, StringComparison.Ordinal));
            Assert.True(row is not null, $"{model.Id}: sha256 {model.Sha256} is not in MANIFEST.md");
            Assert.Contains($"| {model.Size} |", row, StringComparison.Ordinal);
            if (model.InDefaultSet)
            {
                Assert.Contains($"`{model.FileName}`", row, StringComparison.Ordinal);
            }

            Assert.Contains(model.Url.AbsoluteUri.Replace("https://media.githubusercontent.com/media/opencv/opencv_zoo/966be4cb6eefc2a4f586ed0581bf4bbaa2533070/", string.Empty, StringComparison.Ordinal),
                manifest, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Real_shared_models_match_the_catalog()
    {
        var folder = SharedModels.RequireFolder();
        var checks = new ModelStore(folder).VerifyAll();

        Assert.Equal(5, checks.Count);
        Assert.All(checks, c => Assert.True(c.IsOk, $"{c.Model.Id}: {c.Status} {c.Detail}"));
    }

    [Fact]
    public void Parse_rejects_bad_entries_naming_the_entry()
    {
        const string good = """
            {"models":[{"id":"a","file":"a.onnx","role":"detector","size":3,"sha256":"0000000000000000000000000000000000000000000000000000000000000000","url":"https://example.org/a.onnx","licence":"MIT","default":false,"note":"n"}]}
            """;
        var parsed = ModelCatalog.Parse(good);
        Assert.False(parsed.Get("a").InDefaultSet);
        Assert.Empty(parsed.DefaultSet);

        AssertBad(good.Replace("\"sha256\":\"0000", "\"sha256\":\"00", StringComparison.Ordinal), "model 'a'", "sha256");
        AssertBad(good.Replace("\"a.onnx\"", "\"../a.onnx\"", StringComparison.Ordinal), "model 'a'", "plain file name");
        AssertBad(good.Replace("\"detector\"", "\"segmenter\"", StringComparison.Ordinal), "model 'a'", "segmenter");
        AssertBad(good.Replace("\"size\":3", "\"size\":0", StringComparison.Ordinal), "model 'a'", "size");
        AssertBad(good.Replace("https://example.org/a.onnx", "ftp://example.org/a.onnx", StringComparison.Ordinal), "model 'a'", "http(s)");
        AssertBad(good.Replace("]}", "," + good[11..^2] + "]}", StringComparison.Ordinal), "inconsistent", "twice");
        AssertBad("{\"models\":", "not valid JSON", "JSON");
        AssertBad("[]", "'models' array", "models");

        static void AssertBad(string json, string where, string what)
        {
            var ex = Assert.Throws<FormatException>(() => ModelCatalog.Parse(json));
            Assert.Contains(where, ex.Message, StringComparison.Ordinal);
            Assert.Contains(what, ex.Message, StringComparison.Ordinal);
        }
    }

    [GeneratedRegex("^https://(raw\\.githubusercontent\\.com/[^/]+/[^/]+/[0-9a-f]{40}/|media\\.githubusercontent\\.com/media/[^/]+/[^/]+/[0-9a-f]{40}/)[^?#]+\\.onnx$")]
    private static partial Regex PinnedUrl();
}
