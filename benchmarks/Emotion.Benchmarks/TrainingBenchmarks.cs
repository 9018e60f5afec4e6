using BenchmarkDotNet.Attributes;
using Emotion.Cli.Workflows.Benchmarking;
using Emotion.Core.Data;
using Emotion.Preprocessing.Loading;
using Emotion.Preprocessing.Sequences;
using Emotion.Preprocessing.Transforms;
using Emotion.Torch.Backbones;
using Emotion.Torch.Models;
using Emotion.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Benchmarks;

/// <summary>
/// Training throughput (frames/s) at 112x112, 4 sequences x 8 frames a step: the library (JPEG frames from disk through the
/// background loader with its decoded-frame cache, no augmentation since the baseline has none, then <see cref="Trainer"/>) against plain TorchSharp running the same
/// network on in-memory tensors (the baseline). The ratio is the library's overhead, data loading included. <see cref="LibraryBFloat16"/> is the library with
/// bfloat16 mixed precision; its speed-up is its ratio over <see cref="Library"/>'s.
/// </summary>
public class TrainingBenchmarks : ModelBenchmark
{
    private const int Batch = 4, Frames = 8, Size = BenchmarkModels.Size, Steps = 4;

    private PlainTorchSharpModel? plain;
    private optim.Optimizer? plainOptimizer;
    private Tensor? plainInput, plainCategories, plainValenceArousal;
    private SequenceBatchLoader? loader;
    private EmotionModel? model;

    /// <summary>Builds both models and the data.</summary>
    [GlobalSetup]
    public void Setup()
    {
        BenchmarkModels.Prepare();
        ApplyOneDnnMode();
        var device = BenchmarkModels.TorchDevice(Device);
        plain = BenchmarkModels.Plain(Backbone, Head, Device);
        plain.train();
        plainOptimizer = optim.Adam(plain.parameters(), 1e-3);
        var batch = BenchmarkData.RandomBatch(Batch, Frames, Size);
        plainInput = SequenceBatchTensors.Frames(batch, device);
        plainCategories = torch.tensor(batch.Categories, dtype: ScalarType.Int64, device: device);
        plainValenceArousal = torch.rand(Batch * Frames, 2, device: device) * 2 - 1;

        var windows = SequenceWindower.Windows(BenchmarkData.Training, new WindowOptions { Length = Frames, Stride = Frames })
            .Take(Batch * Steps).ToList();
        loader = new SequenceBatchLoader(windows, new FramePipeline(FrameTransformOptions.ForTraining(Size)),
            new SequenceLoaderOptions { BatchSize = Batch, Seed = 1, Augment = false, CacheCapacityBytes = 256L << 20 });
        loader.WarmCache();
        model = BenchmarkModels.Library(Backbone, Head, Frames, Device);
    }

    /// <summary>Plain TorchSharp: forward, cross-entropy + MSE, backward, Adam step, on in-memory tensors.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Batch * Frames * Steps)]
    public void PlainTorchSharp()
    {
        for (int step = 0; step < Steps; step++)
        {
            using var scope = NewDisposeScope();
            plainOptimizer!.zero_grad();
            var (logits, va) = plain!.call(plainInput!);
            var loss = nn.functional.cross_entropy(logits.view(-1, 7), plainCategories!)
                       + nn.functional.mse_loss(va.view(-1, 2), plainValenceArousal!);
            // What plain TorchSharp does: backward on whatever kernels are on (oneDNN here, right for ResNet-18's convolutions; the
            // library's Trainer runs there too once its model's convolution check has verified them).
            loss.backward();
            plainOptimizer.step();
        }
    }

    /// <summary>The library: loader (decode cache, augmentation, background threads) + trainer (combined loss, Adam), one epoch of the same steps.</summary>
    [Benchmark(OperationsPerInvoke = Batch * Frames * Steps)]
    public void Library()
    {
        using var trainer = new Trainer(model!, new TrainerOptions { Epochs = 1, Seed = null, MonitorMetric = MonitorMetric.Loss });
        trainer.Fit(BatchSource.FromLoader(loader!));
    }

    /// <summary>
    /// The library with <see cref="TrainingPrecision.BFloat16"/>: the same loader, trainer and steps, the backbone under bfloat16
    /// autocast (float32 master weights, head and loss). Compare with <see cref="Library"/> (float32) in the same run.
    /// </summary>
    [Benchmark(OperationsPerInvoke = Batch * Frames * Steps)]
    public void LibraryBFloat16()
    {
        using var trainer = new Trainer(model!, new TrainerOptions { Epochs = 1, Seed = null, MonitorMetric = MonitorMetric.Loss, Precision = TrainingPrecision.BFloat16 });
        trainer.Fit(BatchSource.FromLoader(loader!));
    }

    /// <summary>Releases models and data.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        loader?.Dispose();
        model?.Dispose();
        plainInput?.Dispose();
        plainCategories?.Dispose();
        plainValenceArousal?.Dispose();
        plainOptimizer?.Dispose();
        plain?.Dispose();
    }
}
