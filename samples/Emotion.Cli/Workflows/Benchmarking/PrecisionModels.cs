using Emotion.Onnx;
using Emotion.Onnx.Export.Graph;
using Emotion.Onnx.Export.Precision;
using Emotion.Onnx.Export.Quantization;

namespace Emotion.Cli.Workflows.Benchmarking;

/// <summary>The ONNX files <c>emotion benchmark --precision</c> and the BenchmarkDotNet precision cases run: fp32, int8, fp16.</summary>
public static class PrecisionModels
{
    /// <summary>Generated frames the int8 activation ranges are calibrated on (uniform in [-1, 1], like the benchmark's inputs).</summary>
    public const int CalibrationFrames = 64;

    /// <summary>
    /// The ONNX files of <paramref name="precisions"/>: the float32 file as given; int8 (quantized, activations
    /// calibrated on <see cref="CalibrationFrames"/> generated frames) and float16 (<see cref="Float16Converter"/>) derived from it
    /// into <paramref name="temp"/>. A precision whose file cannot be made is added to <paramref name="unavailable"/> with the
    /// reason and left out.
    /// </summary>
    public static Dictionary<BenchmarkPrecision, string> OnnxFiles(string onnxPath, IReadOnlyList<BenchmarkPrecision> precisions, int threads, string temp, Action<string>? progress, List<string> unavailable)
    {
        ArgumentNullException.ThrowIfNull(precisions);
        ArgumentNullException.ThrowIfNull(unavailable);
        var files = new Dictionary<BenchmarkPrecision, string> { [BenchmarkPrecision.Fp32] = onnxPath };
        if (!precisions.Any(p => p is BenchmarkPrecision.Int8 or BenchmarkPrecision.Fp16)) return files;
        var fp32 = OnnxModelFile.Load(onnxPath);
        if (precisions.Contains(BenchmarkPrecision.Int8))
        {
            progress?.Invoke($"int8: quantizing (QDQ) with activation ranges calibrated on {CalibrationFrames} generated frames");
            try
            {
                int frameLength;
                using (var predictor = new EmotionPredictor(onnxPath, new EmotionPredictorOptions { IntraOpThreads = threads }))
                    frameLength = predictor.FrameLength;
                var random = new Random(1);
                var sequences = Enumerable.Range(0, CalibrationFrames / 8).Select(_ =>
                {
                    var frames = new float[8 * frameLength];
                    for (int i = 0; i < frames.Length; i++) frames[i] = (float)(random.NextDouble() * 2 - 1);
                    return frames;
                });
                var calibration = CalibrationData.FromSequences(sequences, frameLength, "generated frames (uniform in [-1, 1])");
                var result = OnnxQuantizer.Quantize(fp32, calibration, QuantizationOptions.Default with { CalibrationThreads = threads });
                files[BenchmarkPrecision.Int8] = Path.Combine(temp, "model-int8.onnx");
                OnnxModelFile.Save(result.Model, files[BenchmarkPrecision.Int8]);
            }
            catch (Exception e) when (e is NotSupportedException or InvalidOperationException or ArgumentException or InvalidDataException)
            {
                unavailable.Add($"{BackendNames.OnnxRuntime} int8: the model cannot be quantized: {e.Message}");
            }
        }
        if (precisions.Contains(BenchmarkPrecision.Fp16))
        {
            progress?.Invoke("fp16: converting the export to float16 (float32 inputs and outputs)");
            try
            {
                files[BenchmarkPrecision.Fp16] = Path.Combine(temp, "model-fp16.onnx");
                OnnxModelFile.Save(Float16Converter.Convert(fp32), files[BenchmarkPrecision.Fp16]);
            }
            catch (NotSupportedException e)
            {
                files.Remove(BenchmarkPrecision.Fp16);
                unavailable.Add($"{BackendNames.OnnxRuntime} fp16: the model cannot be converted: {e.Message}");
            }
        }
        return files;
    }
}
