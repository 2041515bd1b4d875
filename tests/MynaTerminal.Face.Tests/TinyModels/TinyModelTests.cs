using Microsoft.ML.OnnxRuntime;
using MynaTerminal.Face.Models;
using MynaTerminal.Face.Tests.Models;

using MynaTerminal.Tests.Shared;

namespace MynaTerminal.Face.Tests.TinyModels;

public sealed class TinyModelTests
{
    private const float Tolerance = 1e-5f;

    [Fact]
    public void Protobuf_wire_format_is_encoded_as_specified()
    {
        var w = new ProtoWriter();
        w.Varint(300);
        w.Int64(1, -1);
        w.Float(2, 1.0f);
        w.String(4, "Add");
        w.Message(7, inner => inner.Int64(1, 8));

        Assert.Equal(
            Convert.FromHexString("AC02" + "08FFFFFFFFFFFFFFFFFF01" + "150000803F" + "2203416464" + "3A020808"),
            w.ToArray());
    }

    [Fact]
    public void Detector_outputs_equal_the_hand_computed_pooling_and_constants()
    {
        const int h = 64, w = 96;
        var input = new float[3 * h * w];
        Fill(input, h, w, channel: 0, y0: 32, x0: 64, size: 32, value: 255);  // one full stride-32 cell: row 1, col 2
        Fill(input, h, w, channel: 0, y0: 0, x0: 0, size: 8, value: 51);      // a dim stride-8 cell: 51/255 = 0.2
        var random = new Random(7);
        for (var i = h * w; i < input.Length; i++)
        {
            input[i] = random.Next(256);                                        // channels 1 and 2 must not matter
        }

        var spec = new TinyDetectorSpec();
        var outputs = Run(TinyOnnxModels.Detector(spec), "input", input, [1, 3, h, w]);

        Assert.Equal(["cls_8", "cls_16", "cls_32", "obj_8", "obj_16", "obj_32", "bbox_8", "bbox_16", "bbox_32", "kps_8", "kps_16", "kps_32"],
            outputs.Keys);
        for (var k = 0; k < 3; k++)
        {
            var s = TinyDetectorSpec.Strides[k];
            int rows = h / s, cols = w / s, n = rows * cols;
            var cls = outputs[$"cls_{s}"];
            Assert.Equal([1, n, 1], cls.Shape);
            for (var r = 0; r < rows; r++)
            {
                for (var c = 0; c < cols; c++)
                {
                    Assert.Equal(BlockMean(input, w, r * s, c * s, s) / 255f, cls.Data[r * cols + c], Tolerance);
                }
            }

            Assert.Equal([1, n, 1], outputs[$"obj_{s}"].Shape);
            Assert.All(outputs[$"obj_{s}"].Data, v => Assert.Equal(spec.Objectness[k], v));
            Assert.Equal([1, n, 4], outputs[$"bbox_{s}"].Shape);
            Assert.Equal(Repeat(spec.Box, n), outputs[$"bbox_{s}"].Data);
            Assert.Equal([1, n, 10], outputs[$"kps_{s}"].Shape);
            Assert.Equal(Repeat(spec.Landmarks, n), outputs[$"kps_{s}"].Data);
        }

        // The same numbers written out: the dim 8×8 block shrinks with the stride; the bright cell is 1 at stride 32.
        Assert.Equal([0.0125f, 0, 0, 0, 0, 1], outputs["cls_32"].Data);
        Assert.Equal(0.2f, outputs["cls_8"].Data[0], Tolerance);
        Assert.Equal(0.05f, outputs["cls_16"].Data[0], Tolerance);
        Assert.Equal(1f, outputs["cls_16"].Data[2 * 6 + 4], Tolerance);

        // Decoded as OpenCV does (MANIFEST §1), the only scoring cell is the planted square, box and landmarks as documented.
        var decoded = Decode(outputs, w, h).ToList();
        var face = Assert.Single(decoded, f => f.Score > 0.5f);
        Assert.Equal(MathF.Sqrt(0.0125f), decoded.Where(f => f != face).Max(f => f.Score), Tolerance);  // the dim block at stride 32
        Assert.Equal(1f, face.Score, Tolerance);
        Assert.Equal((64f, 32f, 32f, 32f), (face.X, face.Y, face.Width, face.Height));
        Assert.Equal([75f, 47f, 85f, 47f, 80f, 52f, 76f, 58f, 84f, 58f], face.Landmarks);
        var expected = spec.ExpectedFace(32, 1, 2);
        Assert.Equal((expected.Score, expected.X, expected.Y, expected.Width, expected.Height), (face.Score, face.X, face.Y, face.Width, face.Height));
        Assert.Equal(expected.Landmarks, face.Landmarks);
    }

