using MynaTerminal.Core.Devices;
using MynaTerminal.Face.Engine;

namespace MynaTerminal.Face.Evaluation;

/// <summary>One photo of a labelled set (<c>&lt;identity&gt;/&lt;n&gt;.jpg</c>).</summary>
public sealed record LabelledPhoto(string Identity, string Name, Func<FaceImage> Load);

/// <summary>The outcome of an evaluation run: the metrics plus what could not be used.</summary>
public sealed record FaceEvaluationReport(
    VerificationMetrics Metrics,
    int Photos,
    int Identities,
    IReadOnlyList<string> NoFace,
    bool ChipSimulation,
    double? MeanReferenceBytes,
    IReadOnlyList<(string Reference, string Probe, double Score)> HardestSame,
    IReadOnlyList<(string Reference, string Probe, double Score)> HardestDifferent);

/// <summary>
/// Scores every same-person and different-person pair of a labelled photo set with the engine. With a reference
/// transform (the chip-photo simulation) the pairs are ordered: the reference side is the transformed photo, the probe
/// side the original, as at the terminal (card photo vs live camera); without one, unordered pairs of originals.
/// </summary>
public sealed class FaceEvaluation(OnnxFaceEngine engine)
{
    /// <summary>Makes the reference-side image from a photo and its detected face; returns the image and its byte size.</summary>
    public delegate (FaceImage Image, int Bytes) ReferenceTransform(FaceImage photo, FaceDetection face);

    public FaceEvaluationReport Run(IReadOnlyList<LabelledPhoto> photos, double threshold, ReferenceTransform? reference = null, double targetFmr = VerificationMetrics.DefaultTargetFmr)
    {
        var probes = new List<(LabelledPhoto Photo, float[] Embedding)>();
        var references = new List<(LabelledPhoto Photo, float[] Embedding)>();
        var noFace = new List<string>();
        var bytes = new List<int>();
        foreach (var photo in photos)
        {
            var image = photo.Load();
            try
            {
                var probe = new float[FaceEmbedder.Dimensions];
                if (!engine.TryEmbed(image, probe, out var face))
                {
                    noFace.Add($"{photo.Identity}/{photo.Name}");
                    continue;
                }

                probes.Add((photo, probe));
                if (reference is null)
                {
                    continue;
                }

                var (chip, size) = reference(image, face!);
                try
                {
                    var embedding = new float[FaceEmbedder.Dimensions];
                    if (engine.TryEmbed(chip, embedding, out _))
                    {
                        references.Add((photo, embedding));
                        bytes.Add(size);
                    }
                    else
                    {
                        noFace.Add($"{photo.Identity}/{photo.Name} (chip photo)");
                    }
                }
                finally
                {
                    chip.Clear();
                }
            }
            finally
            {
                image.Clear();
            }
        }

        var same = new List<(string, string, double)>();
        var different = new List<(string, string, double)>();
        if (reference is null)
        {
            for (var i = 0; i < probes.Count; i++)
            {
                for (var j = i + 1; j < probes.Count; j++)
                {
                    Add(probes[i], probes[j]);
                }
            }
        }
        else
        {
            foreach (var r in references)
            {
                foreach (var p in probes.Where(p => !ReferenceEquals(p.Photo, r.Photo)))
                {
                    Add(r, p);
                }
            }
        }

        void Add((LabelledPhoto Photo, float[] Embedding) a, (LabelledPhoto Photo, float[] Embedding) b)
        {
            var score = (double)FaceEmbedder.Cosine(a.Embedding, b.Embedding);
            var entry = ($"{a.Photo.Identity}/{a.Photo.Name}", $"{b.Photo.Identity}/{b.Photo.Name}", score);
            (a.Photo.Identity == b.Photo.Identity ? same : different).Add(entry);
        }

        foreach (var (_, embedding) in probes.Concat(references))
        {
            Array.Clear(embedding);
        }

        var metrics = VerificationMetrics.Compute(same.Select(s => s.Item3).ToList(), different.Select(d => d.Item3).ToList(), threshold, targetFmr);
        return new FaceEvaluationReport(
            metrics,
            photos.Count,
            photos.Select(p => p.Identity).Distinct(StringComparer.Ordinal).Count(),
            noFace,
            reference is not null,
            bytes.Count > 0 ? bytes.Average() : null,
            [.. same.OrderBy(s => s.Item3).Take(3)],
            [.. different.OrderByDescending(d => d.Item3).Take(3)]);
    }

    /// <summary>
    /// The photos of a <c>&lt;identity&gt;/&lt;n&gt;.jpg</c> folder in ordinal order; folders starting with '_' are skipped
    /// (they hold other material, such as liveness samples).
    /// </summary>
    public static IReadOnlyList<LabelledPhoto> ScanFolder(string folder, Func<string, FaceImage> load)
    {
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"The faces folder '{folder}' does not exist.");
        }

        string[] extensions = [".jpg", ".jpeg", ".png"];
        return [.. Directory.GetDirectories(folder)
            .Where(d => !Path.GetFileName(d).StartsWith('_'))
            .Order(StringComparer.Ordinal)
            .SelectMany(d => Directory.GetFiles(d)
                .Where(f => extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
                .Order(StringComparer.Ordinal)
                .Select(f => new LabelledPhoto(Path.GetFileName(d), Path.GetFileName(f), () => load(f))))];
    }
}
