using Emotion.Testing;
using Emotion.Core;
using Emotion.Torch.Evaluation;
using Emotion.Torch.Models;
using Emotion.Torch.Training;
using Emotion.Torch.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Torch.Tests.Training;

/// <summary>
/// Mixed-precision training (<see cref="TrainerOptions.Precision"/>): the backbone under libtorch's autocast, float32 master
/// weights, head and loss. Seeded runs, so these run alone (<see cref="SerialCollection"/>).
/// </summary>
[Collection(SerialCollection.Name)]
public class MixedPrecisionTests(Xunit.Abstractions.ITestOutputHelper output)
{
    // The small CNN at width 1 (16-32-64-128): at width 0.5 its 3 -> 8 stride-2 convolution is one of oneDNN's wrong bfloat16
    // forward kernels on this project's AMD EPYC, and the model's check would switch oneDNN off for the rest of the test process
    // (ModelConvolutionCheckTests needs it on).
    private const double FullWidth = 1.0;

    [Fact]
    public void AutocastRegionRunsConvolutionsInBfloat16AndRestoresTheThreadState()
    {
        Assert.True(TorchAutocast.IsAvailable, "libtorch's autocast entry points should be found in the libtorch TorchSharp ships");
        using var scope = NewDisposeScope();
        using var conv = nn.Conv2d(3, 4, 3);
        var x = randn(2, 3, 8, 8);
        Assert.False(TorchAutocast.IsEnabled(DeviceType.CPU));
        using (TorchAutocast.Enter(DeviceType.CPU, ScalarType.BFloat16))
        {
            Assert.True(TorchAutocast.IsEnabled(DeviceType.CPU));
            using (TorchAutocast.Enter(DeviceType.CPU, ScalarType.BFloat16)) Assert.Equal(ScalarType.BFloat16, conv.call(x).dtype);
            Assert.True(TorchAutocast.IsEnabled(DeviceType.CPU)); // the inner region restored the outer one's state
            var y = conv.call(x);
            Assert.Equal(ScalarType.BFloat16, y.dtype);
            // Precision-sensitive ops stay float32 under autocast (PyTorch's CPU fp32 list).
            Assert.Equal(ScalarType.Float32, nn.functional.mse_loss(y, zeros_like(y)).dtype);
        }
        Assert.False(TorchAutocast.IsEnabled(DeviceType.CPU));
        Assert.Equal(ScalarType.Float32, conv.call(x).dtype);
        Assert.Throws<ArgumentException>(() => TorchAutocast.Enter(DeviceType.CPU, ScalarType.Float64));
    }

