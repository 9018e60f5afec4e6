using BenchmarkDotNet.Attributes;
using Emotion.Cli.Workflows.Benchmarking;
using Emotion.Onnx.Export;
using Emotion.Onnx.Export.Quantization;
using Emotion.Torch.Models;

namespace Emotion.Benchmarks;

/// <summary>
/// ONNX Runtime inference on the CPU, fp32 (baseline) against the same exported model quantized to int8 by
/// <see cref="OnnxQuantizer"/> (QDQ; per-channel int8 weights, uint8 activations = U8S8, or int8 activations = S8S8; GRU
/// and output layers fp32), at 1 frame per call and 32 frames per call (4 sequences x 8 frames), 112x112. Every invocation
/// processes 32 frames, so the time per operation is the time per frame and the ratio column is int8 time / fp32 time.
/// The models have random weights (speed does not depend on them); the activations are calibrated on 64 random frames
/// drawn like the benchmark's inputs (uniform in [-1, 1]).
/// </summary>
public class QuantizedInferenceBenchmarks
{
    private const int FramesPerInvoke = 32;

    private EmotionModel? model;
    private OnnxRuntimeRunner? fp32;
    private OnnxRuntimeRunner? u8s8;
    private OnnxRuntimeRunner? s8s8;
    private readonly List<string> files = [];

    /// <summary>TorchVision backbone or the small CNN.</summary>
    [ParamsSource(typeof(BenchmarkScope), nameof(BenchmarkScope.Backbones))]
    public string Backbone { get; set; } = Emotion.Torch.Backbones.BackboneNames.ResNet18;

    /// <summary>Recurrent head.</summary>
    [ParamsSource(typeof(BenchmarkScope), nameof(BenchmarkScope.Heads))]
    public string Head { get; set; } = "gru";

    /// <summary>Frames per call: 1 (one sequence of one frame) or 32 (4 sequences of 8 frames).</summary>
    [Params(1, 32)]
    public int FramesPerCall { get; set; } = 32;

    private int Sequences => FramesPerCall == 1 ? 1 : 4;

    private int FramesPerSequence => FramesPerCall / Sequences;

    private int CallsPerInvoke => FramesPerInvoke / FramesPerCall;

    /// <summary>Builds and exports the model, quantizes it both ways and opens the three sessions.</summary>
    [GlobalSetup]
    public void Setup()
    {
        BenchmarkModels.Prepare();
        model = BenchmarkModels.Library(Backbone, Head, FramesPerSequence, BenchmarkDevice.Cpu);
        var exported = OnnxExporter.ToModel(model);
        int frameLength = 3 * BenchmarkModels.Size * BenchmarkModels.Size;
        var random = new Random(1);
        var calibration = CalibrationData.FromSequences(Enumerable.Range(0, 8).Select(_ =>
        {
            var frames = new float[8 * frameLength];
            for (int i = 0; i < frames.Length; i++) frames[i] = (float)(random.NextDouble() * 2 - 1);
            return frames;
        }), frameLength, "random frames");
        string Save(Onnx.Export.Protos.ModelProto m, string name)
        {
            string path = Path.Combine(Path.GetTempPath(), $"emotion-bench-{Backbone}-{Head}-{name}-{Guid.NewGuid():N}.onnx");
            Onnx.Export.Graph.OnnxModelFile.Save(m, path);
            files.Add(path);
            return path;
        }
        var options = QuantizationOptions.Default with { CalibrationThreads = BenchmarkScope.Threads };
        string fp32Path = Save(exported, "fp32");
        string u8Path = Save(OnnxQuantizer.Quantize(exported, calibration, options).Model, "u8s8");
        string s8Path = Save(OnnxQuantizer.Quantize(exported, calibration, options with { Activations = QuantizedActivationType.Int8 }).Model, "s8s8");
        fp32 = new OnnxRuntimeRunner(fp32Path, BenchmarkDevice.Cpu, InferenceMode.Batch, Sequences, FramesPerSequence, BenchmarkScope.Threads);
        u8s8 = new OnnxRuntimeRunner(u8Path, BenchmarkDevice.Cpu, InferenceMode.Batch, Sequences, FramesPerSequence, BenchmarkScope.Threads);
        s8s8 = new OnnxRuntimeRunner(s8Path, BenchmarkDevice.Cpu, InferenceMode.Batch, Sequences, FramesPerSequence, BenchmarkScope.Threads);
    }

    /// <summary>The fp32 export on ONNX Runtime (the baseline).</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = FramesPerInvoke)]
    public float OnnxRuntimeFp32() => Repeat(fp32!);

    /// <summary>The int8 export with uint8 activations (U8S8) on ONNX Runtime.</summary>
    [Benchmark(OperationsPerInvoke = FramesPerInvoke)]
    public float OnnxRuntimeInt8() => Repeat(u8s8!);

    /// <summary>The int8 export with int8 activations (S8S8) on ONNX Runtime.</summary>
    [Benchmark(OperationsPerInvoke = FramesPerInvoke)]
    public float OnnxRuntimeInt8S8S8() => Repeat(s8s8!);

    private float Repeat(IInferenceRunner runner)
    {
        float sum = 0;
        for (int i = 0; i < CallsPerInvoke; i++) sum += runner.Run();
        return sum;
    }

    /// <summary>Releases the sessions and the model files.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        fp32?.Dispose();
        u8s8?.Dispose();
        s8s8?.Dispose();
        model?.Dispose();
        foreach (var f in files) File.Delete(f);
    }
}
