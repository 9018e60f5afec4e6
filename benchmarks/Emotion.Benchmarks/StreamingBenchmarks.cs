using BenchmarkDotNet.Attributes;
using Emotion.Cli.Workflows.Benchmarking;
using Emotion.Onnx.Export;
using Emotion.Torch.Backbones;
using Emotion.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Benchmarks;

/// <summary>
/// Streaming latency: one 112x112 frame per call with the recurrent state carried from frame to frame, as for a live camera.
/// Plain TorchSharp (baseline: CNN + GRU/LSTM step with the previous <c>h</c>/<c>c</c>), the library's model
/// (<see cref="EmotionModel.Forward(Tensor, RecurrentState?)"/> with the previous state) and ONNX Runtime through
/// <c>EmotionStream</c> with chunks of one frame (which also converts the RGB image to normalised floats). The time per
/// operation is the latency per frame.
/// </summary>
public class StreamingBenchmarks : ModelBenchmark
{
    private const int FramesPerInvoke = 16;

    private PlainTorchSharpModel? plain;
    private EmotionModel? model;
    private TorchSharpRunner? library;
    private OnnxRuntimeRunner? onnx;
    private Tensor? frame;
    private Tensor? hidden, cell;
    private string? onnxPath;

    /// <summary>Builds, exports and opens the models.</summary>
    [GlobalSetup]
    public void Setup()
    {
        BenchmarkModels.Prepare();
        plain = BenchmarkModels.Plain(Backbone, Head, Device);
        plain.eval();
        model = BenchmarkModels.Library(Backbone, Head, 1, BenchmarkDevice.Cpu);
        library = new TorchSharpRunner(model, Device, InferenceMode.Stream);
        onnxPath = Path.Combine(Path.GetTempPath(), $"emotion-bench-stream-{Backbone}-{Head}-{Guid.NewGuid():N}.onnx");
        OnnxExporter.Export(model, onnxPath);
        onnx = new OnnxRuntimeRunner(onnxPath, Device, InferenceMode.Stream, threads: BenchmarkScope.Threads);
        frame = rand([1, 1, 3, BenchmarkModels.Size, BenchmarkModels.Size], device: BenchmarkModels.TorchDevice(Device)) * 2 - 1;
    }

    /// <summary>Plain TorchSharp: one frame through the CNN and one recurrent step from the previous state.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = FramesPerInvoke)]
    public float PlainTorchSharp()
    {
        float sum = 0;
        for (int i = 0; i < FramesPerInvoke; i++)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var (logits, va, h, c) = plain!.Step(frame!, hidden, cell);
            sum += logits.softmax(-1)[0, 0, 0].ToSingle() + va[0, 0, 0].ToSingle();
            hidden?.Dispose();
            cell?.Dispose();
            hidden = h?.DetachFromDisposeScope();
            cell = c?.DetachFromDisposeScope();
        }
        return sum;
    }

    /// <summary>The library's TorchSharp model, one frame from the previous state.</summary>
    [Benchmark(OperationsPerInvoke = FramesPerInvoke)]
    public float LibraryTorchSharp() => Repeat(library!, FramesPerInvoke);

    /// <summary>ONNX Runtime through <c>EmotionStream</c>, one RGB frame pushed per call.</summary>
    [Benchmark(OperationsPerInvoke = FramesPerInvoke)]
    public float OnnxRuntime() => Repeat(onnx!, FramesPerInvoke);

    /// <summary>Releases models, state and the exported file.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        onnx?.Dispose();
        library?.Dispose();
        frame?.Dispose();
        hidden?.Dispose();
        cell?.Dispose();
        model?.Dispose();
        plain?.Dispose();
        if (onnxPath is not null) File.Delete(onnxPath);
    }
}
