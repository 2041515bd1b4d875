using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MynaTerminal.Audio;

/// <summary>One rendered prompt in <c>manifest.json</c>.</summary>
public sealed record ManifestEntry(
    string Screen,
    string Language,
    string File,
    string TextSha256,
    string Voice,
    string Text);

/// <summary>
/// <c>manifest.json</c> of a prompts folder: what each WAV says, from which text (SHA-256) and with which voice, so
/// that a render skips what is up to date and re-renders a changed text.
/// </summary>
public sealed record PromptManifest(string Schema, string KeyClick, IReadOnlyList<ManifestEntry> Prompts)
{
    public const string CurrentSchema = "mynaterm-audio-prompts/1";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        // Japanese stays readable in the file.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static PromptManifest Empty { get; } = new(CurrentSchema, PromptFiles.KeyClickName, []);

    /// <summary>The manifest of <paramref name="folder"/>; <see cref="Empty"/> when there is none or it cannot be read.</summary>
    public static PromptManifest Load(string folder)
    {
        var file = Path.Combine(folder, PromptFiles.ManifestName);
        try
        {
            using var stream = System.IO.File.OpenRead(file);
            var manifest = JsonSerializer.Deserialize<PromptManifest>(stream, Json);
            return manifest is { Schema: CurrentSchema, Prompts: not null } ? manifest : Empty;
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException or NotSupportedException)
        {
            // Missing or damaged: everything is rendered again.
            return Empty;
        }
    }

    /// <summary>Writes the manifest to <paramref name="folder"/> atomically (a temporary file, then a rename).</summary>
    public async Task SaveAsync(string folder, CancellationToken cancellationToken)
    {
        var file = Path.Combine(folder, PromptFiles.ManifestName);
        var temporary = file + ".tmp";
        await using (var stream = System.IO.File.Create(temporary))
        {
            await JsonSerializer.SerializeAsync(stream, this, Json, cancellationToken).ConfigureAwait(false);
        }

        System.IO.File.Move(temporary, file, overwrite: true);
    }
}
