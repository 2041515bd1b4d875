namespace MynaTerminal.Face.Models;

/// <summary>What a model does in the face pipeline.</summary>
public enum ModelRole
{
    /// <summary>Face detector with 5 landmarks (YuNet).</summary>
    Detector,

    /// <summary>Face embedding for the 1:1 comparison (MobileFaceNet, SFace).</summary>
    Embedder,

    /// <summary>Silent liveness / anti-spoofing classifier (MiniFASNet).</summary>
    Liveness,
}

/// <summary>
/// One pinned model file from <c>models.json</c>: where it lives in the models folder (<see cref="FileName"/>), the
/// exact bytes expected (<see cref="Size"/>, <see cref="Sha256"/>) and where <c>mynaterm models fetch</c> gets it.
/// </summary>
/// <param name="Id">Stable id used in configuration and on the command line (<c>yunet-dynamic</c>).</param>
/// <param name="FileName">File name inside the models folder (no directory part).</param>
/// <param name="Role">Detector, embedder or liveness.</param>
/// <param name="Size">Exact size in bytes.</param>
/// <param name="Sha256">SHA-256 of the file, 64 lower-case hex digits.</param>
/// <param name="Url">Pinned upstream download URL (a fixed commit, never a branch).</param>
/// <param name="Licence">Licence of the weights, with caveats.</param>
/// <param name="InDefaultSet">Fetched and verified without asking (<c>sface</c> is not).</param>
/// <param name="Note">One line for technicians: what the model is and its tensors.</param>
public sealed record ModelFile(
    string Id,
    string FileName,
    ModelRole Role,
    long Size,
    string Sha256,
    Uri Url,
    string Licence,
    bool InDefaultSet,
    string Note)
{
    /// <summary>The same model with other expected bytes (e.g. a test's tiny stand-in written under the real name).</summary>
    public ModelFile WithContent(long size, string sha256) => this with { Size = size, Sha256 = sha256.ToLowerInvariant() };

    public override string ToString() => $"{Id} ({FileName})";
}
