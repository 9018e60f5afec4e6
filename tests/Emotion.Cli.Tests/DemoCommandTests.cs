using Emotion.Testing;

namespace Emotion.Cli.Tests;

/// <summary>The whole demo end to end on a tiny dataset (1 epoch at 32 px): every step runs and writes its files.</summary>
public sealed class DemoCommandTests : IDisposable
{
    private readonly TempFolder temp = new("emotion-demo-");
    private string root => temp.Path;

    public void Dispose() => temp.Dispose();

    [Fact]
    [Trait("Category", "Slow")]
    public void TinyDemoTrainsThreeModelsExportsExplainsAndRunsOnRealFaces()
    {
        var result = CliRunner.Run("demo", "--out", root, "--videos", "6", "--frames-per-video", "24", "--epochs", "1", "--size", "32",
            "--assets", TestAssets.Directory);
        Assert.True(result.ExitCode == 0, result.ToString());

        foreach (string task in new[] { "categorical", "va", "combined" })
        {
            Assert.True(File.Exists(Path.Combine(root, "models", task, "metrics.json")), task);
            Assert.True(File.Exists(Path.Combine(root, "models", task, "best", "model.json")), task);
        }
        Assert.True(new FileInfo(Path.Combine(root, "models", "combined.onnx")).Length > 10_000);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(root, "interpretability", "gradcam"), "*.png"));
        Assert.True(File.Exists(Path.Combine(root, "interpretability", "report", "report.md")));
        foreach (string photo in new[] { "astronaut", "grace_hopper", "camera" })
            Assert.True(File.Exists(Path.Combine(root, "real-faces", photo + "_faces.png")), photo);
        Assert.True(File.Exists(Path.Combine(root, "real-faces", "Megamind_predictions.csv")));
        Assert.Contains("astronaut.png", result.Output);
        Assert.Contains("face track(s)", result.Output);
    }

    [Fact]
    public void MissingAssetsSkipTheRealFaceStepAndSayHowToFetchThem()
    {
        string emptyAssets = Path.Combine(root, "no-assets");
        Directory.CreateDirectory(emptyAssets);
        var result = CliRunner.Run("demo", "--out", root, "--videos", "4", "--frames-per-video", "16", "--epochs", "1", "--size", "32",
            "--assets", emptyAssets);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("./build.sh setup", result.Output);
        Assert.False(Directory.Exists(Path.Combine(root, "real-faces")));
    }
}
