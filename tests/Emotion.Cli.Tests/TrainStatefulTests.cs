using Emotion.Preprocessing.Datasets;
using Emotion.Preprocessing.Sequences;
using Emotion.Torch.Training;

namespace Emotion.Cli.Tests;

/// <summary><c>emotion train --stateful</c> (truncated back-propagation through time) and <c>--stride</c>.</summary>
public sealed class TrainStatefulTests(TrainedModelFixture fixture) : IClassFixture<TrainedModelFixture>
{
    private string NewDir() => Path.Combine(fixture.Root, Guid.NewGuid().ToString("N"));

    private static readonly string[] Small =
        ["--backbone", "small_cnn", "--hidden", "16", "--epochs", "1", "--frames", "4", "--size", "32", "--batch-size", "4"];

    private CliResult Train(string outDir, params string[] extra) =>
        CliRunner.Run(["train", "--data", fixture.DataRoot, .. Small, "--out", outDir, .. extra]);

    /// <summary>Training windows of the fixture's data with the given stride (4-frame windows).</summary>
    private int Windows(int stride) =>
        SequenceWindower.Windows(AffWild2Dataset.Load(fixture.DataRoot, AffWild2Layout.TrainingSplit), new WindowOptions { Length = 4, Stride = stride }).Count;

    [Fact]
    public void HelpDescribesStatefulAndStride()
    {
        var help = CliRunner.Run("train", "--help");
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("--stateful", help.Output);
        Assert.Contains("--stride", help.Output);
        Assert.Contains("--no-augment", help.Output);
    }

    [Fact]
    public void StatefulTrainsOnConsecutiveWindowsInLanesAndTheCheckpointKeepsIt()
    {
        string run = NewDir();
        var result = Train(run, "--stateful", "--head", "lstm", "--no-augment");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("stateful training: 4 lanes of consecutive 4-frame windows", result.Output);
        var state = TrainingCheckpoint.ReadState(Path.Combine(run, TrainingCheckpoint.LastName));
        Assert.True(state.Options.Stateful);
        Assert.Equal("true", state.Options.RunSettings!["--stateful"]);
        Assert.Equal("true", state.Options.RunSettings["--no-augment"]);
        // Non-overlapping windows (stride = --frames), four lanes: as many steps as ceil(windows / 4).
        Assert.Equal((Windows(stride: 4) + 3) / 4, state.StepsPerEpoch);
        Assert.True(double.IsFinite(state.History!.Epochs[0].TrainLoss));

        // The fixture's ordinary run used the default stride (half the window: overlapping windows, more steps).
        var plain = TrainingCheckpoint.ReadState(Path.Combine(fixture.RunDir, TrainingCheckpoint.LastName));
        Assert.False(plain.Options.Stateful);
        Assert.Equal((Windows(stride: 2) + 3) / 4, plain.StepsPerEpoch);
        Assert.True(plain.StepsPerEpoch > state.StepsPerEpoch);
    }

    [Theory]
    [InlineData("--stride", "--stateful", "--stride", "2")]      // overlapping windows
    [InlineData("--stride", "--stateful", "--stride", "6")]      // skipped frames
    [InlineData("--stateful", "--stateful", "--head", "none")]   // no state to carry
    [InlineData("--stride", "--stride", "0")]
    public void ABadCombinationIsAUsageErrorNamingTheOption(string named, params string[] args)
    {
        var result = Train(NewDir(), args);
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(named, result.Error);
        Assert.DoesNotContain("   at ", result.Error); // one line, no stack trace
    }

    [Fact]
    public void ResumingAnOrdinaryRunWithStatefulIsRefusedNamingIt()
    {
        var result = CliRunner.Run("train", "--resume", fixture.RunDir, "--stateful", "--epochs", "3");
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("--stateful", result.Error);
    }
}
