using Emotion.Cli.Commands;
using Emotion.Cli.Workflows;
using Emotion.Core;
using Emotion.Preprocessing.Datasets;
using Emotion.Synthetic;
using Emotion.Torch.Training;

namespace Emotion.Cli.Tests;

/// <summary>
/// A combined (categories + valence/arousal) model that has learned something: the demo's network (small CNN + GRU-64) and
/// recipe (Adam, cosine schedule, no augmentation) at 32 px on a small synthetic set, then exported by <c>emotion export</c>
/// in fp32 and with <c>--int8 --calibration</c> on the training data.
/// </summary>
public sealed class QuantizedExportFixture : IDisposable
{
    public QuantizedExportFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), "emotion-int8-tests-" + Guid.NewGuid().ToString("N"));
        DataRoot = Path.Combine(Root, "data");
        SyntheticDatasetGenerator.Generate(DataRoot, new SyntheticDatasetOptions { Videos = 16, FramesPerVideo = 48, FrameSize = 48, Seed = 23 });
        var train = AffWild2Dataset.Load(DataRoot, AffWild2Layout.TrainingSplit);
        Training = train;
        Validation = AffWild2Dataset.Load(DataRoot, AffWild2Layout.ValidationSplit);
        string runDir = Path.Combine(Root, "run");
        using (var model = DemoCommand.CreateModel(EmotionTask.Combined, size: 32, sequenceLength: 8, seed: 23))
        {
            var options = new TrainerOptions
            {
                Epochs = 10,
                LearningRate = 3e-3,
                Schedule = LearningRateSchedule.Cosine(minFactor: 0.05),
                GradientClipNorm = 5.0,
                Seed = 23,
                OutputDirectory = runDir,
            };
            var result = TrainingWorkflow.Train(model, train, Validation, options, new DataPlan(BatchSize: 8, Augment: false), null, CancellationToken.None);
            Checkpoint = result.BestCheckpoint ?? throw new InvalidOperationException("training wrote no best checkpoint");
        }
        Fp32 = Path.Combine(Root, "fp32.onnx");
        Int8 = Path.Combine(Root, "int8.onnx");
        Fp32Export = CliRunner.Run("export", "--model", Checkpoint, "--out", Fp32);
        Int8Export = CliRunner.Run("export", "--model", Checkpoint, "--out", Int8, "--int8", "--calibration", DataRoot);
    }

    public string Root { get; }
    public string DataRoot { get; }
    public EmotionDataset Training { get; }
    public EmotionDataset Validation { get; }
    public string Checkpoint { get; }
    public string Fp32 { get; }
    public string Int8 { get; }
    public CliResult Fp32Export { get; }
    public CliResult Int8Export { get; }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