    [Fact]
    public void Dynamic_detector_takes_any_batch_and_size_and_fixed_detector_is_640()
    {
        using var dynamic = Session(TinyOnnxModels.Detector());
        var input = dynamic.InputMetadata["input"];
        Assert.Equal([-1, 3, -1, -1], input.Dimensions);
        Assert.Equal(["batch", "", "height", "width"], input.SymbolicDimensions);

        var batch = new float[2 * 3 * 32 * 64];
        Fill(batch, 32, 64, channel: 3, y0: 0, x0: 32, size: 32, value: 255);    // image 2, channel 0, cell (0, 1)
        var outputs = Run(TinyOnnxModels.Detector(), "input", batch, [2, 3, 32, 64]);
        Assert.Equal([2, 2, 1], outputs["cls_32"].Shape);
        Assert.Equal([0f, 0f, 0f, 1f], outputs["cls_32"].Data);
        Assert.Equal([2, 32, 10], outputs["kps_8"].Shape);

        using var fixed640 = Session(TinyOnnxModels.Detector(TinyDetectorSpec.Fixed640));
        Assert.Equal([1, 3, 640, 640], fixed640.InputMetadata["input"].Dimensions);
        Assert.Equal([1, 6400, 1], fixed640.OutputMetadata["cls_8"].Dimensions);
        Assert.Equal([1, 400, 10], fixed640.OutputMetadata["kps_32"].Dimensions);
        var frame = new float[3 * 640 * 640];
        Fill(frame, 640, 640, channel: 0, y0: 5 * 32, x0: 7 * 32, size: 32, value: 255);
        var cls32 = Run(TinyOnnxModels.Detector(TinyDetectorSpec.Fixed640), "input", frame, [1, 3, 640, 640])["cls_32"].Data;
        Assert.Equal(1f, cls32[5 * 20 + 7]);
        Assert.Equal(1f, cls32.Sum(), Tolerance);
    }

    [Fact]
    public void Embedder_maps_the_mean_colour_linearly_so_equal_means_give_equal_embeddings()
    {
        float[] colour = [0.25f, -0.5f, 1.0f];
        var uniform = Image(112, (c, _, _) => colour[c]);
        var checkered = Image(112, (c, y, x) => colour[c] + ((x + y) % 2 == 0 ? 0.75f : -0.75f));
        var other = Image(112, (c, _, _) => c == 1 ? 1f : 0f);

        var a = Run(TinyOnnxModels.Embedder(), "input0", uniform, [1, 3, 112, 112])["output0"];
        var b = Run(TinyOnnxModels.Embedder(), "input0", checkered, [1, 3, 112, 112])["output0"].Data;
        var c = Run(TinyOnnxModels.Embedder(), "input0", other, [1, 3, 112, 112])["output0"].Data;

        Assert.Equal([1, 128], a.Shape);
        var weights = TinyOnnxModels.EmbedderWeights;
        for (var j = 0; j < 128; j++)
        {
            var expected = colour[0] * weights[j] + colour[1] * weights[128 + j] + colour[2] * weights[256 + j];
            Assert.Equal(expected, a.Data[j], Tolerance);
            Assert.Equal(a.Data[j], b[j], Tolerance);
            Assert.Equal(weights[128 + j], c[j], Tolerance);
        }

        // Orthogonal rows: the cosine of two embeddings is the cosine of the two colours.
        var colourCosine = colour[1] / Norm(colour);
        Assert.Equal(colourCosine, Cosine(a.Data, c), Tolerance);
        Assert.Equal(1f, Cosine(a.Data, b), Tolerance);
    }

    [Fact]
    public void Liveness_says_live_for_green_and_spoof_for_red_grey_and_blue()
    {
        var green = Logits(0, 255, 0);
        var red = Logits(0, 0, 255);
        var grey = Logits(128, 128, 128);
        var blue = Logits(255, 0, 0);

        Assert.Equal([0.5f, 255 / 32f, -0.5f], green);
        Assert.Equal([0.5f, 0f, 255 / 32f - 0.5f], red);
        Assert.Equal([4.5f, 4f, 3.5f], grey);
        Assert.Equal(1, ArgMax(green));
        Assert.Equal(2, ArgMax(red));
        Assert.Equal(0, ArgMax(grey));
        Assert.Equal(0, ArgMax(blue));
        Assert.True(Softmax(green)[1] > 0.999f);
        Assert.True(Softmax(red)[1] < 0.001f);

        static float[] Logits(float b, float g, float r)
        {
            float[] bgr = [b, g, r];
            var output = Run(TinyOnnxModels.Liveness(), "input", Image(80, (c, _, _) => bgr[c]), [1, 3, 80, 80])["output"];
            Assert.Equal([1, 3], output.Shape);
            return output.Data;
        }
    }

