using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace MynaTerminal.Face.Models;

/// <summary>The verdict on one model file.</summary>
public enum ModelStatus
{
    /// <summary>Present with the pinned size and SHA-256.</summary>
    Ok,

    /// <summary>No such file (or no models folder).</summary>
    Missing,

    /// <summary>Present, but not the pinned size (truncated download, Git LFS pointer, other version).</summary>
    WrongSize,

    /// <summary>The pinned size but another SHA-256 (damaged or another version).</summary>
    WrongHash,

    /// <summary>Present but could not be read (permissions, a directory of that name, I/O error).</summary>
    Unreadable,
}

/// <summary>One model's check: where it was looked for, the verdict, and what was found.</summary>
/// <param name="Model">The pinned model (expected size and hash).</param>
/// <param name="Path">Full path of the file in the models folder.</param>
/// <param name="Status">The verdict.</param>
/// <param name="ActualSize">Size found (null when missing).</param>
/// <param name="ActualSha256">SHA-256 found (null unless the size matched and the file was read).</param>
/// <param name="Detail">One sentence for technicians (what is wrong), empty when <see cref="ModelStatus.Ok"/>.</param>
public sealed record ModelCheck(ModelFile Model, string Path, ModelStatus Status, long? ActualSize, string? ActualSha256, string Detail)
{
    public bool IsOk => Status == ModelStatus.Ok;

    /// <summary>Lower-camel status name for JSON (<c>ok</c>, <c>missing</c>, <c>wrongSize</c>, <c>wrongHash</c>, <c>unreadable</c>).</summary>
    public string StatusName => Status switch
    {
        ModelStatus.Ok => "ok",
        ModelStatus.Missing => "missing",
        ModelStatus.WrongSize => "wrongSize",
        ModelStatus.WrongHash => "wrongHash",
        _ => "unreadable",
    };
}

/// <summary>
/// The models folder (<c>/var/lib/mynaterm/models</c> on the terminal). <see cref="PathOf(string)"/> hands out a
/// model's path only after checking its size and SHA-256 against the catalog; the hash of a file is cached per
/// (path, size, modification time), so repeated calls cost one <c>stat</c>. A file modified within the last
/// 2 seconds before it was hashed is never cached (its time stamp cannot tell a later same-size rewrite apart).
/// </summary>
public sealed class ModelStore
{
    /// <summary>Where the terminal keeps its models.</summary>
    public const string DefaultFolder = "/var/lib/mynaterm/models";

    /// <summary>A file whose modification time is this close to (or after) the time it was hashed is not cached.</summary>
    internal static readonly TimeSpan RacyWindow = TimeSpan.FromSeconds(2);

    private static readonly ConcurrentDictionary<string, HashEntry> HashCache = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, int> HashCounts = new(StringComparer.Ordinal);

    /// <param name="folder">The models folder.</param>
    /// <param name="catalog">The pinned models; default <see cref="ModelCatalog.Default"/>. Tests pass a catalog of
    /// tiny stand-in models (see the test project's <c>TinyModelFolder</c>).</param>
    public ModelStore(string folder, ModelCatalog? catalog = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        Folder = System.IO.Path.GetFullPath(folder);
        Catalog = catalog ?? ModelCatalog.Default;
    }

    public string Folder { get; }

    public ModelCatalog Catalog { get; }

    /// <summary>How often the file at <paramref name="path"/> was hashed (not served from the cache); for tests.</summary>
    internal static int HashCount(string path) => HashCounts.TryGetValue(System.IO.Path.GetFullPath(path), out var count) ? count : 0;

    /// <summary>The checked path of the catalog's model <paramref name="id"/>.</summary>
    /// <exception cref="KeyNotFoundException">Unknown id (the message lists the known ones).</exception>
    /// <exception cref="ModelNotFoundException">The file is missing.</exception>
    /// <exception cref="ModelChecksumException">The file has the wrong size or SHA-256.</exception>
    /// <exception cref="ModelFileException">The file cannot be read.</exception>
    public string PathOf(string id) => PathOf(Catalog.Get(id));

    /// <inheritdoc cref="PathOf(string)"/>
    public string PathOf(ModelFile model)
    {
        var check = Check(model);
        return check.Status switch
        {
            ModelStatus.Ok => check.Path,
            ModelStatus.Missing => throw new ModelNotFoundException(check, Explain(check)),
            ModelStatus.WrongSize or ModelStatus.WrongHash => throw new ModelChecksumException(check, Explain(check)),
            _ => throw new ModelFileException(check, Explain(check)),
        };
    }

    /// <summary>Checks every model in <paramref name="models"/> (for the self-test and <c>mynaterm models verify</c>).</summary>
    public IReadOnlyList<ModelCheck> VerifyAll(IEnumerable<ModelFile> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        return [.. models.Select(Check)];
    }

    /// <summary>Checks the catalog's default set.</summary>
    public IReadOnlyList<ModelCheck> VerifyAll() => VerifyAll(Catalog.DefaultSet);

