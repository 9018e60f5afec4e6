using Emotion.Core;
using Emotion.Onnx.Export.Graph;
using Emotion.Onnx.Export.Protos;

namespace Emotion.Onnx.Export.Quantization;

/// <summary>
/// Static post-training int8 quantization of ONNX models (those written by <see cref="OnnxExporter"/>, and other
/// float32 CNNs with constant weights) in the QDQ format that ONNX Runtime's CPU provider fuses into its int8 kernels.
/// <list type="number">
/// <item>Plan: Conv, Gemm and MatMul with constant weights become int8 (per-channel symmetric weights,
/// <c>scale_c = max|w_c| / 127</c>, zero point 0; int32 biases); Add, GlobalAveragePool, AveragePool and MaxPool between
/// them run on quantized values; a Relu after a quantized operator is folded into its output quantization. The
/// recurrent head and the output layers stay fp32 by default (<see cref="QuantizationOptions.QuantizeHead"/>).</item>
/// <item>Calibrate: the fp32 model runs on ONNX Runtime over the calibration frames with every tensor to quantize added
/// as a graph output; <see cref="CalibrationMethod"/> turns what it saw into ranges.</item>
/// <item>Rewrite: QuantizeLinear / DequantizeLinear pairs with <c>scale = (rmax - rmin) / (qmax - qmin)</c> and
/// <c>zero_point = round(qmin - rmin / scale)</c> (uint8 by default, U8S8 with the int8 weights).</item>
/// </list>
/// The model keeps its inputs, outputs and metadata, and gains <see cref="OnnxMetadataKeys.Precision"/> = int8 with the
/// calibration method and scheme (<see cref="OnnxMetadataKeys.QuantizationCalibration"/>,
/// <see cref="OnnxMetadataKeys.QuantizationScheme"/>). See docs/onnx-export.md, "Quantization".
/// </summary>
public static class OnnxQuantizer
{
    /// <summary>The lowest default-domain opset with per-axis QuantizeLinear / DequantizeLinear.</summary>
    public const int MinimumOpset = 13;

    /// <summary>Quantizes <paramref name="model"/> (not modified) with activation ranges calibrated on <paramref name="calibration"/>.</summary>
    /// <exception cref="ArgumentException">The options are invalid, or the calibration frames do not fit the model's input.</exception>
    /// <exception cref="NotSupportedException">The model's opset is below 13, it is already quantized, or its inputs are not float frames (+ float state).</exception>
    /// <exception cref="InvalidOperationException">Nothing in the model can be quantized, or the fp32 model gives non-finite values on the calibration frames.</exception>
    public static QuantizationResult Quantize(ModelProto model, CalibrationData calibration, QuantizationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(calibration);
        options ??= QuantizationOptions.Default;
        options.Validate();
        var graph = model.Graph ?? throw new ArgumentException("The model has no graph.", nameof(model));
        long opset = model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Select(o => o.Version).DefaultIfEmpty(0).Max();
        if (opset < MinimumOpset)
            throw new NotSupportedException($"The model uses opset {opset}; int8 QDQ quantization needs opset {MinimumOpset} or later (per-channel DequantizeLinear). Re-export it.");
        if (graph.Node.Any(n => n.OpType is "QuantizeLinear" or "DequantizeLinear" or "QLinearConv" or "QLinearMatMul" or "MatMulInteger" or "ConvInteger")
            || model.MetadataProps.Any(p => p.Key == OnnxMetadataKeys.Precision && p.Value == OnnxMetadataKeys.PrecisionInt8))
            throw new NotSupportedException("The model is already quantized (it has quantized operators or int8 metadata); quantize the fp32 export instead.");

        var plan = QdqPlan.Build(graph, options);
        if (!plan.Weights.Any())
            throw new InvalidOperationException(
                "Nothing in the model can be quantized: no Conv, Gemm or MatMul with constant weights outside the output layers" +
                (plan.Fp32Weighted.Count > 0 ? $" ({string.Join("; ", plan.Fp32Weighted.Take(3).Select(f => $"{f.Node}: {f.Reason}"))})." : "."));
        var data = Limit(calibration, options.MaxCalibrationFrames);
        var ranges = ActivationCalibrator.Calibrate(model, plan.Calibrate, data, options);
        var (rewritten, rewriter) = QdqRewriter.Rewrite(graph, plan, ranges, options.Activations);

        var quantizedModel = model.Clone();
        quantizedModel.Graph = rewritten;
        var int8 = new SortedDictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < graph.Node.Count; i++)
            if (plan.Roles[i] is not (QdqPlan.Role.Fp32 or QdqPlan.Role.Folded))
                int8[graph.Node[i].OpType] = int8.GetValueOrDefault(graph.Node[i].OpType) + 1;
        var fp32 = plan.Fp32Weighted.Select(f => new Fp32Node(f.Node, f.OpType, f.Reason)).ToList();
        var activations = plan.Calibrate.Select(t => new ActivationQuantization(t, ranges[t].Min, ranges[t].Max, rewriter.Parameters[t].P)).ToList();
        var result = new QuantizationResult(quantizedModel, int8, fp32, activations, data.FrameCount, options);

