using BenchmarkDotNet.Attributes;
using Emotion.Cli.Workflows.Benchmarking;
using Emotion.Onnx.Export;
using Emotion.Torch.Backbones;
using Emotion.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Benchmarks;

/// <summary>
/// Inference of ResNet-18 112x112 + GRU-128 on the CPU, 4 sequences x 8 frames per call, in every precision side by side:
/// plain TorchSharp (the baseline), the library's TorchSharp model, and its ONNX export on ONNX Runtime in float32, int8
/// (QDQ, calibrated on generated frames) and float16 (<c>Float16Converter</c>; on the CPU a check of what ONNX Runtime's
/// inserted Casts cost, not a float16 speed path). The ONNX files are made by <see cref="PrecisionModels.OnnxFiles"/> and
/// run by the runners of <c>emotion benchmark --precision</c>. One invocation is one call of 32 frames, so the operation is
/// one frame. benchmarks/side-by-side.sh puts these rows in one table with training and PyTorch.
/// </summary>
public class PrecisionInferenceBenchmarks
{
    private const int Sequences = 4, Frames = 8, FramesPerCall = Sequences * Frames;

    private PlainTorchSharpModel? plain;
    private Tensor? input;
    private EmotionModel? model;
    private string? folder;
    private readonly Dictionary<BenchmarkPrecision, IInferenceRunner> runners = [];

    /// <summary>Builds both TorchSharp models, exports, quantizes and converts, and opens every session.</summary>
    [GlobalSetup]
    public void Setup()
    {
        BenchmarkModels.Prepare();
        plain = BenchmarkModels.Plain(BackboneNames.ResNet18, "gru", BenchmarkDevice.Cpu);
        plain.eval();
        input = rand([Sequences, Frames, 3, BenchmarkModels.Size, BenchmarkModels.Size]) * 2 - 1;
        model = BenchmarkModels.Library(BackboneNames.ResNet18, "gru", Frames, BenchmarkDevice.Cpu);
        folder = Directory.CreateTempSubdirectory("emotion-bench-precision-").FullName;
        string fp32 = Path.Combine(folder, "model.onnx");
        OnnxExporter.Export(model, fp32);
        var unavailable = new List<string>();
        var files = PrecisionModels.OnnxFiles(fp32, [BenchmarkPrecision.Fp32, BenchmarkPrecision.Int8, BenchmarkPrecision.Fp16], BenchmarkScope.Threads, folder, progress: null, unavailable);
        if (unavailable.Count > 0) throw new InvalidOperationException(string.Join("; ", unavailable));
        foreach (var (precision, file) in files)
            runners[precision] = new OnnxRuntimeRunner(file, BenchmarkDevice.Cpu, InferenceMode.Batch, Sequences, Frames, BenchmarkScope.Threads);
        runners[(BenchmarkPrecision)(-1)] = new TorchSharpRunner(model, BenchmarkDevice.Cpu, InferenceMode.Batch, Sequences, Frames);
    }

    /// <summary>Plain TorchSharp forward pass with softmax (no library code).</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = FramesPerCall)]
    public float PlainTorchSharp()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (logits, va) = plain!.call(input!);
        return logits.softmax(-1)[0, 0, 0].ToSingle() + va[0, 0, 0].ToSingle();
    }

    /// <summary>The library's TorchSharp model, float32.</summary>
    [Benchmark(OperationsPerInvoke = FramesPerCall)]
    public float LibraryTorchSharp() => runners[(BenchmarkPrecision)(-1)].Run();

    /// <summary>The float32 export on ONNX Runtime.</summary>
    [Benchmark(OperationsPerInvoke = FramesPerCall)]
    public float OnnxRuntimeFp32() => runners[BenchmarkPrecision.Fp32].Run();

    /// <summary>The int8 (QDQ, U8S8) export on ONNX Runtime.</summary>
    [Benchmark(OperationsPerInvoke = FramesPerCall)]
    public float OnnxRuntimeInt8() => runners[BenchmarkPrecision.Int8].Run();

    /// <summary>The float16 conversion on ONNX Runtime's CPU provider (Casts around float32 kernels).</summary>
    [Benchmark(OperationsPerInvoke = FramesPerCall)]
    public float OnnxRuntimeFp16Cpu() => runners[BenchmarkPrecision.Fp16].Run();

    /// <summary>Releases the sessions, the models and the files.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var r in runners.Values) r.Dispose();
        runners.Clear();
        model?.Dispose();
        input?.Dispose();
        plain?.Dispose();
        if (folder is not null) Directory.Delete(folder, recursive: true);
    }
}
