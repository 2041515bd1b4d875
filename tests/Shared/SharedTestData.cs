namespace MynaTerminal.Tests.Shared;

/// <summary>
/// The real material next to the repository, read in place and never copied into it (the repository lives at
/// /work/main and the shared folder at /work/shared, i.e. <c>../shared/…</c> from the repository root): an environment
/// variable first, else the first <c>shared/&lt;name&gt;</c> folder holding <c>MANIFEST.md</c> found walking up from the
/// test binaries. Linked into each test project that needs it (one definition).
/// </summary>
public sealed class SharedFolder(string name, string environmentVariable, string what)
{
    private readonly Lazy<string?> _found = new(() => Find(name, environmentVariable));

    public string EnvironmentVariable => environmentVariable;

    /// <summary>The folder, or null when there is none on this machine.</summary>
    public string? Folder => _found.Value;

    /// <summary>The folder; skips the calling test, saying why, when there is none.</summary>
    public string RequireFolder()
    {
        Xunit.Assert.SkipWhen(Folder is null,
            $"The {what} are not on this machine (set {environmentVariable} or put them in shared/{name} next to the repository).");
        return Folder!;
    }

    private static string? Find(string name, string environmentVariable)
    {
        var configured = Environment.GetEnvironmentVariable(environmentVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Directory.Exists(configured) ? Path.GetFullPath(configured) : null;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", name);
            if (File.Exists(Path.Combine(candidate, "MANIFEST.md")))
            {
                return candidate;
            }
        }

        return null;
    }
}

/// <summary>The real face models (../shared/models).</summary>
public static class SharedModels
{
    public const string EnvironmentVariable = "MYNATERM_MODELS";

    private static readonly SharedFolder Shared = new("models", EnvironmentVariable, "real face models");

    public static string? Folder => Shared.Folder;

    public static string RequireFolder() => Shared.RequireFolder();
}

/// <summary>The labelled test photos (../shared/faces: &lt;identity&gt;/&lt;n&gt;.jpg and _liveness/).</summary>
public static class SharedFaces
{
    public const string EnvironmentVariable = "MYNATERM_FACES";

    private static readonly SharedFolder Shared = new("faces", EnvironmentVariable, "test face photos");

    public static string? Folder => Shared.Folder;

    public static string RequireFolder() => Shared.RequireFolder();
}
