using Microsoft.ML.OnnxRuntime;

namespace MynaTerminal.Face.Engine;

/// <summary>How ONNX Runtime sessions are made: created once per model, CPU, thread count from configuration.</summary>
public sealed record OnnxSessionSettings(int IntraOpThreads = 2)
{
    internal SessionOptions Create()
    {
        var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = IntraOpThreads,
            InterOpNumThreads = 1,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };

        // Four sessions run one after the other per frame, each with its own intra-op pool: threads spinning after
        // their session's run would take the CPU from the next session's (measured ≈ 3× slower on 2 cores).
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        return options;
    }
}

/// <summary>A model file that cannot be used: missing, not ONNX, or not the tensors the pipeline expects.</summary>
public sealed class FaceModelException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// One ONNX model: its session (created once), input and output names checked against what the pipeline
/// expects, and a run method over caller-owned buffers through the <see cref="OrtValue"/> API.
/// </summary>
public sealed class OnnxModel : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly string[] _inputNames;

    public OnnxModel(string path, OnnxSessionSettings settings, string role, string? inputName = null, IReadOnlyList<string>? outputNames = null)
    {
        Path = path;
        if (!File.Exists(path))
        {
            throw new FaceModelException($"The {role} model '{path}' does not exist.");
        }

        using var options = settings.Create();
        try
        {
            _session = new InferenceSession(path, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new FaceModelException($"The {role} model '{path}' could not be loaded by ONNX Runtime: {e.Message}", e);
        }

        try
        {
            var inputs = _session.InputMetadata;
            if (inputs.Count != 1)
            {
                throw new FaceModelException($"The {role} model '{path}' has {inputs.Count} inputs; one image input is expected.");
            }

            InputName = inputs.Keys.Single();
            if (inputName is not null && InputName != inputName)
            {
                throw new FaceModelException($"The {role} model '{path}' has input '{InputName}', expected '{inputName}'. Is it the right file?");
            }

            InputShape = inputs[InputName].Dimensions;
            var outputs = _session.OutputMetadata;
            if (outputNames is not null)
            {
                var missing = outputNames.Where(n => !outputs.ContainsKey(n)).ToArray();
                if (missing.Length > 0)
                {
                    throw new FaceModelException($"The {role} model '{path}' lacks the outputs {string.Join(", ", missing)} (it has {string.Join(", ", outputs.Keys)}).");
                }

                OutputNames = [.. outputNames];
            }
            else
            {
                OutputNames = [.. outputs.Keys];
            }

            _inputNames = [InputName];
        }
        catch
        {
            _session.Dispose();
            _runOptions.Dispose();
            throw;
        }
    }

    public string Path { get; }

    public string InputName { get; }

    /// <summary>The declared input shape (−1 for a dynamic dimension).</summary>
    public int[] InputShape { get; }

    public string[] OutputNames { get; }

    /// <summary>
    /// Runs the model on <paramref name="input"/> (NCHW floats, used in place without a copy) and hands each output's
    /// data to <paramref name="read"/> in <see cref="OutputNames"/> order. The outputs are freed on return.
    /// </summary>
    public void Run(float[] input, long[] shape, OutputReader read)
    {
        long count = 1;
        foreach (var d in shape)
        {
            count *= d;
        }

        using var value = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new Memory<float>(input, 0, checked((int)count)), shape);
        using var results = _session.Run(_runOptions, _inputNames, [value], OutputNames);
        for (var i = 0; i < results.Count; i++)
        {
            read(i, results[i].GetTensorDataAsSpan<float>());
        }
    }

    public delegate void OutputReader(int output, ReadOnlySpan<float> data);

    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
    }
}