    [Fact]
    public void Broken_models_fail_the_way_real_broken_files_do()
    {
        using (var wrong = Session(TinyOnnxModels.WrongInputName()))
        {
            Assert.Equal(["data"], wrong.InputMetadata.Keys);
            Assert.Equal(["output0"], wrong.OutputMetadata.Keys);
        }

        using var temp = new TempFolder();
        var files = new (string Name, Action<string> Write)[]
        {
            ("text.onnx", TinyOnnxModels.WriteNotOnnx),
            ("pointer.onnx", TinyOnnxModels.WriteGitLfsPointer),
            ("truncated.onnx", TinyOnnxModels.WriteTruncated),
        };
        foreach (var (name, write) in files)
        {
            var path = temp.File(name);
            write(path);
            var ex = Assert.Throws<OnnxRuntimeException>(() => new InferenceSession(path).Dispose());
            Assert.False(string.IsNullOrWhiteSpace(ex.Message));
        }
    }

    [Fact]
    public void Tiny_models_have_the_real_models_tensor_names_and_shapes()
    {
        var shared = SharedModels.RequireFolder();
        var pairs = new (string Id, byte[] Tiny)[]
        {
            ("yunet-640", TinyOnnxModels.Detector(TinyDetectorSpec.Fixed640)),
            ("yunet-dynamic", TinyOnnxModels.Detector()),
            ("mobilefacenet", TinyOnnxModels.Embedder()),
            ("minifasnet-v2", TinyOnnxModels.Liveness()),
            ("minifasnet-v1se", TinyOnnxModels.Liveness()),
        };
        foreach (var (id, tinyBytes) in pairs)
        {
            using var real = new InferenceSession(Path.Combine(shared, ModelCatalog.Default.Get(id).FileName));
            using var tiny = Session(tinyBytes);
            AssertSame(id + " input", real.InputMetadata, tiny.InputMetadata);
            AssertSame(id + " output", real.OutputMetadata, tiny.OutputMetadata);
        }

        static void AssertSame(string what, IReadOnlyDictionary<string, NodeMetadata> real, IReadOnlyDictionary<string, NodeMetadata> tiny)
        {
            Assert.Equal(real.Keys, tiny.Keys);
            foreach (var (name, metadata) in real)
            {
                Assert.True(metadata.ElementType == tiny[name].ElementType, $"{what} {name}: element type");
                Assert.True(metadata.Dimensions.SequenceEqual(tiny[name].Dimensions),
                    $"{what} {name}: real [{string.Join(",", metadata.Dimensions)}], tiny [{string.Join(",", tiny[name].Dimensions)}]");
            }
        }
    }

    [Fact]
    public void Tiny_model_folder_holds_checked_models_under_the_real_names()
    {
        string folder;
        using (var tiny = TinyModelFolder.Create())
        {
            folder = tiny.Folder;
            Assert.All(tiny.Store.VerifyAll(), c => Assert.True(c.IsOk, $"{c.Model.Id}: {c.Detail}"));
            foreach (var model in ModelCatalog.Default.DefaultSet)
            {
                var path = tiny.PathOf(model.Id);
                Assert.Equal(Path.Combine(tiny.Folder, model.FileName), path);
                Assert.NotEqual(model.Sha256, tiny.Catalog.Get(model.Id).Sha256);
                Assert.True(new FileInfo(path).Length < 5_000, $"{model.Id} should be tiny");
                using var session = new InferenceSession(path);
                Assert.Equal(model.Role == ModelRole.Embedder ? "input0" : "input", session.InputMetadata.Keys.Single());
            }

            Assert.Equal([1, 3, 640, 640], Session(File.ReadAllBytes(tiny.PathOf("yunet-640"))).InputMetadata["input"].Dimensions);
            Assert.Throws<ModelNotFoundException>(() => tiny.PathOf("sface"));

            // The pinned catalog refuses the tiny files: only the tiny catalog accepts them.
            Assert.Throws<ModelChecksumException>(() => new ModelStore(tiny.Folder).PathOf("mobilefacenet"));

            File.WriteAllText(tiny.FileOf("minifasnet-v2"), "damaged");
            Assert.Throws<ModelChecksumException>(() => tiny.PathOf("minifasnet-v2"));
        }

        Assert.False(Directory.Exists(folder));
    }

