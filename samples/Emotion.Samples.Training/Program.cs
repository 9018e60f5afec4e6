// Train a combined (categories + valence/arousal) CNN + GRU model with the fluent builder.
// Usage: dotnet run -- [AFF_WILD2_ROOT]   (without an argument it trains on the bundled synthetic faces)
using Emotion.Core;
using Emotion.Preprocessing.Datasets;
using Emotion.Preprocessing.Loading;
using Emotion.Preprocessing.Sequences;
using Emotion.Preprocessing.Synthetic;
using Emotion.Preprocessing.Transforms;
using Emotion.Torch.Backbones;
using Emotion.Torch.Heads;
using Emotion.Torch.Models;
using Emotion.Torch.Training;

string root = args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), "emotion-sample-data");
if (args.Length == 0) SyntheticDatasetGenerator.Generate(root, new SyntheticDatasetOptions { Videos = 20, FramesPerVideo = 60 });
var train = AffWild2Dataset.Load(root, AffWild2Layout.TrainingSplit);
var valid = AffWild2Dataset.Load(root, AffWild2Layout.ValidationSplit);

using var model = EmotionModel.Create()
    .WithInput(frames: 8, size: 64)
    .WithBackbone(BackboneSpec.SmallCnn())               // or BackboneSpec.ResNet18(), MobileNetV3Small(), ...
    .WithRecurrentHead(HeadSpec.Gru(hidden: 64))         // or HeadSpec.Lstm(...), HeadSpec.NoRecurrence()
    .ForTask(EmotionTask.Combined)
    .WithLoss(l => l.CrossEntropy(weight: 1.0).Ccc(weight: 1.0))
    .Build();

// Overlapping 8-frame windows, augmented and decoded on background threads.
var pipeline = new FramePipeline(FrameTransformOptions.ForTraining(model.Info.FrameSize, model.Info.Normalization));
var windows = SequenceWindower.Windows(train, new WindowOptions { Length = 8, Stride = 4 });
using var trainLoader = new SequenceBatchLoader(windows, pipeline, new SequenceLoaderOptions { BatchSize = 8, Seed = 1 });
using var validLoader = SequenceBatchLoader.ForEvaluation(valid, pipeline, sequenceLength: 8, batchSize: 8);

var progress = new Progress<TrainingProgress>(p =>
{
    if (p.EpochRecord is { } e)
        Console.WriteLine($"epoch {e.Epoch}: loss {e.TrainLoss:0.000}, macro F1 {e.Validation?.MacroF1:0.000}, " +
                          $"CCC valence {e.Validation?.CccValence:0.000}, arousal {e.Validation?.CccArousal:0.000}");
});
var options = new TrainerOptions { Epochs = 5, LearningRate = 2e-3, Schedule = LearningRateSchedule.Cosine(), OutputDirectory = "runs/sample" };
using var trainer = new Trainer(model, options, progress);
var result = trainer.Fit(BatchSource.FromLoader(trainLoader), BatchSource.FromLoader(validLoader));
Console.WriteLine($"best epoch {result.BestEpoch} ({result.Monitor} = {result.BestValue:0.000}); checkpoint: {result.BestCheckpoint}");
