using System.Globalization;
using System.Text.Json;

namespace MynaTerminal.Face.Models;

/// <summary>
/// The list of pinned models. <see cref="Default"/> is the embedded <c>models.json</c> (parsed once); tests build
/// their own with <see cref="FromModels"/> (e.g. tiny stand-in models with their own sizes and hashes).
/// </summary>
public sealed class ModelCatalog
{
    /// <summary>Name of the embedded manifest resource.</summary>
    public const string ResourceName = "MynaTerminal.Face.Models.models.json";

    private static readonly Lazy<ModelCatalog> Embedded = new(LoadEmbedded, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly Dictionary<string, ModelFile> _byId;

    private ModelCatalog(IReadOnlyList<ModelFile> models)
    {
        _byId = new Dictionary<string, ModelFile>(StringComparer.OrdinalIgnoreCase);
        var files = new HashSet<string>(StringComparer.Ordinal);
        foreach (var model in models)
        {
            Validate(model);
            if (!_byId.TryAdd(model.Id, model))
            {
                throw new ArgumentException($"The model id '{model.Id}' appears twice in the catalog.", nameof(models));
            }

            if (!files.Add(model.FileName))
            {
                throw new ArgumentException($"The file name '{model.FileName}' is used by two models in the catalog.", nameof(models));
            }
        }

        All = models;
        DefaultSet = [.. models.Where(m => m.InDefaultSet)];
    }

    /// <summary>The pinned models of this build (embedded <c>models.json</c>).</summary>
    public static ModelCatalog Default => Embedded.Value;

    /// <summary>Every model, in manifest order.</summary>
    public IReadOnlyList<ModelFile> All { get; }

    /// <summary>The models fetched and verified by default (all but the optional ones such as <c>sface</c>).</summary>
    public IReadOnlyList<ModelFile> DefaultSet { get; }

    /// <summary>The ids, comma-separated, for messages.</summary>
    public string KnownIds => string.Join(", ", All.Select(m => m.Id));

    /// <summary>A catalog of the given models (ids and file names must be unique).</summary>
    public static ModelCatalog FromModels(IEnumerable<ModelFile> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        return new ModelCatalog([.. models]);
    }

    /// <summary>The model with this id (case-insensitive).</summary>
    /// <exception cref="KeyNotFoundException">Unknown id; the message lists the known ones.</exception>
    public ModelFile Get(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return TryGet(id, out var model)
            ? model
            : throw new KeyNotFoundException($"Unknown face model id '{id}'. Known ids: {KnownIds}.");
    }

    public bool TryGet(string id, out ModelFile model)
    {
        ArgumentNullException.ThrowIfNull(id);
        return _byId.TryGetValue(id.Trim(), out model!);
    }

    /// <summary>Parses a manifest in the <c>models.json</c> format.</summary>
    /// <exception cref="FormatException">Not the expected JSON; the message names the entry and field.</exception>
    public static ModelCatalog Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"The model manifest is not valid JSON: {ex.Message}", ex);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object ||
                !document.RootElement.TryGetProperty("models", out var array) || array.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException("The model manifest needs an object with a 'models' array.");
            }

            var models = new List<ModelFile>();
            var index = 0;
            foreach (var entry in array.EnumerateArray())
            {
                models.Add(ParseEntry(entry, index++));
            }

            try
            {
                return new ModelCatalog(models);
            }
            catch (ArgumentException ex)
            {
                throw new FormatException($"The model manifest is inconsistent: {ex.Message}", ex);
            }
        }
    }

    private static ModelFile ParseEntry(JsonElement entry, int index)
    {
        if (entry.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"Model manifest entry {index} is not an object.");
        }

        var where = entry.TryGetProperty("id", out var idElement) && idElement.ValueKind == JsonValueKind.String
            ? $"model '{idElement.GetString()}'"
            : $"entry {index}";

        string Text(string name)
        {
            if (!entry.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
            {
                throw new FormatException($"Model manifest {where}: '{name}' must be a non-empty string.");
            }

            return value.GetString()!;
        }

        var roleText = Text("role");
        var role = roleText switch
        {
            "detector" => ModelRole.Detector,
            "embedder" => ModelRole.Embedder,
            "liveness" => ModelRole.Liveness,
            _ => throw new FormatException($"Model manifest {where}: role '{roleText}' is not detector, embedder or liveness."),
        };

        if (!entry.TryGetProperty("size", out var sizeElement) || !sizeElement.TryGetInt64(out var size))
        {
            throw new FormatException($"Model manifest {where}: 'size' must be an integer (bytes).");
        }

        if (!Uri.TryCreate(Text("url"), UriKind.Absolute, out var url))
        {
            throw new FormatException($"Model manifest {where}: 'url' is not an absolute URL.");
        }

        var inDefault = !entry.TryGetProperty("default", out var defaultElement) || defaultElement.ValueKind != JsonValueKind.False;
        var note = entry.TryGetProperty("note", out var noteElement) && noteElement.ValueKind == JsonValueKind.String
            ? noteElement.GetString()!
            : string.Empty;
        var model = new ModelFile(Text("id"), Text("file"), role, size, Text("sha256"), url, Text("licence"), inDefault, note);
        try
        {
            Validate(model);
        }
        catch (ArgumentException ex)
        {
            throw new FormatException($"Model manifest {where}: {ex.Message}", ex);
        }

        return model;
    }

    private static void Validate(ModelFile model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (string.IsNullOrWhiteSpace(model.Id) || model.Id.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException($"The model id '{model.Id}' must be non-empty without spaces.");
        }

        if (string.IsNullOrWhiteSpace(model.FileName) || model.FileName != Path.GetFileName(model.FileName) ||
            model.FileName is "." or ".." || model.FileName.Contains('\\', StringComparison.Ordinal))
        {
            throw new ArgumentException($"Model '{model.Id}': '{model.FileName}' must be a plain file name without a directory.");
        }

        if (model.Size <= 0)
        {
            throw new ArgumentException($"Model '{model.Id}': the size must be positive, not {model.Size.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (model.Sha256.Length != 64 || !model.Sha256.All(char.IsAsciiHexDigitLower))
        {
            throw new ArgumentException($"Model '{model.Id}': sha256 must be 64 lower-case hex digits, not '{model.Sha256}'.");
        }

        if (!model.Url.IsAbsoluteUri || (model.Url.Scheme != Uri.UriSchemeHttps && model.Url.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException($"Model '{model.Id}': the URL '{model.Url}' must be http(s).");
        }
    }

    private static ModelCatalog LoadEmbedded()
    {
        using var stream = typeof(ModelCatalog).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded model manifest '{ResourceName}' is missing from {typeof(ModelCatalog).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    }
}