    // ---------------------------------------------------------------- helpers

    private static InferenceSession Session(byte[] model)
    {
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        return new InferenceSession(model, options);
    }

    private static Dictionary<string, (long[] Shape, float[] Data)> Run(byte[] model, string inputName, float[] input, long[] shape)
    {
        using var session = Session(model);
        using var value = OrtValue.CreateTensorValueFromMemory(input, shape);
        using var runOptions = new RunOptions();
        var names = session.OutputNames;
        using var results = session.Run(runOptions, [inputName], [value], names);
        var outputs = new Dictionary<string, (long[] Shape, float[] Data)>();
        var i = 0;
        foreach (var result in results)
        {
            outputs[names[i++]] = (result.GetTensorTypeAndShape().Shape, result.GetTensorDataAsSpan<float>().ToArray());
        }

        return outputs;
    }

    /// <summary>Sets a square of one channel (channel index counts across the batch: 3 = image 2, channel 0).</summary>
    private static void Fill(float[] nchw, int h, int w, int channel, int y0, int x0, int size, float value)
    {
        for (var y = y0; y < y0 + size; y++)
        {
            Array.Fill(nchw, value, channel * h * w + y * w + x0, size);
        }
    }

    private static float BlockMean(float[] nchw, int w, int y0, int x0, int size)
    {
        double sum = 0;
        for (var y = y0; y < y0 + size; y++)
        {
            for (var x = x0; x < x0 + size; x++)
            {
                sum += nchw[y * w + x];
            }
        }

        return (float)(sum / (size * size));
    }

    private static float[] Repeat(IReadOnlyList<float> values, int times) =>
        [.. Enumerable.Range(0, times).SelectMany(_ => values)];

    private static float[] Image(int size, Func<int, int, int, float> pixel)
    {
        var data = new float[3 * size * size];
        for (var c = 0; c < 3; c++)
        {
            for (var y = 0; y < size; y++)
            {
                for (var x = 0; x < size; x++)
                {
                    data[(c * size + y) * size + x] = pixel(c, y, x);
                }
            }
        }

        return data;
    }

    /// <summary>OpenCV FaceDetectorYN::postProcess decoding (MANIFEST §1), without NMS.</summary>
    private static IEnumerable<TinyFace> Decode(Dictionary<string, (long[] Shape, float[] Data)> outputs, int width, int height)
    {
        foreach (var s in TinyDetectorSpec.Strides)
        {
            int cols = width / s, rows = height / s;
            var (cls, obj, bbox, kps) = (outputs[$"cls_{s}"].Data, outputs[$"obj_{s}"].Data, outputs[$"bbox_{s}"].Data, outputs[$"kps_{s}"].Data);
            for (var r = 0; r < rows; r++)
            {
                for (var c = 0; c < cols; c++)
                {
                    var i = r * cols + c;
                    var score = MathF.Sqrt(Math.Clamp(cls[i], 0, 1) * Math.Clamp(obj[i], 0, 1));
                    var cx = (c + bbox[4 * i]) * s;
                    var cy = (r + bbox[4 * i + 1]) * s;
                    var w = MathF.Exp(bbox[4 * i + 2]) * s;
                    var h = MathF.Exp(bbox[4 * i + 3]) * s;
                    var landmarks = new float[10];
                    for (var k = 0; k < 5; k++)
                    {
                        landmarks[2 * k] = (kps[10 * i + 2 * k] + c) * s;
                        landmarks[2 * k + 1] = (kps[10 * i + 2 * k + 1] + r) * s;
                    }

                    yield return new TinyFace(score, cx - w / 2, cy - h / 2, w, h, landmarks);
                }
            }
        }
    }

    private static float Norm(float[] v) => MathF.Sqrt(v.Sum(x => x * x));

    private static float Cosine(float[] a, float[] b) => a.Zip(b, (x, y) => x * y).Sum() / (Norm(a) * Norm(b));

    private static int ArgMax(float[] v) => Array.IndexOf(v, v.Max());

    private static float[] Softmax(float[] v)
    {
        var e = v.Select(x => MathF.Exp(x - v.Max())).ToArray();
        var sum = e.Sum();
        return [.. e.Select(x => x / sum)];
    }
}
