using BenchmarkDotNet.Attributes;
using Emotion.Cli.Workflows.Benchmarking;
using Emotion.Onnx.Export;
using Emotion.Torch.Backbones;
using Emotion.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Benchmarks;

/// <summary>
/// Inference throughput (frames/s) at 112x112 of one model on three paths: plain TorchSharp (baseline, no library code),
/// the library's TorchSharp model, and the same model exported by the library and run on ONNX Runtime, at 1 frame per call
/// (batch 1, latency-bound) and 32 frames per call (4 sequences x 8 frames), on the CPU and, where available, CUDA.
/// Every invocation processes 32 frames (32 calls of 1 frame, or 1 call of 32), so the time per operation is the time per
/// frame. The library and ONNX Runtime paths are the runners of <c>emotion benchmark</c>.
/// </summary>
public class InferenceBenchmarks : ModelBenchmark
{
    private const int FramesPerInvoke = 32;

    private PlainTorchSharpModel? plain;
    private EmotionModel? model;
    private TorchSharpRunner? library;
    private OnnxRuntimeRunner? onnx;
    private Tensor? input;
    private string? onnxPath;

    /// <summary>Frames per call: 1 (one sequence of one frame) or 32 (4 sequences of 8 frames).</summary>
    [Params(1, 32)]
    public int FramesPerCall { get; set; } = 32;

    private int Sequences => FramesPerCall == 1 ? 1 : 4;

    private int FramesPerSequence => FramesPerCall / Sequences;

    private int CallsPerInvoke => FramesPerInvoke / FramesPerCall;

    /// <summary>Builds, exports and loads the models.</summary>
    [GlobalSetup]
    public void Setup()
    {
        BenchmarkModels.Prepare();
        ApplyOneDnnMode();
        plain = BenchmarkModels.Plain(Backbone, Head, Device);
        plain.eval();
        model = BenchmarkModels.Library(Backbone, Head, FramesPerSequence, BenchmarkDevice.Cpu);
        library = new TorchSharpRunner(model, Device, InferenceMode.Batch, Sequences, FramesPerSequence);
        onnxPath = Path.Combine(Path.GetTempPath(), $"emotion-bench-{Backbone}-{Head}-{Guid.NewGuid():N}.onnx");
        OnnxExporter.Export(model, onnxPath);
        onnx = new OnnxRuntimeRunner(onnxPath, Device, InferenceMode.Batch, Sequences, FramesPerSequence, BenchmarkScope.Threads);
        input = rand([Sequences, FramesPerSequence, 3, BenchmarkModels.Size, BenchmarkModels.Size], device: BenchmarkModels.TorchDevice(Device)) * 2 - 1;
    }

    /// <summary>Plain TorchSharp forward pass with softmax.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = FramesPerInvoke)]
    public float PlainTorchSharp()
    {
        float sum = 0;
        for (int i = 0; i < CallsPerInvoke; i++)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var (logits, va) = plain!.call(input!);
            sum += logits.softmax(-1)[0, 0, 0].ToSingle() + va[0, 0, 0].ToSingle();
        }
        return sum;
    }

    /// <summary>The library's TorchSharp model, forward pass with softmax.</summary>
    [Benchmark(OperationsPerInvoke = FramesPerInvoke)]
    public float LibraryTorchSharp() => Repeat(library!, CallsPerInvoke);

    /// <summary>The exported graph on ONNX Runtime (preprocessed frames in, per-frame predictions out).</summary>
    [Benchmark(OperationsPerInvoke = FramesPerInvoke)]
    public float OnnxRuntime() => Repeat(onnx!, CallsPerInvoke);

    /// <summary>Releases models and the exported file.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        onnx?.Dispose();
        library?.Dispose();
        input?.Dispose();
        model?.Dispose();
        plain?.Dispose();
        if (onnxPath is not null) File.Delete(onnxPath);
    }
}
