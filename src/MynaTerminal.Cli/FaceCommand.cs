using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using MynaTerminal.Cameras.Imaging;
using MynaTerminal.Card.Emulator.Imaging;
using MynaTerminal.Core.Devices;
using MynaTerminal.Face;
using MynaTerminal.Face.Engine;
using MynaTerminal.Face.Evaluation;
using MynaTerminal.Face.Models;

namespace MynaTerminal.Cli;

/// <summary>
/// <c>mynaterm face</c>: measure the face engine — <c>eval</c> (FNMR/FMR/EER over a labelled photo set, optionally
/// against simulated chip photos), <c>liveness</c> (a score per image) and <c>bench</c> (time per stage against raw
/// inference). Models are checked against the project's sha256 manifest before use.
/// </summary>
public static class FaceCommand
{
    public const int ExitOk = 0;

    /// <summary>A model is missing or wrong, a folder or image cannot be read.</summary>
    public const int ExitFailed = 1;

    public static Command Create()
    {
        var command = new Command("face", "Measure the face engine: eval (error rates), liveness (score per image), bench (time per stage).");
        command.Subcommands.Add(CreateEval());
        command.Subcommands.Add(CreateLiveness());
        command.Subcommands.Add(CreateBench());
        return command;
    }

    private static Option<string> ModelsOption() => new("--models")
    {
        Description = "Folder with the model files (checked against the sha256 manifest). Default: FaceEngine:ModelsPath.",
    };

    private static Command CreateEval()
    {
        var faces = new Option<string>("--faces") { Description = "Folder of <identity>/<n>.jpg photos (folders starting with '_' are skipped).", Required = true };
        var models = ModelsOption();
        var chipSim = new Option<bool>("--chip-sim") { Description = "Reference side as a card chip photo: greyscale, 96×128, JPEG 2000 at about 2 KB." };
        var threshold = new Option<double?>("--threshold") { Description = "Operating threshold (default: Face:MatchThreshold from the configuration)." };
        var json = new Option<bool>("--json") { Description = "One JSON object (keys pairs_same, pairs_diff, threshold, fnmr, fmr, eer, …)." };
        var command = new Command("eval", "Score every same-person and different-person pair; print FNMR and FMR at the threshold, the EER and the threshold at FMR 0.1%.")
        {
            faces, models, chipSim, threshold, json,
        };
        command.Action = new UsageAwareAction((parse, _) => Task.FromResult(Guard(() =>
        {
            var configuration = CliConfiguration.Load();
            var faceOptions = Bind<FaceOptions>(configuration, FaceOptions.Section);
            using var engine = CreateEngine(configuration, parse.GetValue(models), liveness: false);
            var photos = FaceEvaluation.ScanFolder(parse.GetValue(faces)!, ImageFile.Load);
            FaceEvaluation.ReferenceTransform? transform = parse.GetValue(chipSim) ? SimulateChipPhoto : null;
            var report = new FaceEvaluation(engine).Run(photos, parse.GetValue(threshold) ?? faceOptions.MatchThreshold, transform);
            Console.Out.WriteLine(parse.GetValue(json) ? EvalJson(report) : EvalText(report));
            return ExitOk;
        })));
        return command;
    }

    private static Command CreateLiveness()
    {
        var models = ModelsOption();
        var images = new Argument<string[]>("IMAGE") { Description = "Images to score (JPEG or PNG).", Arity = ArgumentArity.OneOrMore };
        var json = new Option<bool>("--json") { Description = "JSON array of {image, score, live}." };
        var command = new Command("liveness", "Print the fused MiniFASNet V2 + V1SE real score (0..1) of the largest face in each image.")
        {
            models, images, json,
        };
        command.Action = new UsageAwareAction((parse, _) => Task.FromResult(Guard(() =>
        {
            var configuration = CliConfiguration.Load();
            var engineOptions = Bind<FaceEngineOptions>(configuration, FaceEngineOptions.Section);
            using var engine = CreateEngine(configuration, parse.GetValue(models), liveness: true);
            var results = new JsonArray();
            foreach (var path in parse.GetValue(images)!)
            {
                var image = ImageFile.Load(path);
                try
                {
                    var embedding = new float[FaceEmbedder.Dimensions];
                    var faces = engine.Detector.Detect(image);
                    float? score = faces.Count > 0 ? engine.LivenessOf(image, faces[0]) : null;
                    var live = score >= engineOptions.LivenessThreshold;
                    results.Add(new JsonObject { ["image"] = path, ["score"] = score is { } s ? Math.Round(s, 4) : null, ["live"] = score is null ? null : live });
                    if (!parse.GetValue(json))
                    {
                        Console.Out.WriteLine(score is { } v
                            ? $"{path}: {v.ToString("F3", CultureInfo.InvariantCulture)} {(live ? "live" : "SPOOF")}"
                            : $"{path}: no face");
                    }
                }
                finally
                {
                    image.Clear();
                }
            }

            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(results.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            }

            return ExitOk;
        })));
        return command;
    }

