using Emotion.Core;
using Emotion.Onnx.Export.Protos;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Emotion.Onnx.Export.Quantization;

/// <summary>
/// Runs the fp32 model on ONNX Runtime with the tensors to calibrate added as graph outputs, over every calibration
/// sequence (frames <c>[1, T, 3, H, W]</c>, recurrent state inputs zero), and reduces each tensor to a range with the
/// chosen <see cref="CalibrationMethod"/>: one pass for min-max, a second pass filling histograms for the others.
/// Tensors that are graph inputs are read from the feeds themselves, never asked back from ONNX Runtime: a graph input
/// fetched as an output aliases the feed's buffer, which is managed memory pinned only while <c>Run</c> lasts, so reading
/// it afterwards reads whatever a garbage collection left there.
/// </summary>
internal static class ActivationCalibrator
{
    public static Dictionary<string, (double Min, double Max)> Calibrate(ModelProto model, IReadOnlyList<string> tensors, CalibrationData data,
        QuantizationOptions options)
    {
        var augmented = model.Clone();
        var graphInputs = new HashSet<string>(augmented.Graph.Input.Select(i => i.Name), StringComparer.Ordinal);
        var fetched = tensors.Where(t => !graphInputs.Contains(t)).ToList();
        var existing = new HashSet<string>(augmented.Graph.Output.Select(o => o.Name), StringComparer.Ordinal);
        foreach (var name in fetched)
        {
            if (!existing.Add(name)) continue;
            augmented.Graph.Output.Add(new ValueInfoProto
            {
                Name = name,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } },
            });
        }
        using var sessionOptions = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_BASIC };
        if (options.CalibrationThreads > 0) sessionOptions.IntraOpNumThreads = options.CalibrationThreads;
        using var session = new InferenceSession(augmented.ToByteArray(), sessionOptions);
        var feeds = new FeedBuilder(session, data.FrameLength);

        var min = tensors.ToDictionary(t => t, _ => double.PositiveInfinity, StringComparer.Ordinal);
        var max = tensors.ToDictionary(t => t, _ => double.NegativeInfinity, StringComparer.Ordinal);
        foreach (var sequence in data.Sequences)
        {
            ForEachTensor(session, feeds.Inputs(sequence), tensors, fetched, (name, span) =>
            {
                if (span.Length == 0) return;
                float lo = float.PositiveInfinity, hi = float.NegativeInfinity;
                foreach (float v in span)
                {
                    if (!float.IsFinite(v))
                        throw new InvalidOperationException($"The fp32 model produces {v} in '{name}' on the calibration frames of {data.Description}; it cannot be calibrated.");
                    if (v < lo) lo = v;
                    if (v > hi) hi = v;
                }
                min[name] = Math.Min(min[name], lo);
                max[name] = Math.Max(max[name], hi);
            });
        }
        foreach (var t in tensors)
            if (double.IsInfinity(min[t])) throw new InvalidOperationException($"Tensor '{t}' was empty on every calibration sequence; it cannot be calibrated.");

        if (options.Method == CalibrationMethod.MinMax)
            return tensors.ToDictionary(t => t, t => (min[t], max[t]), StringComparer.Ordinal);

        var histograms = tensors.ToDictionary(t => t, t => options.Method == CalibrationMethod.Entropy
            ? ActivationHistogram.Absolute(Math.Max(Math.Abs(min[t]), Math.Abs(max[t])), options.HistogramBins)
            : ActivationHistogram.Signed(min[t], max[t], options.HistogramBins), StringComparer.Ordinal);
        foreach (var sequence in data.Sequences)
            ForEachTensor(session, feeds.Inputs(sequence), tensors, fetched, (name, span) => histograms[name].Add(span));
        var ranges = new Dictionary<string, (double, double)>(StringComparer.Ordinal);
        foreach (var t in tensors)
        {
            var h = histograms[t];
            if (options.Method == CalibrationMethod.Percentile)
            {
                ranges[t] = h.PercentileRange(options.Percentile);
            }
            else
            {
                bool nonNegative = min[t] >= 0;
                double threshold = h.EntropyThreshold(nonNegative ? 256 : 128);
                ranges[t] = nonNegative ? (0, threshold) : (Math.Max(min[t], -threshold), Math.Min(max[t], threshold));
            }
        }
        return ranges;
    }

    private delegate void TensorVisitor(string name, ReadOnlySpan<float> values);

    /// <summary>
    /// Hands <paramref name="visit"/> the values of every tensor to calibrate for one run: graph inputs from
    /// <paramref name="inputs"/> (our own managed tensors), the others from ONNX Runtime's outputs while they are alive.
    /// </summary>
    private static void ForEachTensor(InferenceSession session, List<NamedOnnxValue> inputs, IReadOnlyList<string> tensors,
        List<string> fetched, TensorVisitor visit)
    {
        foreach (var input in inputs)
        {
            // FeedBuilder.Inputs builds every feed as a DenseTensor over managed memory.
            if (tensors.Contains(input.Name)) visit(input.Name, ((DenseTensor<float>)input.AsTensor<float>()).Buffer.Span);
        }
        if (fetched.Count == 0) return;
        using var results = session.Run(inputs, fetched);
        foreach (var r in results) visit(r.Name, Values(r));
    }

    private static ReadOnlySpan<float> Values(DisposableNamedOnnxValue value) => value.Value switch
    {
        DenseTensor<float> dense => dense.Buffer.Span,
        Tensor<float> tensor => tensor.ToArray(),
        _ => throw new InvalidOperationException($"Tensor '{value.Name}' is not float32; only float tensors can be calibrated."),
    };

    /// <summary>Builds the inputs of one calibration run: the frames, and zeros for every other float input (recurrent state).</summary>
    private sealed class FeedBuilder
    {
        private readonly string frames;
        private readonly int rank;
        private readonly List<(string Name, int[] Dims)> zeros = [];

        public FeedBuilder(InferenceSession session, int frameLength)
        {
            var inputs = session.InputMetadata;
            frames = inputs.ContainsKey(OnnxTensorNames.Frames) ? OnnxTensorNames.Frames
                : inputs.Count == 1 ? inputs.Keys.First()
                : throw new NotSupportedException($"The model has inputs {string.Join(", ", inputs.Keys)} and none is '{OnnxTensorNames.Frames}'; the quantizer cannot tell which takes the frames.");
            var meta = inputs[frames];
            rank = meta.Dimensions.Length;
            if (meta.ElementType != typeof(float) || rank is not (4 or 5))
                throw new NotSupportedException($"Input '{frames}' is {meta.ElementType.Name} of rank {rank}; expected float frames [batch, time, C, H, W] or [batch, C, H, W].");
            if (meta.Dimensions.Skip(rank - 3).Any(d => d <= 0))
                throw new NotSupportedException($"Input '{frames}' has a dynamic frame size [{string.Join(", ", meta.Dimensions)}]; the quantizer needs fixed C, H and W.");
            long perFrame = 1;
            foreach (int d in meta.Dimensions.Skip(rank - 3)) perFrame *= d;
            if (perFrame != frameLength)
                throw new ArgumentException($"The calibration frames have {frameLength} floats each but input '{frames}' takes [{string.Join(", ", meta.Dimensions.Skip(rank - 3))}] = {perFrame} per frame; prepare them at the model's frame size.");
            FrameShape = meta.Dimensions.Skip(rank - 3).ToArray();
            foreach (var (name, m) in inputs)
            {
                if (name == frames) continue;
                if (m.ElementType != typeof(float))
                    throw new NotSupportedException($"Input '{name}' is {m.ElementType.Name}; the quantizer only feeds float frames and zero float state.");
                zeros.Add((name, m.Dimensions.Select(d => d < 0 ? 1 : d).ToArray()));
            }
        }

        private int[] FrameShape { get; }

        public List<NamedOnnxValue> Inputs(float[] sequence)
        {
            int perFrame = FrameShape.Aggregate(1, (a, b) => a * b);
            int time = sequence.Length / perFrame;
            int[] dims = rank == 5 ? [1, time, .. FrameShape] : [time, .. FrameShape];
            var list = new List<NamedOnnxValue> { NamedOnnxValue.CreateFromTensor(frames, new DenseTensor<float>(sequence, dims)) };
            foreach (var (name, shape) in zeros)
                list.Add(NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(shape)));
            return list;
        }
    }
}