    /// <summary>Checks one model file: exists, pinned size, pinned SHA-256.</summary>
    public ModelCheck Check(ModelFile model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var path = System.IO.Path.Combine(Folder, model.FileName);
        if (!Directory.Exists(Folder))
        {
            return new ModelCheck(model, path, ModelStatus.Missing, null, null, $"the models folder '{Folder}' does not exist");
        }

        var info = new FileInfo(path);
        if (!info.Exists)
        {
            return Directory.Exists(path)
                ? new ModelCheck(model, path, ModelStatus.Unreadable, null, null, $"'{path}' is a directory, not a file")
                : new ModelCheck(model, path, ModelStatus.Missing, null, null, $"'{path}' does not exist");
        }

        var size = info.Length;
        if (size != model.Size)
        {
            var lfs = LooksLikeLfsPointer(path, size)
                ? "; it is a Git LFS pointer (a small text file), not the model, so it came from a git page instead of the pinned URL"
                : string.Empty;
            return new ModelCheck(model, path, ModelStatus.WrongSize, size, null,
                $"'{path}' has {Bytes(size)}, the pinned size is {Bytes(model.Size)}{lfs}");
        }

        string sha;
        try
        {
            sha = Sha256Of(path, info);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new ModelCheck(model, path, ModelStatus.Unreadable, size, null, $"'{path}' cannot be read ({ex.Message})");
        }

        return string.Equals(sha, model.Sha256, StringComparison.OrdinalIgnoreCase)
            ? new ModelCheck(model, path, ModelStatus.Ok, size, sha, string.Empty)
            : new ModelCheck(model, path, ModelStatus.WrongHash, size, sha,
                $"'{path}' has the pinned size but sha256 {sha}, expected {model.Sha256}");
    }

    /// <summary>The full explanation for a failed check, with the fix.</summary>
    public static string Explain(ModelCheck check)
    {
        ArgumentNullException.ThrowIfNull(check);
        var model = check.Model;
        var folder = System.IO.Path.GetDirectoryName(check.Path) ?? string.Empty;
        var expected = $"expected {Bytes(model.Size)}, sha256 {model.Sha256}";
        var fix = $"Fix: run 'mynaterm models fetch --dir {ShellQuote(folder)}' on the terminal (or copy the file there from a machine that has it " +
            $"and check it with 'mynaterm models verify --dir {ShellQuote(folder)}').";
        return check.Status switch
        {
            ModelStatus.Ok => $"Face model '{model.Id}' ({model.FileName}) in '{folder}' is present and matches its pinned sha256.",
            ModelStatus.Missing =>
                $"Face model '{model.Id}' is missing: {check.Detail} (models folder '{folder}', file {model.FileName}, {expected}). {fix}",
            ModelStatus.WrongSize or ModelStatus.WrongHash =>
                $"Face model '{model.Id}' is damaged or not the pinned version: {check.Detail.TrimEnd('.')} (models folder '{folder}', file {model.FileName}, " +
                $"{expected}; found {(check.ActualSize is { } s ? Bytes(s) : "?")}" +
                $"{(check.ActualSha256 is { } h ? $", sha256 {h}" : string.Empty)}). {fix} It replaces the file.",
            _ => $"Face model '{model.Id}' cannot be used: {check.Detail} (models folder '{folder}', file {model.FileName}, {expected}). " +
                $"Check the file's owner and permissions (the terminal's service user must be able to read it), then {char.ToLowerInvariant(fix[0])}{fix[1..]}",
        };
    }

    internal static string Bytes(long bytes) => $"{bytes.ToString("N0", CultureInfo.InvariantCulture)} bytes";

    internal static string ShellQuote(string text) =>
        text.Length > 0 && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or '+' or ':' or '@' or ',')
            ? text
            : "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>Starts like a Git LFS pointer file ("version https://git-lfs...").</summary>
    internal static bool LooksLikeLfsPointer(ReadOnlySpan<byte> head) =>
        head.StartsWith("version https://git-lfs"u8);

    private static bool LooksLikeLfsPointer(string path, long size)
    {
        if (size is <= 0 or > 1024)
        {
            return false;
        }

        try
        {
            Span<byte> head = stackalloc byte[32];
            using var stream = File.OpenRead(path);
            var read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            return LooksLikeLfsPointer(head[..read]);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>SHA-256 of the file, from the cache when its size and modification time are unchanged.</summary>
    private static string Sha256Of(string path, FileInfo info)
    {
        var size = info.Length;
        var modified = info.LastWriteTimeUtc;
        if (HashCache.TryGetValue(path, out var cached) && cached.Size == size && cached.ModifiedUtc == modified)
        {
            return cached.Sha256;
        }

        var hashedAt = DateTime.UtcNow;
        string sha;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan))
        {
            sha = Convert.ToHexStringLower(SHA256.HashData(stream));
        }

        HashCounts.AddOrUpdate(path, 1, (_, count) => count + 1);
        info.Refresh();
        var settled = modified < hashedAt - RacyWindow;
        if (settled && info.Exists && info.Length == size && info.LastWriteTimeUtc == modified)
        {
            HashCache[path] = new HashEntry(size, modified, sha);
        }
        else
        {
            HashCache.TryRemove(path, out _);
        }

        return sha;
    }

    private sealed record HashEntry(long Size, DateTime ModifiedUtc, string Sha256);
}
