using Emotion.Core;
using Emotion.FaceDetection;
using Emotion.Testing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.Cli.Tests;

/// <summary>
/// <c>emotion predict --model face-expression --detector blazeface</c>: pretrained models and detectors by name, one row per
/// face with its box, and training from pretrained weights.
/// </summary>
public sealed class PretrainedModelCommandTests(TrainedModelFixture fixture) : IClassFixture<TrainedModelFixture>
{
    [Fact]
    public void PredictByNamesOnARealPhotoWritesOneRowPerFaceWithItsBox()
    {
        string photo = TestAssets.Path("astronaut.png");
        string csv = Path.Combine(fixture.Root, "astronaut_faces.csv");
        var result = CliRunner.Run("predict", "--model", "face-expression", "--detector", "blazeface", "--input", photo, "--out", csv);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("", result.Error);
        Assert.Contains("estimated from the category probabilities", result.Output);

        var table = PredictionTable.Read(csv);
        var row = Assert.Single(table.Rows);
        Assert.Equal(["video", "frame", "face", "x", "y", "w", "h", "category"], table.Header.Take(8));
        Assert.Equal("va_source", table.Header[^1]);
        Assert.Equal("estimated_from_categories", table.Cell(0, "va_source"));
        Assert.Equal("happiness", table.Cell(0, "category"));

        // The box is BlazeFace's detection in pixels of the full photo.
        using var image = Image.Load<Rgb24>(photo);
        using var detector = new BlazeFaceDetector(TestAssets.Path("blazeface_front_128.onnx"));
        var face = Assert.Single(detector.Detect(image)).Box;
        Assert.Equal(face.X, table.Number(0, "x"), 2);
        Assert.Equal(face.Y, table.Number(0, "y"), 2);
        Assert.Equal(face.Width, table.Number(0, "w"), 2);
        Assert.Equal(face.Height, table.Number(0, "h"), 2);
        // Valence/arousal are the expected circumplex position of the probabilities.
        double valence = 0;
        foreach (var category in EmotionCategories.Basic)
            valence += table.Number(0, "p_" + category.ToName()) * Core.Mapping.CircumplexReference.RussellMehrabian1977[category]!.Position.Valence;
        Assert.Equal(valence, table.Number(0, "valence"), 4);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void PredictByNamesOnAVideoStreamsRowsWithTrackIdsAndTimes()
    {
        string csv = Path.Combine(fixture.Root, "megamind_faces.csv");
        var result = CliRunner.Run("predict", "--model", "face-expression", "--detector", "blazeface", "--input", TestAssets.Path("Megamind.avi"),
            "--every", "15", "--out", csv);
        Assert.True(result.ExitCode == 0, result.ToString());
        var table = PredictionTable.Read(csv);
        Assert.InRange(table.Rows.Count, 10, 40);
        Assert.Equal(["video", "frame", "time_s", "face", "x", "y", "w", "h"], table.Header.Take(8));
        Assert.All(table.Rows, r => Assert.True(int.TryParse(r[table.Column("face")], out _)));
        Assert.All(table.Rows, r => Assert.StartsWith("Megamind_face" + r[table.Column("face")], r[0], StringComparison.Ordinal));
        Assert.All(table.Rows, r => Assert.True(double.Parse(r[table.Column("w")], System.Globalization.CultureInfo.InvariantCulture) > 10));
    }

    [Theory]
    [InlineData("--model", "no-such-model", "face-expression")]
    [InlineData("--detector", "no-such-detector", "blazeface")]
    public void UnknownNamesAreUsageErrorsListingTheKnownOnes(string option, string value, string listed)
    {
        var args = new List<string> { "predict", "--model", "face-expression", "--input", TestAssets.Path("astronaut.png"), "--out", Path.Combine(fixture.Root, "x.csv") };
        if (option == "--model") args[2] = value;
        else args.AddRange([option, value]);
        var result = CliRunner.Run([.. args]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(option, result.Error);
        Assert.Contains(value, result.Error);
        Assert.Contains(listed, result.Error);
    }

    [Fact]
    public void ExportByNameWritesThePretrainedModelWithItsOrigin()
    {
        string path = Path.Combine(fixture.Root, "face-expression.onnx");
        var result = CliRunner.Run("export", "--model", "face-expression", "--out", path);
        Assert.True(result.ExitCode == 0, result.ToString());
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(path);
        var meta = session.ModelMetadata.CustomMetadataMap;
        Assert.Equal(OnnxMetadataKeys.ValenceArousalFromCategories, meta[OnnxMetadataKeys.ValenceArousalSource]);
        Assert.Contains("@vladmandic/face-api@1.7.15", meta[OnnxMetadataKeys.Origin]);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void TrainFromPretrainedWeightsWithFrozenStages()
    {
        string run = Path.Combine(fixture.Root, "pretrained-run");
        var result = CliRunner.Run("train", "--data", fixture.DataRoot, "--pretrained", "face-expression", "--freeze", "dense0,dense1",
            "--head", "gru", "--hidden", "8", "--epochs", "1", "--frames", "4", "--batch-size", "2", "--out", run);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("from pretrained 'face-expression' at 112 px", result.Output);
        string options = File.ReadAllText(Path.Combine(run, "last", "model.json"));
        Assert.Contains("\"pretrainedWeights\": \"face-expression\"", options);
        Assert.Contains("dense1", options);

        var bad = CliRunner.Run("train", "--data", fixture.DataRoot, "--pretrained", "face-expression", "--freeze", "layer9", "--epochs", "1", "--out", run + "-bad");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--freeze", bad.Error);
        Assert.Contains("layer9", bad.Error);
    }
}
