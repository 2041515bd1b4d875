using System.Security.Cryptography;
using MynaTerminal.Face.Models;

namespace MynaTerminal.Face.Tests.TinyModels;

/// <summary>
/// A temporary models folder holding the tiny stand-in models under the real file names of the catalog's default set
/// (face_detection_yunet_2023mar.onnx = fixed 640×640 tiny detector, yunet_s_dynamic.onnx = dynamic tiny detector,
/// mobilefacenet_foamliu.onnx = tiny embedder, MiniFASNetV2.onnx and MiniFASNetV1SE.onnx = tiny liveness).
/// Their sha256 are not the pinned ones, so <see cref="Catalog"/> is the default catalog with those models' size and
/// sha256 replaced by the tiny files' (<see cref="ModelFile.WithContent"/>); give it to <see cref="ModelStore"/>
/// (<see cref="Store"/> is one) and the engine can resolve every model through the normal checked path.
/// Optional models (sface) keep their real pins and are absent, as on a fresh terminal. Deleted on dispose.
/// </summary>
public sealed class TinyModelFolder : IDisposable
{
    private TinyModelFolder(string folder, ModelCatalog catalog)
    {
        Folder = folder;
        Catalog = catalog;
        Store = new ModelStore(folder, catalog);
    }

    public string Folder { get; }

    /// <summary>The default catalog with the tiny files' sizes and hashes for the default set.</summary>
    public ModelCatalog Catalog { get; }

    /// <summary>A store over <see cref="Folder"/> with <see cref="Catalog"/>.</summary>
    public ModelStore Store { get; }

    /// <summary>Writes the tiny models into a new folder under the system temp folder.</summary>
    /// <param name="detector">Settings of the dynamic detector (yunet-dynamic); the fixed one (yunet-640) uses the same
    /// values at 640×640.</param>
    public static TinyModelFolder Create(TinyDetectorSpec? detector = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), "mynaterm-tests", "tiny-models-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            detector ??= new TinyDetectorSpec();
            var replaced = new List<ModelFile>();
            foreach (var model in ModelCatalog.Default.All)
            {
                byte[]? bytes = model.Id switch
                {
                    "yunet-640" => TinyOnnxModels.Detector(detector with { FixedSize = (640, 640) }),
                    "yunet-dynamic" => TinyOnnxModels.Detector(detector with { FixedSize = null }),
                    _ when model.Role == ModelRole.Embedder && model.InDefaultSet => TinyOnnxModels.Embedder(),
                    _ when model.Role == ModelRole.Liveness && model.InDefaultSet => TinyOnnxModels.Liveness(),
                    _ when model.Role == ModelRole.Detector && model.InDefaultSet => TinyOnnxModels.Detector(detector),
                    _ => null,
                };
                if (bytes is null)
                {
                    replaced.Add(model);
                    continue;
                }

                File.WriteAllBytes(Path.Combine(folder, model.FileName), bytes);
                replaced.Add(model.WithContent(bytes.Length, Convert.ToHexStringLower(SHA256.HashData(bytes))));
            }

            return new TinyModelFolder(folder, ModelCatalog.FromModels(replaced));
        }
        catch
        {
            Directory.Delete(folder, recursive: true);
            throw;
        }
    }

    /// <summary>The checked path of model <paramref name="id"/> (see <see cref="ModelStore.PathOf(string)"/>).</summary>
    public string PathOf(string id) => Store.PathOf(id);

    /// <summary>The unchecked path where model <paramref name="id"/>'s file lives (to damage or replace it in a test).</summary>
    public string FileOf(string id) => Path.Combine(Folder, Catalog.Get(id).FileName);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
