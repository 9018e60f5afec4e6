using Emotion.Synthetic;
using Emotion.Testing;

namespace Emotion.Cli.Tests;

/// <summary>
/// One tiny synthetic dataset and one model trained on it with <c>emotion train</c>, shared by the command tests
/// (training is the slow part; every other command reuses its checkpoint).
/// </summary>
public sealed class TrainedModelFixture : IDisposable
{
    public TrainedModelFixture()
    {
        Root = temp.Path;
        DataRoot = Path.Combine(Root, "data");
        SyntheticDatasetGenerator.Generate(DataRoot, new SyntheticDatasetOptions { Videos = 5, FramesPerVideo = 24, FrameSize = 48, Seed = 7 });
        RunDir = Path.Combine(Root, "run");
        TrainResult = CliRunner.Run("train", "--data", DataRoot, "--backbone", "small_cnn", "--head", "gru", "--hidden", "16",
            "--task", "combined", "--epochs", "1", "--frames", "4", "--size", "32", "--batch-size", "4", "--out", RunDir);
        Checkpoint = Path.Combine(RunDir, "best");
    }

    private readonly TempFolder temp = new("emotion-cli-tests-");

    public string Root { get; }
    public string DataRoot { get; }
    public string RunDir { get; }
    public string Checkpoint { get; }
    public CliResult TrainResult { get; }

    /// <summary>The frames folder of the first validation video.</summary>
    public string FirstVideoFolder => Directory.GetDirectories(Path.Combine(DataRoot, "cropped_aligned")).OrderBy(d => d, StringComparer.Ordinal).First();

    public void Dispose() => temp.Dispose();
}
