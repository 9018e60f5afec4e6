using Emotion.Onnx.Models;
using Microsoft.ML.OnnxRuntime;

namespace Emotion.Onnx;

/// <summary>
/// How a model's graph is bound to its <see cref="OnnxModelDescriptor"/>, found by checking the one against the other:
/// the image input's fixed batch size (0 when dynamic), each state binding's sizes, and the outputs to fetch. Immutable.
/// </summary>
internal sealed class OnnxGraphBindings
{
    private OnnxGraphBindings(int fixedBatch, int[] stateLengths, long[][] stateDims, string[] outputNames)
    {
        FixedBatch = fixedBatch;
        StateLengths = stateLengths;
        StateDims = stateDims;
        OutputNames = outputNames;
    }

    /// <summary>The image input's fixed batch size, or 0 when it is dynamic.</summary>
    public int FixedBatch { get; }

    /// <summary>Per state binding, the floats of one sequence's state (layers x directions x hidden).</summary>
    public int[] StateLengths { get; }

    /// <summary>Per state binding, its (layers x directions, hidden) sizes.</summary>
    public long[][] StateDims { get; }

    /// <summary>The outputs to fetch: categories, valence, arousal, then the final states, without repeats.</summary>
    public string[] OutputNames { get; }

    /// <summary>Checks that the graph of <paramref name="session"/> matches <paramref name="d"/>.</summary>
    /// <exception cref="InvalidOnnxModelException">An input or output is missing, extra, or has another type or shape; the message names it.</exception>
    public static OnnxGraphBindings Check(string path, InferenceSession session, OnnxModelDescriptor d)
    {
        var inputs = session.InputMetadata;
        var outputs = session.OutputMetadata;
        string Available(IEnumerable<string> names) => string.Join(", ", names.Select(n => $"'{n}'"));

        if (!inputs.TryGetValue(d.InputName, out var input))
            throw new InvalidOnnxModelException(path, $"'{path}' has no input '{d.InputName}'; its inputs are {Available(inputs.Keys)}.");
        if (input.ElementDataType != Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float)
            throw new InvalidOnnxModelException(path, $"'{path}': input '{d.InputName}' is {input.ElementDataType}; expected float32 frames.");
        var dims = input.Dimensions;
        int rank = d.HasTimeAxis ? 5 : 4;
        string expectedShape = (d.HasTimeAxis ? "[batch, time, " : "[batch, ") +
            (d.Layout == OnnxInputLayout.Nchw ? $"{d.Channels}, {d.Height}, {d.Width}]" : $"{d.Height}, {d.Width}, {d.Channels}]");
        int spatial = d.HasTimeAxis ? 2 : 1;
        (int c, int h, int w) = d.Layout == OnnxInputLayout.Nchw ? (spatial, spatial + 1, spatial + 2) : (spatial + 2, spatial, spatial + 1);
        if (dims.Length != rank || !Fits(dims[c], d.Channels) || !Fits(dims[h], d.Height) || !Fits(dims[w], d.Width))
            throw new InvalidOnnxModelException(path,
                $"'{path}': input '{d.InputName}' has shape [{string.Join(", ", dims.Select(x => x < 0 ? "?" : x.ToString(System.Globalization.CultureInfo.InvariantCulture)))}] " +
                $"but the descriptor expects {expectedShape} ({d.Layout}, {(d.HasTimeAxis ? "with" : "without")} a time axis).");
        int fixedBatch = dims[0] > 0 ? dims[0] : 0;
        if (d.HasTimeAxis && fixedBatch > 1)
            throw new InvalidOnnxModelException(path, $"'{path}': input '{d.InputName}' has a fixed batch size {fixedBatch}; sequence models need a dynamic or unit batch axis.");

        var stateNames = new HashSet<string>(d.States.Select(s => s.InputName), StringComparer.Ordinal);
        foreach (var name in inputs.Keys)
        {
            if (name != d.InputName && !stateNames.Contains(name))
                throw new InvalidOnnxModelException(path,
                    $"'{path}' has an input '{name}' the descriptor does not describe (the image input is '{d.InputName}'; state inputs are {Available(stateNames)}).");
        }
        var stateLengths = new int[d.States.Length];
        var stateDims = new long[d.States.Length][];
        for (int s = 0; s < d.States.Length; s++)
        {
            var binding = d.States[s];
            if (!inputs.TryGetValue(binding.InputName, out var stateInput))
                throw new InvalidOnnxModelException(path, $"'{path}' has no state input '{binding.InputName}'; its inputs are {Available(inputs.Keys)}.");
            var sd = stateInput.Dimensions;
            if (sd.Length != 3 || sd[0] <= 0 || sd[2] <= 0)
                throw new InvalidOnnxModelException(path,
                    $"'{path}': state input '{binding.InputName}' has shape [{string.Join(", ", sd)}]; expected [layers x directions, batch, hidden] with fixed first and last sizes.");
            stateDims[s] = [sd[0], sd[2]];
            stateLengths[s] = sd[0] * sd[2];
        }

        var wanted = new List<string>();
        void Want(string? name, string role)
        {
            if (name is null || wanted.Contains(name)) return;
            if (!outputs.ContainsKey(name))
                throw new InvalidOnnxModelException(path, $"'{path}' has no output '{name}' ({role}); its outputs are {Available(outputs.Keys)}.");
            wanted.Add(name);
        }
        Want(d.CategoryOutput, "category output");
        Want(d.Valence?.OutputName, "valence");
        Want(d.Arousal?.OutputName, "arousal");
        foreach (var binding in d.States) Want(binding.OutputName, $"final state for '{binding.InputName}'");
        return new OnnxGraphBindings(fixedBatch, stateLengths, stateDims, [.. wanted]);

        static bool Fits(int actual, int expected) => actual <= 0 || actual == expected;
    }
}
