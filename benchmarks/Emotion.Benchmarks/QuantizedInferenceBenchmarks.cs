using BenchmarkDotNet.Attributes;
using Emotion.Cli.Workflows.Benchmarking;
using Emotion.Core;
using Emotion.Onnx.Export;
using Emotion.Onnx.Export.Graph;
using Emotion.Onnx.Export.Quantization;
using Emotion.Torch.Backbones;
using Emotion.Torch.Heads;
using Emotion.Torch.Models;
using Emotion.Torch.Pretrained;

namespace Emotion.Benchmarks;

/// <summary>
/// ONNX Runtime inference on the CPU, fp32 (baseline) against the same exported model quantized to int8 by
/// <see cref="OnnxQuantizer"/> (QDQ; per-channel int8 weights, uint8 activations = U8S8, or int8 activations = S8S8; GRU
/// and output layers fp32), at 1 frame per call and 32 frames per call (4 sequences x 8 frames). The models have random
/// weights (speed does not depend on them); the activations are calibrated on 64 random frames drawn like the benchmark's
/// inputs (uniform in [-1, 1]). The derived classes fix how many frames one invocation processes (the operation is one
/// frame, so the ratio column is int8 time / fp32 time).
/// </summary>
public abstract class QuantizedBenchmarkBase
{
    private EmotionModel? model;
    private OnnxRuntimeRunner? fp32;
    private OnnxRuntimeRunner? u8s8;
    private OnnxRuntimeRunner? s8s8;
    private readonly List<string> files = [];

    /// <summary>Frames per call: 1 (one sequence of one frame) or 32 (4 sequences of 8 frames).</summary>
    [Params(1, 32)]
    public int FramesPerCall { get; set; } = 32;

    /// <summary>The network benchmarked.</summary>
    protected abstract string Network { get; }

    private int Sequences => FramesPerCall == 1 ? 1 : 4;

    private int FramesPerSequence => FramesPerCall / Sequences;

    /// <summary>Builds and exports the model, quantizes it both ways and opens the three sessions.</summary>
    [GlobalSetup]
    public void Setup()
    {
        BenchmarkModels.Prepare();
        model = Network switch
        {
            "demo" => EmotionModel.Create().WithInput(FramesPerSequence, 64).WithBackbone(BackboneSpec.SmallCnn())
                .WithRecurrentHead(HeadSpec.Gru(hidden: 64)).ForTask(EmotionTask.Combined).WithSeed(0).Build(),
            "mini-xception" => EmotionModel.FromOptions(PretrainedModels.ModelOptions("mini-xception-fer2013")),
            _ => BenchmarkModels.Library(BackboneNames.ResNet18, "gru", FramesPerSequence, BenchmarkDevice.Cpu),
        };
        model.eval();
        var exported = OnnxExporter.ToModel(model);
        int frameLength = 3 * model.Info.FrameSize * model.Info.FrameSize;
        var random = new Random(1);
        var calibration = CalibrationData.FromSequences(Enumerable.Range(0, 8).Select(_ =>
        {
            var frames = new float[8 * frameLength];
            for (int i = 0; i < frames.Length; i++) frames[i] = (float)(random.NextDouble() * 2 - 1);
            return frames;
        }), frameLength, "random frames");
        string Save(Onnx.Export.Protos.ModelProto m, string name)
        {
            string path = Path.Combine(Path.GetTempPath(), $"emotion-bench-{Network}-{name}-{Guid.NewGuid():N}.onnx");
            OnnxModelFile.Save(m, path);
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

    /// <summary>Runs the fp32 model on <paramref name="frames"/> frames.</summary>
    protected float Fp32(int frames) => Repeat(fp32!, frames / FramesPerCall);

    /// <summary>Runs the U8S8 model on <paramref name="frames"/> frames.</summary>
    protected float U8S8(int frames) => Repeat(u8s8!, frames / FramesPerCall);

    /// <summary>Runs the S8S8 model on <paramref name="frames"/> frames.</summary>
    protected float S8S8(int frames) => Repeat(s8s8!, frames / FramesPerCall);

    private static float Repeat(IInferenceRunner runner, int calls)
    {
        float sum = 0;
        for (int i = 0; i < calls; i++) sum += runner.Run();
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

/// <summary>
/// fp32 vs int8 on ResNet-18 112x112 + GRU-128 (the issues' reference model) and on the default real-face model's
/// architecture (Mini-Xception, 64x64 gray, no recurrence): 32 frames per invocation.
/// </summary>
public class QuantizedInferenceBenchmarks : QuantizedBenchmarkBase
{
    private const int FramesPerInvoke = 32;

    /// <summary>The network: <c>resnet18-gru</c> or <c>mini-xception</c>.</summary>
    [Params("resnet18-gru", "mini-xception")]
    public string Model { get; set; } = "resnet18-gru";

    /// <inheritdoc />
    protected override string Network => Model;

    /// <summary>The fp32 export on ONNX Runtime (the baseline).</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = FramesPerInvoke)]
    public float OnnxRuntimeFp32() => Fp32(FramesPerInvoke);

    /// <summary>The int8 export with uint8 activations (U8S8) on ONNX Runtime.</summary>
    [Benchmark(OperationsPerInvoke = FramesPerInvoke)]
    public float OnnxRuntimeInt8() => U8S8(FramesPerInvoke);

    /// <summary>The int8 export with int8 activations (S8S8) on ONNX Runtime.</summary>
    [Benchmark(OperationsPerInvoke = FramesPerInvoke)]
    public float OnnxRuntimeInt8S8S8() => S8S8(FramesPerInvoke);
}

/// <summary>
/// fp32 vs int8 on the demo's network (small CNN 64x64 + GRU-64): about 8 MFLOP per frame (ResNet-18 at 112x112: 0.91 GFLOP), so one invocation processes
/// 1024 frames to stay well above the timer's and the scheduler's resolution.
/// </summary>
public class QuantizedDemoInferenceBenchmarks : QuantizedBenchmarkBase
{
    private const int FramesPerInvoke = 1024;

    /// <inheritdoc />
    protected override string Network => "demo";

    /// <summary>The fp32 export on ONNX Runtime (the baseline).</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = FramesPerInvoke)]
    public float OnnxRuntimeFp32() => Fp32(FramesPerInvoke);

    /// <summary>The int8 export with uint8 activations (U8S8) on ONNX Runtime.</summary>
    [Benchmark(OperationsPerInvoke = FramesPerInvoke)]
    public float OnnxRuntimeInt8() => U8S8(FramesPerInvoke);

    /// <summary>The int8 export with int8 activations (S8S8) on ONNX Runtime.</summary>
    [Benchmark(OperationsPerInvoke = FramesPerInvoke)]
    public float OnnxRuntimeInt8S8S8() => S8S8(FramesPerInvoke);
}