    private static Command CreateBench()
    {
        var models = ModelsOption();
        var faces = new Option<string>("--faces") { Description = "Folder of <identity>/<n>.jpg portraits turned into 640×480 camera frames.", Required = true };
        var frames = new Option<int>("--frames") { Description = "Measured frames (at least 100).", DefaultValueFactory = _ => 120 };
        var json = new Option<bool>("--json") { Description = "One JSON object (keys frame_ms_median, inference_ms_median, overhead_ratio, stages)." };
        var command = new Command("bench", "Median and p95 per stage (decode, detect, align, embed, liveness, whole frame) and the same models' raw inference time, in one run.")
        {
            models, faces, frames, json,
        };
        command.Action = new UsageAwareAction((parse, _) => Task.FromResult(Guard(() =>
        {
            var count = parse.GetValue(frames);
            if (count < 100)
            {
                Console.Error.WriteLine("error: --frames must be at least 100.");
                return UsageAwareAction.ExitUsage;
            }

            var configuration = CliConfiguration.Load();
            var engineOptions = Bind<FaceEngineOptions>(configuration, FaceEngineOptions.Section);
            engineOptions.Liveness = true;
            var store = Store(configuration, parse.GetValue(models), engineOptions);
            using var engine = new OnnxFaceEngine(engineOptions, store.PathOf);
            var jpegs = CameraFrames(engine, parse.GetValue(faces)!);
            var report = new FaceBench(engine, engineOptions, store.PathOf).Run(jpegs, jpeg => Jpeg.DecodeBgr(jpeg), count);
            Console.Out.WriteLine(parse.GetValue(json) ? BenchJson(report) : BenchText(report));
            return ExitOk;
        })));
        return command;
    }

    /// <summary>Portraits turned into 640×480 camera frames (face at 30% of the width), JPEG-encoded like MJPEG frames.</summary>
    private static List<byte[]> CameraFrames(OnnxFaceEngine engine, string folder)
    {
        var frames = new List<byte[]>();
        foreach (var photo in FaceEvaluation.ScanFolder(folder, ImageFile.Load))
        {
            var image = photo.Load();
            var found = engine.Detector.Detect(image);
            if (found.Count > 0)
            {
                var frame = CameraFrameSimulator.Frame(image, found[0].Box);
                frames.Add(Jpeg.EncodeBgr(frame, 85));
                frame.Clear();
            }

            image.Clear();
        }

        return frames.Count > 0 ? frames : throw new InvalidOperationException($"No face found in any photo under '{folder}'.");
    }

    /// <summary>The card-like reference: crop, grey, 96×128, JPEG 2000 at the card's budget, decoded by the terminal's decoder.</summary>
    private static (FaceImage Image, int Bytes) SimulateChipPhoto(FaceImage photo, FaceDetection face)
    {
        var box = face.Box;
        var chip = ChipPhotoSimulator.FromPortrait(photo, new PixelRectangle((int)box.X, (int)box.Y, (int)Math.Ceiling(box.Width), (int)Math.Ceiling(box.Height)));
        try
        {
            return ChipPhotoSimulator.RoundTrip(chip);
        }
        finally
        {
            chip.Fill(0);
        }
    }

    private static OnnxFaceEngine CreateEngine(IConfiguration configuration, string? modelsFolder, bool liveness)
    {
        var options = Bind<FaceEngineOptions>(configuration, FaceEngineOptions.Section);
        options.Liveness = liveness;
        return new OnnxFaceEngine(options, Store(configuration, modelsFolder, options).PathOf);
    }

    private static ModelStore Store(IConfiguration configuration, string? modelsFolder, FaceEngineOptions options) =>
        new(modelsFolder ?? options.ModelsPath);

    private static T Bind<T>(IConfiguration configuration, string section)
        where T : new()
    {
        var options = new T();
        configuration.GetSection(section).Bind(options);
        return options;
    }

    /// <summary>Known failures become one clear line and exit code 1; anything else is a bug and propagates.</summary>
    private static int Guard(Func<int> run)
    {
        try
        {
            return run();
        }
        catch (Exception e) when (e is ModelFileException or FaceModelException or ImageDecodeException or IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitFailed;
        }
    }

    private static string Percent(double rate) => (rate * 100).ToString("F2", CultureInfo.InvariantCulture) + "%";