    [Fact]
    public void Bfloat16BackboneForwardMatchesFloat32WithinBfloat16Tolerance()
    {
        using var model = SyntheticBatches.Model(EmotionTask.Combined, size: 32, frames: 4, width: FullWidth);
        var batch = SyntheticBatches.Create(batches: 1, batchSize: 4, frames: 4, size: 32, seed: 5)[0];
        using var scope = NewDisposeScope();
        var frames = SequenceBatchTensors.Frames(batch);
        foreach (bool training in new[] { false, true })
        {
            model.train(training);
            using var noGrad = no_grad();
            var reference = model.call(frames);
            EmotionOutput lower;
            using (model.AutocastBackbone(ScalarType.BFloat16))
            {
                Assert.Equal(ScalarType.BFloat16, model.BackboneAutocastType);
                lower = model.call(frames);
            }
            Assert.Null(model.BackboneAutocastType);
            Assert.Equal(ScalarType.Float32, lower.Logits!.dtype);
            Assert.Equal(ScalarType.Float32, lower.ValenceArousal!.dtype);
            // bfloat16 keeps 8 significant bits (relative rounding error 2^-9 = 0.2 % per value); four conv + batch-norm blocks
            // compound it to about a percent of the outputs' scale. A difference of exactly zero would mean autocast did nothing.
            foreach (var (name, a, b) in new[] { ("logits", reference.Logits!, lower.Logits!), ("valence/arousal", reference.ValenceArousal!, lower.ValenceArousal!), ("head features", reference.Features, lower.Features) })
            {
                double relative = (a - b).norm().item<float>() / a.norm().item<float>();
                double maxAbs = (a - b).abs().max().item<float>();
                output.WriteLine($"{(training ? "train" : "eval")} {name}: relative L2 difference {relative:E2}, max |difference| {maxAbs:E2} (scale {a.abs().max().item<float>():F3})");
                Assert.True(relative < 3e-2, $"{name}: bfloat16 differs from float32 by {relative:P2} (L2)");
                Assert.True(relative > 1e-5, $"{name}: bfloat16 output equals float32 ({relative:E2}); the backbone did not run in bfloat16");
            }
        }
        model.train(false);
        var features = model.ExtractFrameFeatures(frames);
        Assert.Equal(ScalarType.Float32, features.dtype);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void Bfloat16TrainingLearnsAndCheckpointsFloat32WeightsThatLoadIntoAFloat32Model()
    {
        string dir = TempFolder.Create("emotion-torch-");
        try
        {
            var train = SyntheticBatches.Create(batches: 12, batchSize: 8, frames: 4, size: 32, seed: 1);
            var validation = SyntheticBatches.Create(batches: 3, batchSize: 8, frames: 4, size: 32, seed: 2, video: "val");
            TrainerOptions Options(TrainingPrecision precision, string? outDir) => new()
            {
                Optimizer = OptimizerKind.AdamW,
                LearningRate = 3e-3,
                Schedule = LearningRateSchedule.Cosine(0.1).WithWarmup(5),
                GradientClipNorm = 5,
                Epochs = 3,
                Seed = 3,
                Precision = precision,
                OutputDirectory = outDir,
            };

            // Float32 reference for the first step: same seeded weights, same first batch, same epoch seed.
            using var reference = SyntheticBatches.Model(EmotionTask.Combined, width: FullWidth);
            var fp32Recorder = new SyntheticBatches.Recorder();
            using (var fp32 = new Trainer(reference, Options(TrainingPrecision.Float32, null) with { Epochs = 1, MonitorMetric = MonitorMetric.Loss }, fp32Recorder))
                fp32.Fit(BatchSource.FromBatches(train.Take(1).ToList()));

            using var model = SyntheticBatches.Model(EmotionTask.Combined, width: FullWidth);
            var recorder = new SyntheticBatches.Recorder();
            using var trainer = new Trainer(model, Options(TrainingPrecision.BFloat16, dir), recorder);
            Assert.Null(trainer.LossScale);
            var result = trainer.Fit(BatchSource.FromBatches(train), BatchSource.FromBatches(validation));

            // The first step's loss comes from the same weights and batch: the bfloat16 forward's loss is the float32 one within
            // bfloat16 rounding (and not equal to it: the backbone did run in bfloat16).
            double first = recorder.StepLosses[0], firstFp32 = fp32Recorder.StepLosses[0];
            output.WriteLine($"first-step loss: bf16 {first:F5}, fp32 {firstFp32:F5}");
            Assert.NotEqual(firstFp32, first);
            Assert.Equal(firstFp32, first, firstFp32 * 1e-2);

            var epochs = result.History.Epochs;
            foreach (var e in epochs)
                output.WriteLine($"epoch {e.Epoch}: train loss {e.TrainLoss:F4}, macro F1 {e.Validation!.MacroF1:F3}, accuracy {e.Validation.Accuracy:F3}, mean CCC {e.Validation.AbawVaScore:F3}");
            var last = epochs[^1].Validation!;
            Assert.True(epochs[^1].TrainLoss < epochs[0].TrainLoss * 0.7, $"train loss {epochs[0].TrainLoss} -> {epochs[^1].TrainLoss} should fall");
            Assert.True(last.Accuracy > 0.5, $"accuracy {last.Accuracy} should be well above chance (1/7)");
            Assert.True(last.AbawVaScore > 0.3, $"mean CCC {last.AbawVaScore} should be clearly above 0");

            // The checkpoint holds float32 weights: the model never left float32 (autocast casts per operation).
            string weights = Path.Combine(result.LastCheckpoint!, EmotionModel.WeightsFileName);
            var dict = StateDictFile.Read(weights);
            try
            {
                Assert.NotEmpty(dict);
                Assert.All(dict, kv => Assert.True(kv.Value.dtype is ScalarType.Float32 or ScalarType.Int64, $"{kv.Key} is {kv.Value.dtype}"));
            }
            finally
            {
                foreach (var t in dict.Values) t.Dispose();
            }
            Assert.All(model.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));

            // ... and loads into a float32 model that predicts exactly what the trained model predicts in float32.
            using var reloaded = EmotionModel.Load(result.LastCheckpoint!);
            var a = ModelEvaluator.Evaluate(model, validation);
            var b = ModelEvaluator.Evaluate(reloaded, validation);
            for (int i = 0; i < a.Predictions.Length; i++)
                Assert.Equal(a.Predictions[i].Prediction.Probabilities.AsSpan().ToArray(), b.Predictions[i].Prediction.Probabilities.AsSpan().ToArray());
            Assert.Equal(TrainingPrecision.BFloat16, TrainingCheckpoint.ReadState(result.LastCheckpoint!).Options.Precision);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void Float16TrainingScalesTheLossAndLearns()
    {
        var train = SyntheticBatches.Create(batches: 8, batchSize: 8, frames: 4, size: 32, seed: 1);
        using var model = SyntheticBatches.Model(EmotionTask.Categorical);
        var recorder = new SyntheticBatches.Recorder();
        using var trainer = new Trainer(model, new TrainerOptions
        {
            LearningRate = 3e-3, Epochs = 3, Seed = 3, Precision = TrainingPrecision.Float16, MonitorMetric = MonitorMetric.Loss,
        }, recorder);
        Assert.Equal(65536, trainer.LossScale);
        var result = trainer.Fit(BatchSource.FromBatches(train));
        var epochs = result.History.Epochs;
        output.WriteLine($"fp16: train loss {epochs[0].TrainLoss:F4} -> {epochs[^1].TrainLoss:F4}, skipped {trainer.SkippedSteps}, scale {trainer.LossScale}");
        Assert.True(epochs[^1].TrainLoss < epochs[0].TrainLoss * 0.8);
        Assert.True(trainer.SkippedSteps < 3 * 8 / 2, $"{trainer.SkippedSteps} of 24 steps skipped");
        Assert.Equal(65536 / Math.Pow(2, trainer.SkippedSteps), trainer.LossScale!.Value);
        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
    }

    [Fact]
    public void LossScalerSkipsOverflowingStepsHalvesAndGrowsTheScale()
    {
        using var scope = NewDisposeScope();
        var p = nn.Parameter(ones(3));
        var scaler = new DynamicLossScaler(initialScale: 8, growthInterval: 2);

        (p * 8 * tensor(new float[] { 1, 2, 3 })).sum().backward(); // scaled gradient [8, 16, 24]
        Assert.True(scaler.UnscaleAndUpdate([p]));
        Assert.Equal(new float[] { 1, 2, 3 }, p.grad!.data<float>().ToArray());
        Assert.Equal(8, scaler.Scale);

        p.grad!.zero_();
        (p * tensor(new float[] { 1, float.PositiveInfinity, 3 })).sum().backward();
        Assert.False(scaler.UnscaleAndUpdate([p]));
        Assert.Equal(new float[] { 0, 0, 0 }, p.grad!.data<float>().ToArray());
        Assert.Equal(4, scaler.Scale);
        Assert.Equal(1, scaler.SkippedSteps);

        p.grad!.zero_();
        (p * float.NaN).sum().backward();
        Assert.False(scaler.UnscaleAndUpdate([p]));
        Assert.Equal(2, scaler.Scale);

        for (int i = 0; i < 2; i++)
        {
            p.grad!.zero_();
            p.sum().backward();
            Assert.True(scaler.UnscaleAndUpdate([p]));
        }
        Assert.Equal(4, scaler.Scale); // two clean steps in a row double it
        Assert.Equal(2, scaler.SkippedSteps);
        Assert.Throws<ArgumentOutOfRangeException>(() => new DynamicLossScaler(0));
    }

    [Fact]
    public void PrecisionIsValidatedAndRoundTripsThroughJson()
    {
        var options = new TrainerOptions { Precision = TrainingPrecision.BFloat16 };
        string json = options.ToJson();
        Assert.Contains("\"precision\": \"bfloat16\"", json);
        Assert.Equal(TrainingPrecision.BFloat16, TrainerOptions.FromJson(json).Precision);
        Assert.Equal(TrainingPrecision.Float32, TrainerOptions.FromJson("{\"epochs\": 2}").Precision);
        var e = Assert.Throws<ArgumentException>(() => new TrainerOptions { Precision = (TrainingPrecision)7 }.Validate());
        Assert.Equal("Precision", e.ParamName);
    }

    [Fact]
    public void CpuFlagsAreParsedFromCpuinfoAndTellNativeBfloat16()
    {
        const string zen4 = "processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu sse avx2 avx512f avx512_bf16 avx512_vnni\n\nprocessor\t: 1\nflags\t\t: fpu\n";
        const string skylake = "processor\t: 0\nflags\t\t: fpu sse avx2 avx512f avx512bw avx512vl\n";
        const string graviton3 = "processor\t: 0\nFeatures\t: fp asimd sve bf16 i8mm\n";
        Assert.True(CpuFeatures.HasNativeBFloat16(CpuFeatures.ParseFlags(zen4)));
        Assert.Contains("avx512_vnni", CpuFeatures.ParseFlags(zen4));
        Assert.False(CpuFeatures.HasNativeBFloat16(CpuFeatures.ParseFlags(skylake)));
        Assert.True(CpuFeatures.HasNativeBFloat16(CpuFeatures.ParseFlags(graviton3)));
        Assert.Empty(CpuFeatures.ParseFlags("model name: something\n"));
        if (OperatingSystem.IsLinux() && File.Exists(CpuFeatures.CpuInfoPath))
        {
            var flags = Assert.IsAssignableFrom<IReadOnlySet<string>>(CpuFeatures.Flags);
            Assert.Equal(flags.Contains("avx512_bf16") || flags.Contains("amx_bf16") || flags.Contains("bf16"), CpuFeatures.NativeBFloat16);
        }
    }
}
