namespace MynaTerminal.Face.Models;

/// <summary>
/// A model file the terminal cannot use. The message names the model, the file, the folder, what was expected and
/// what was found, and what the technician should run. <see cref="ModelNotFoundException"/> and
/// <see cref="ModelChecksumException"/> are the usual cases; this base type alone means the file could not be read.
/// </summary>
public class ModelFileException : Exception
{
    public ModelFileException(ModelCheck check, string message, Exception? inner = null)
        : base(message, inner)
    {
        ArgumentNullException.ThrowIfNull(check);
        Check = check;
    }

    /// <summary>The verdict behind the exception (expected and actual size and hash).</summary>
    public ModelCheck Check { get; }

    public string ModelId => Check.Model.Id;

    public string FilePath => Check.Path;

    public string Folder => Path.GetDirectoryName(Check.Path) ?? string.Empty;
}

/// <summary>The model file is not in the models folder (or the folder does not exist).</summary>
public sealed class ModelNotFoundException(ModelCheck check, string message) : ModelFileException(check, message);

/// <summary>The model file is there but its size or SHA-256 is not the pinned one (damaged, truncated, other version).</summary>
public sealed class ModelChecksumException(ModelCheck check, string message) : ModelFileException(check, message);

/// <summary>Why a download failed.</summary>
public enum ModelFetchFailure
{
    /// <summary>DNS, connection refused, TLS or no answer in time: the upstream host could not be reached.</summary>
    Unreachable,

    /// <summary>The server answered with an HTTP error status.</summary>
    HttpStatus,

    /// <summary>The body was not the pinned size (announced, longer, or cut short).</summary>
    WrongSize,

    /// <summary>The body had the pinned size but another SHA-256.</summary>
    WrongHash,

    /// <summary>The connection stalled or broke during the body.</summary>
    Interrupted,

    /// <summary>The models folder or the part file could not be written.</summary>
    Storage,
}

/// <summary>A model could not be downloaded; no partial file is left behind.</summary>
public sealed class ModelFetchException(ModelFetchFailure failure, ModelFile? model, Uri? source, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public ModelFetchFailure Failure { get; } = failure;

    /// <summary>The model being fetched (null when the folder itself could not be created).</summary>
    public ModelFile? Model { get; } = model;

    /// <summary>The URL it was fetched from.</summary>
    public Uri? SourceUrl { get; } = source;
}
