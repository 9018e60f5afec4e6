// Train a combined (categories + valence/arousal) CNN + GRU model with the fluent builder, then export it to ONNX for
// samples/Emotion.Samples.OnnxInference, which reads what this program writes as it is.
// Usage: dotnet run -- [--data AFF_WILD2_ROOT] [--out FOLDER] [--epochs N]
//   Without --data it generates the bundled synthetic face dataset (96x96 frames) into FOLDER/data. FOLDER (default
//   emotion-sample) receives data/, runs/ (checkpoints, history) and emotion.onnx.
using Emotion.Core;
using Emotion.Onnx.Export;
using Emotion.Preprocessing.Datasets;
using Emotion.Preprocessing.Loading;
using Emotion.Preprocessing.Sequences;
using Emotion.Synthetic;
using Emotion.Preprocessing.Transforms;
using Emotion.Torch.Backbones;
using Emotion.Torch.Heads;
using Emotion.Torch.Losses;
using Emotion.Torch.Models;
using Emotion.Torch.Training;

string? data = null, output = "emotion-sample";
int epochs = 5;
for (int i = 0; i < args.Length; i++)
{
    string? value = i + 1 < args.Length ? args[i + 1] : null;
    switch (args[i])
    {
        case "--data" when value is not null: data = value; i++; break;
        case "--out" when value is not null: output = value; i++; break;
        case "--epochs" when int.TryParse(value, out int n) && n > 0: epochs = n; i++; break;
        default:
            Console.Error.WriteLine($"error: unexpected argument '{args[i]}'. Usage: Emotion.Samples.Training [--data AFF_WILD2_ROOT] [--out FOLDER] [--epochs N]");
            return 2;
    }
}

try
{
    string root = data ?? Path.Combine(output, "data");
    if (data is null)
    {
        var generated = SyntheticDatasetGenerator.Generate(root, new SyntheticDatasetOptions { Videos = 20, FramesPerVideo = 60 });
        Console.WriteLine($"synthetic dataset: {generated.FramesWritten} frames of {generated.Options.FrameSize}x{generated.Options.FrameSize} pixels in {root}");
    }
    var train = AffWild2Dataset.Load(root, AffWild2Layout.TrainingSplit);
    var valid = AffWild2Dataset.Load(root, AffWild2Layout.ValidationSplit);

    using var model = EmotionModel.Create()
        .WithInput(frames: 8, size: 64)                      // frames are resized to 64x64 for training, and at inference
        .WithBackbone(BackboneSpec.SmallCnn())               // or BackboneSpec.ResNet18(), MobileNetV3Small(), ...
        .WithRecurrentHead(HeadSpec.Gru(hidden: 64))         // or HeadSpec.Lstm(...), HeadSpec.NoRecurrence()
        .ForTask(EmotionTask.Combined)
        .Build();

    // Overlapping 8-frame windows, augmented and decoded on background threads.
    var pipeline = new FramePipeline(FrameTransformOptions.ForTraining(model.Info.FrameSize, model.Info.Normalization));
    var windows = SequenceWindower.Windows(train, new WindowOptions { Length = 8, Stride = 4 });
    using var trainLoader = new SequenceBatchLoader(windows, pipeline, new SequenceLoaderOptions { BatchSize = 8, Seed = 1 });
    using var validLoader = SequenceBatchLoader.ForEvaluation(valid, pipeline, sequenceLength: 8, batchSize: 8);

    var progress = new ConsoleProgress(p =>
    {
        if (p.EpochRecord is { } e)
            Console.WriteLine($"epoch {e.Epoch}: loss {e.TrainLoss:0.000}, macro F1 {e.Validation?.MacroF1:0.000}, " +
                              $"CCC valence {e.Validation?.CccValence:0.000}, arousal {e.Validation?.CccArousal:0.000}");
    });
    var options = new TrainerOptions
    {
        Loss = new LossBuilder().CrossEntropy(weight: 1.0).Ccc(weight: 1.0).Build(), // how the model learns; the builder above is the architecture
        Epochs = epochs,
        LearningRate = 2e-3,
        Schedule = LearningRateSchedule.Cosine(),
        OutputDirectory = Path.Combine(output, "runs"),
    };
    using var trainer = new Trainer(model, options, progress);
    var result = trainer.Fit(BatchSource.FromLoader(trainLoader), BatchSource.FromLoader(validLoader));
    Console.WriteLine($"best epoch {result.BestEpoch} ({result.Monitor} = {result.BestValue:0.000}); checkpoint: {result.BestCheckpoint}");

    // The best checkpoint as ONNX, with its metadata (task, categories, frame size, normalisation): all the inference
    // sample needs. ONNX Runtime then serves it without TorchSharp or libtorch.
    string onnx = Path.Combine(output, "emotion.onnx");
    using (var best = result.BestCheckpoint is { } checkpoint ? TrainingCheckpoint.LoadModel(checkpoint) : null)
        OnnxExporter.Export(best ?? model, onnx);
    Console.WriteLine($"exported {onnx}");
    string video = valid.Videos.Count > 0 ? valid.Videos[0].Id : train.Videos[0].Id;
    Console.WriteLine($"next: dotnet run --project samples/Emotion.Samples.OnnxInference -- {onnx} {Path.Combine(root, AffWild2Layout.FramesFolder, video)}");
    return 0;
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or FormatException or ArgumentException)
{
    // Expected failures (a missing folder, malformed annotations, an unreadable frame, a full disk): one line, no stack trace.
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

// Reports on the training thread, so that lines come in order (Progress<T> posts them to the thread pool).
sealed class ConsoleProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress value) => report(value);
}
