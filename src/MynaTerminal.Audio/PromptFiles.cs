namespace MynaTerminal.Audio;

/// <summary>
/// Where the pre-rendered prompts lie under the prompts folder: <c>&lt;language&gt;/&lt;screenId&gt;.wav</c>, the key
/// click <c>key-click.wav</c> and <c>manifest.json</c>. One convention for the render and the player.
/// </summary>
public static class PromptFiles
{
    /// <summary>The manifest of a prompts folder.</summary>
    public const string ManifestName = "manifest.json";

    /// <summary>The short click played for a keypad key (a tone, never speech).</summary>
    public const string KeyClickName = "key-click.wav";

    /// <summary><c>&lt;language&gt;/&lt;screenId&gt;.wav</c> (forward slash, as written in the manifest).</summary>
    /// <exception cref="ArgumentException">The id or the language is not a safe file name.</exception>
    public static string RelativePath(string screenId, string language)
    {
        if (!IsSafeSegment(screenId))
        {
            throw new ArgumentException($"Screen id '{screenId}' is not a safe file name.", nameof(screenId));
        }

        if (!IsSafeSegment(language))
        {
            throw new ArgumentException($"Language '{language}' is not a safe file name.", nameof(language));
        }

        return $"{language}/{screenId}.wav";
    }

    /// <summary>The full path of a prompt, or null when the id or the language cannot be a file name.</summary>
    public static string? PathFor(string promptsFolder, string screenId, string language) =>
        IsSafeSegment(screenId) && IsSafeSegment(language)
            ? Path.Combine(promptsFolder, language, screenId + ".wav")
            : null;

    /// <summary>1 to 64 of <c>A-Z a-z 0-9 - _</c>, not starting with '-': never a path, never "..".</summary>
    public static bool IsSafeSegment(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= 64 && name[0] != '-' &&
        name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
