using BenchmarkDotNet.Attributes;
using Emotion.Core;
using Emotion.Onnx;
using Emotion.Onnx.Export;
using Emotion.Torch.Backbones;
using Emotion.Torch.Heads;
using Emotion.Torch.Models;
using Emotion.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Benchmarks;

/// <summary>
/// Inference throughput (frames/s) at 112x112 of one model on three paths: plain TorchSharp (baseline, no library code),
/// the library's TorchSharp model, and the same model exported by the library and run on ONNX Runtime (CPU), at 1 frame
/// per call (latency-bound) and 32 frames per call (4 sequences x 8 frames).
/// </summary>
public class InferenceBenchmarks
{
    private const int Size = 112;

    private PlainTorchSharpModel? plain;
    private EmotionModel? model;
    private EmotionPredictor? predictor;
    private Tensor? input;
    private float[]? preprocessed;
    private string? onnxPath;

    /// <summary>TorchVision backbone.</summary>
    [ParamsSource(typeof(BenchmarkScope), nameof(BenchmarkScope.Backbones))]
    public string Backbone { get; set; } = BackboneNames.ResNet18;

    /// <summary>Recurrent head.</summary>
    [ParamsSource(typeof(BenchmarkScope), nameof(BenchmarkScope.Heads))]
    public string Head { get; set; } = "gru";

    /// <summary>Frames per call: 1 (one sequence of one frame) or 32 (4 sequences of 8 frames).</summary>
    [Params(1, 32)]
    public int FramesPerCall { get; set; } = 32;

    private int Sequences => FramesPerCall == 1 ? 1 : 4;

    private int FramesPerSequence => FramesPerCall / Sequences;

    /// <summary>Builds, exports and loads the models.</summary>
    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(Environment.ProcessorCount);
        torch.manual_seed(0);
        plain = new PlainTorchSharpModel(Backbone, Head);
        plain.eval();
        model = EmotionModel.Create()
            .WithInput(8, Size)
            .WithBackbone(BackboneSpec.Named(Backbone))
            .WithRecurrentHead(Head switch { "gru" => HeadSpec.Gru(128), "lstm" => HeadSpec.Lstm(128), _ => HeadSpec.NoRecurrence() })
            .ForTask(EmotionTask.Combined)
            .Build();
        model.eval();
        onnxPath = Path.Combine(Path.GetTempPath(), $"emotion-bench-{Backbone}-{Head}-{Guid.NewGuid():N}.onnx");
        OnnxExporter.Export(model, onnxPath);
        predictor = new EmotionPredictor(onnxPath, new EmotionPredictorOptions { IntraOpThreads = Environment.ProcessorCount, MaxFramesPerRun = 32 });
        var batch = BenchmarkData.RandomBatch(Sequences, FramesPerSequence, Size);
        preprocessed = batch.Frames;
        input = SequenceBatchTensors.Frames(batch);
    }

    /// <summary>Plain TorchSharp forward pass.</summary>
    [Benchmark(Baseline = true)]
    public float PlainTorchSharp()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (logits, va) = plain!.call(input!);
        return logits.softmax(-1)[0, 0, 0].ToSingle() + va[0, 0, 0].ToSingle();
    }

    /// <summary>The library's TorchSharp model, forward pass with softmax.</summary>
    [Benchmark]
    public float LibraryTorchSharp()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var output = model!.call(input!);
        return output.Logits!.softmax(-1)[0, 0, 0].ToSingle() + output.ValenceArousal![0, 0, 0].ToSingle();
    }

    /// <summary>The exported graph on ONNX Runtime (preprocessed frames in, per-frame predictions out).</summary>
    [Benchmark]
    public float OnnxRuntime()
    {
        var predictions = predictor!.PredictPreprocessed(preprocessed!, Sequences, FramesPerSequence);
        return predictions[0].Probabilities[0];
    }

    /// <summary>Releases models and the exported file.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        predictor?.Dispose();
        input?.Dispose();
        model?.Dispose();
        plain?.Dispose();
        if (onnxPath is not null) File.Delete(onnxPath);
    }
}