    private static string F(double value, int decimals = 3) => value.ToString("F" + decimals, CultureInfo.InvariantCulture);

    private static string EvalText(FaceEvaluationReport r)
    {
        var m = r.Metrics;
        var lines = new List<string>
        {
            $"photos {r.Photos} ({r.Identities} identities), no face: {r.NoFace.Count}{(r.NoFace.Count > 0 ? " (" + string.Join(", ", r.NoFace) + ")" : string.Empty)}",
            r.ChipSimulation
                ? $"reference side: simulated chip photo ({ChipPhotoSimulator.Width}×{ChipPhotoSimulator.Height} grey JPEG 2000, mean {F(r.MeanReferenceBytes ?? 0, 0)} bytes); probe side: the photo"
                : "pairs of photos (no chip simulation)",
            $"pairs: same {m.PairsSame}, different {m.PairsDifferent}",
            $"at threshold {F(m.Threshold)}: FNMR {Percent(m.Fnmr)}  FMR {Percent(m.Fmr)}",
            $"EER {Percent(m.Eer)} at threshold {F(m.EerThreshold)}",
            $"at FMR ≤ {Percent(m.TargetFmr)}: threshold {F(m.ThresholdAtFmr)}, FNMR {Percent(m.FnmrAtFmr)}",
            "lowest same-person scores: " + string.Join("; ", r.HardestSame.Select(p => $"{p.Reference}~{p.Probe} {F(p.Score)}")),
            "highest different-person scores: " + string.Join("; ", r.HardestDifferent.Select(p => $"{p.Reference}~{p.Probe} {F(p.Score)}")),
        };
        return string.Join(Environment.NewLine, lines);
    }

    private static string EvalJson(FaceEvaluationReport r)
    {
        var m = r.Metrics;
        var json = new JsonObject
        {
            ["pairs_same"] = m.PairsSame,
            ["pairs_diff"] = m.PairsDifferent,
            ["threshold"] = m.Threshold,
            ["fnmr"] = m.Fnmr,
            ["fmr"] = m.Fmr,
            ["eer"] = m.Eer,
            ["eer_threshold"] = m.EerThreshold,
            ["target_fmr"] = m.TargetFmr,
            ["threshold_at_target_fmr"] = m.ThresholdAtFmr,
            ["fnmr_at_target_fmr"] = m.FnmrAtFmr,
            ["photos"] = r.Photos,
            ["identities"] = r.Identities,
            ["no_face"] = new JsonArray([.. r.NoFace.Select(n => (JsonNode?)JsonValue.Create(n))]),
            ["chip_sim"] = r.ChipSimulation,
            ["chip_photo_bytes_mean"] = r.MeanReferenceBytes,
        };
        return json.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static string BenchText(FaceBenchReport r)
    {
        var lines = new List<string>
        {
            $"{r.Frames} frames of {r.FrameWidth}×{r.FrameHeight} (JPEG), detector input {r.DetectorInput} px",
            $"{"stage",-12}{"median ms",12}{"p95 ms",10}",
        };
        foreach (var (name, t) in r.Stages)
        {
            lines.Add($"{name,-12}{F(t.Median, 2),12}{F(t.P95, 2),10}");
        }

        lines.Add($"{"whole frame",-12}{F(r.WholeFrame.Median, 2),12}{F(r.WholeFrame.P95, 2),10}");
        lines.Add($"{"inference",-12}{F(r.Inference.Median, 2),12}{F(r.Inference.P95, 2),10}   (raw session.Run of the 4 models, same tensors)");
        lines.Add($"overhead ratio (whole frame / inference): {F(r.OverheadRatio, 2)}");
        return string.Join(Environment.NewLine, lines);
    }

    private static string BenchJson(FaceBenchReport r)
    {
        var stages = new JsonObject();
        foreach (var (name, t) in r.Stages)
        {
            stages[name] = new JsonObject { ["median_ms"] = Math.Round(t.Median, 3), ["p95_ms"] = Math.Round(t.P95, 3) };
        }

        var json = new JsonObject
        {
            ["frames"] = r.Frames,
            ["frame_width"] = r.FrameWidth,
            ["frame_height"] = r.FrameHeight,
            ["detector_input"] = r.DetectorInput,
            ["frame_ms_median"] = Math.Round(r.WholeFrame.Median, 3),
            ["frame_ms_p95"] = Math.Round(r.WholeFrame.P95, 3),
            ["inference_ms_median"] = Math.Round(r.Inference.Median, 3),
            ["overhead_ratio"] = Math.Round(r.OverheadRatio, 3),
            ["stages"] = stages,
        };
        return json.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }
}