        string activationType = options.Activations == QuantizedActivationType.Int8 ? "int8" : "uint8";
        SetMetadata(quantizedModel, OnnxMetadataKeys.Precision, OnnxMetadataKeys.PrecisionInt8);
        SetMetadata(quantizedModel, OnnxMetadataKeys.QuantizationCalibration, $"{options.MethodName}; {data.FrameCount} frames");
        SetMetadata(quantizedModel, OnnxMetadataKeys.QuantizationScheme,
            $"qdq; weights int8 per-channel symmetric; activations {activationType} asymmetric; " +
            $"int8 nodes: {string.Join(", ", int8.Select(p => $"{p.Value} {p.Key}"))}; " +
            $"fp32 weighted nodes: {(fp32.Count == 0 ? "none" : string.Join(", ", fp32.GroupBy(f => f.OpType).Select(g => $"{g.Count()} {g.Key}")))}");
        return result;
    }

    /// <summary>Reads an fp32 model file, quantizes it and writes the result atomically to <paramref name="outputPath"/>.</summary>
    /// <exception cref="FileNotFoundException">The input file does not exist.</exception>
    /// <exception cref="InvalidDataException">The input file is not an ONNX model.</exception>
    public static QuantizationResult QuantizeFile(string inputPath, string outputPath, CalibrationData calibration, QuantizationOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputPath);
        var result = Quantize(OnnxModelFile.Load(inputPath), calibration, options);
        OnnxModelFile.Save(result.Model, outputPath);
        return result;
    }

    /// <summary>The <see cref="EmotionModelInfo"/> an exported model carries in its metadata (frame size, normalisation, sequence length).</summary>
    /// <exception cref="InvalidDataException">The model has no <see cref="OnnxMetadataKeys.ModelInfo"/> entry or it is not valid.</exception>
    public static EmotionModelInfo ReadModelInfo(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var entry = model.MetadataProps.FirstOrDefault(p => p.Key == OnnxMetadataKeys.ModelInfo)
            ?? throw new InvalidDataException($"The model has no '{OnnxMetadataKeys.ModelInfo}' metadata (it was not exported by Emotion.Onnx.Export); prepare the calibration frames yourself with CalibrationData.FromSequences.");
        try
        {
            return EmotionModelInfo.FromJson(entry.Value);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or ArgumentException or InvalidOperationException)
        {
            throw new InvalidDataException($"The model's '{OnnxMetadataKeys.ModelInfo}' metadata is not valid: {e.Message}", e);
        }
    }

    /// <summary>The sequences up to <paramref name="maxFrames"/> frames (the last one cut).</summary>
    private static CalibrationData Limit(CalibrationData data, int maxFrames)
    {
        if (data.FrameCount <= maxFrames) return data;
        var kept = new List<float[]>();
        int frames = 0;
        foreach (var s in data.Sequences)
        {
            int n = Math.Min(s.Length / data.FrameLength, maxFrames - frames);
            if (n <= 0) break;
            kept.Add(n * data.FrameLength == s.Length ? s : s[..(n * data.FrameLength)]);
            frames += n;
        }
        return CalibrationData.FromSequences(kept, data.FrameLength, data.Description);
    }

    private static void SetMetadata(ModelProto model, string key, string value)
    {
        var existing = model.MetadataProps.FirstOrDefault(p => p.Key == key);
        if (existing is not null) existing.Value = value;
        else model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
    }
}
