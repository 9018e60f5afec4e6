using System.Globalization;
using Emotion.Onnx.Export.Graph;
using Emotion.Torch.Losses;
using Emotion.Torch.Training;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.Cli.Tests;

/// <summary>
/// The options that expose the library on the command line: train's --preset, --loss, --class-weights, --classes and
/// --device, and predict's --descriptor (with a one-channel third-party model). Tiny synthetic data, small_cnn, 1 epoch.
/// </summary>
public sealed class TrainAndPredictOptionTests(TrainedModelFixture fixture) : IClassFixture<TrainedModelFixture>
{
    private string NewDir() => Path.Combine(fixture.Root, Guid.NewGuid().ToString("N"));

    private static readonly string[] Small =
        ["--backbone", "small_cnn", "--hidden", "16", "--epochs", "1", "--frames", "4", "--size", "32", "--batch-size", "4"];

    private CliResult Train(string data, string outDir, params string[] extra) =>
        CliRunner.Run(["train", "--data", data, .. Small, "--out", outDir, .. extra]);

    private static string ModelJson(string runDir) => File.ReadAllText(Path.Combine(runDir, "best", "model.json"));

    /// <summary>The loss of the run's trainer options, from its best checkpoint's training.json (the model.json holds the architecture only).</summary>
    private static LossSpec TrainedLoss(string runDir)
    {
        Assert.DoesNotContain("\"loss\"", ModelJson(runDir));
        return TrainingCheckpoint.ReadState(Path.Combine(runDir, "best")).Options.Loss!;
    }

    [Fact]
    public void HelpDescribesEveryNewOption()
    {
        var train = CliRunner.Run("train", "--help");
        Assert.Equal(0, train.ExitCode);
        foreach (var option in new[] { "--preset", "--loss", "--class-weights", "--classes", "--device", "--precision" })
            Assert.Contains(option, train.Output);
        Assert.Contains("affwildnet", train.Output);
        Assert.Contains("balanced", train.Output);
        var predict = CliRunner.Run("predict", "--help");
        Assert.Equal(0, predict.ExitCode);
        Assert.Contains("--descriptor", predict.Output);
        Assert.Contains("gray", predict.Output);
    }

    [Theory]
    [InlineData("--loss", "ce=x")]
    [InlineData("--loss", "bogus=1")]
    [InlineData("--loss", "ce=1,ce=2")]
    [InlineData("--loss", "ccc=1", "--task", "categorical")] // no term reads ccc's outputs... and the categories are untrained
    [InlineData("--class-weights", "1,2,3")]
    [InlineData("--class-weights", "heavy")]
    [InlineData("--class-weights", "balanced", "--task", "va")]
    [InlineData("--classes", "9")]
    [InlineData("--preset", "vggface")]
    [InlineData("--preset", "affwildnet", "--pretrained", "face-expression")]
    [InlineData("--device", "tpu")]
    [InlineData("--precision", "fp8")]
    [InlineData("--precision", "fp16")] // float16 needs --device cuda
    [InlineData("--precision", "fp16", "--device", "cpu")]
    public void ABadValueIsAUsageErrorNamingTheOption(string option, string value, params string[] more)
    {
        var result = Train(fixture.DataRoot, NewDir(), [option, value, .. more]);
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(option, result.Error);
    }

    [Fact]
    public void LossWeightsAndBalancedClassWeightsReachTheModel()
    {
        var run = NewDir();
        var result = Train(fixture.DataRoot, run, "--task", "combined", "--loss", "ce=1,ccc=0.5", "--class-weights", "balanced");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("loss: 1*ce", result.Output);
        Assert.Equal(new LossBuilder().CrossEntropy(1.0, 0.0, ClassWeighting.Balanced).Ccc(0.5).Build(), TrainedLoss(run));
        Assert.Contains("0.5*ccc", result.Output);
    }

    [Fact]
    public void ExplicitClassWeightsGiveOneWeightPerCategory()
    {
        var run = NewDir();
        var result = Train(fixture.DataRoot, run, "--task", "categorical", "--loss", "ce=2", "--class-weights", "1,2,2,2,1,1,1");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(new LossBuilder().CrossEntropy(2.0, classWeights: [1, 2, 2, 2, 1, 1, 1]).Build(), TrainedLoss(run));
    }

    [Fact]
    public void Classes8SetsTheModelCategoriesAndKeepsOtherInTheData()
    {
        // A copy of the data where some training frames are labeled 7 (Other).
        string data = NewDir();
        CopyDirectory(fixture.DataRoot, data);
        var exprDir = Path.Combine(data, "annotations", "EXPR_Set", "Training_Set");
        int others = 0;
        foreach (var file in Directory.GetFiles(exprDir, "*.txt"))
        {
            var lines = File.ReadAllLines(file);
            for (int i = 1; i < lines.Length; i += 3)
                if (lines[i].Trim() != "-1") { lines[i] = "7"; others++; }
            File.WriteAllLines(file, lines);
        }
        Assert.True(others > 0);

        var run8 = NewDir();
        var with = Train(data, run8, "--task", "categorical", "--classes", "8", "--class-weights", "1,1,1,1,1,1,1,0.5");
        Assert.True(with.ExitCode == 0, with.ToString());
        Assert.Contains("\"other\"", ModelJson(run8));
        Assert.Matches(@"(?im)^.*other\D*[1-9]", with.Output); // the training statistics count the Other frames

        var run7 = NewDir();
        var without = Train(data, run7, "--task", "categorical");
        Assert.True(without.ExitCode == 0, without.ToString());
        Assert.DoesNotContain("\"other\"", ModelJson(run7));

        // The switch is part of the run: a resume that contradicts it is refused, naming it.
        var resumed = CliRunner.Run("train", "--resume", Path.Combine(run8, "last"), "--classes", "7");
        Assert.Equal(2, resumed.ExitCode);
        Assert.Contains("--classes", resumed.Error);

        // evaluate follows the model: an 8-class model is scored with Other kept.
        var eval = CliRunner.Run("evaluate", "--model", Path.Combine(run8, "best"), "--data", data, "--split", "Training_Set", "--out", NewDir());
        Assert.True(eval.ExitCode == 0, eval.ToString());
    }

    [Fact]
    public void PresetAffwildnetSetsHeadAndNormalisationAndExplicitOptionsOverrideIt()
    {
        var run = NewDir();
        var result = Train(fixture.DataRoot, run, "--preset", "affwildnet", "--task", "combined");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("preset affwildnet: backbone small_cnn, head gru 16x2, 32 px, 4-frame sequences", result.Output);
        string json = ModelJson(run);
        Assert.Contains("\"layers\": 2", json); // the preset's 2-layer GRU (--layers not given)
        Assert.Contains("0.5", json); // [-1, 1] scaling: mean 0.5, std 0.5
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void PresetAffwildnetTrainsItsVgg16Backbone()
    {
        var run = NewDir();
        var result = CliRunner.Run("train", "--data", fixture.DataRoot, "--preset", "affwildnet", "--frames", "4", "--size", "32",
            "--hidden", "8", "--epochs", "1", "--batch-size", "2", "--task", "categorical", "--out", run);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("preset affwildnet: backbone vgg16", result.Output);
    }

    [Fact]
    public void DeviceCudaTrainsOnTheGpuOrFailsClearlyWithoutOne()
    {
        var run = NewDir();
        var result = Train(fixture.DataRoot, run, "--device", "cuda");
        if (TorchSharp.torch.cuda.is_available())
        {
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.True(File.Exists(Path.Combine(run, "best", "model.json")));
        }
        else
        {
            Assert.True(result.ExitCode == 1, result.ToString());
            Assert.Contains("--device", result.Error);
            Assert.Contains("CUDA is not available", result.Error);
        }
    }

    [Fact]
    public void DeviceCpuIsAccepted()
    {
        var result = Train(fixture.DataRoot, NewDir(), "--device", "cpu");
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    // A third-party grayscale classifier: input 'gray' [N, 1, 8, 8], output 'logits' [N, 7] = mean(x) * W + B, FER-2013 label order.
    private static readonly float[] W = [2f, -1f, 0.5f, 3f, -2f, 1f, 0f];
    private static readonly float[] B = [0.1f, 0.2f, -0.1f, -1f, 0.3f, 0f, 0.05f];
    private static readonly string[] FerLabels = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"];

    private static void SaveGrayClassifier(string path)
    {
        var g = new OnnxGraphBuilder("gray_fer");
        string x = g.AddInput("gray", ["N", 1, 8, 8]);
        string m = g.AddNode("ReduceMean", [x], "m", OnnxAttribute.Ints("axes", 2, 3), OnnxAttribute.Int("keepdims", 0)); // [N, 1]
        string mw = g.AddNode("MatMul", [m, g.AddInitializer("w", W, 1, 7)], "mw");
        g.AddOutput(g.AddNode("Add", [mw, g.AddInitializer("b", B, 7)], "logits"), ["N", 7]);
        g.Save(path);
    }

    private const string GrayDescriptor = """
        {
          "inputName": "gray",
          "width": 8,
          "height": 8,
          "colorOrder": "gray",
          "normalization": { "mean": { "r": 0, "g": 0, "b": 0 }, "std": { "r": 1, "g": 1, "b": 1 } },
          "categoryOutput": "logits",
          "labels": ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]
        }
        """;

    [Fact]
    public void PredictWithADescriptorRunsAOneChannelThirdPartyModel()
    {
        string dir = NewDir();
        Directory.CreateDirectory(dir);
        string model = Path.Combine(dir, "gray.onnx"), descriptor = Path.Combine(dir, "gray.json"), image = Path.Combine(dir, "face.png");
        SaveGrayClassifier(model);
        File.WriteAllText(descriptor, GrayDescriptor);
        var random = new Random(3);
        double sum = 0;
        using (var img = new Image<Rgb24>(8, 8))
        {
            for (int y = 0; y < 8; y++)
                for (int x = 0; x < 8; x++)
                {
                    var px = new Rgb24((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
                    img[x, y] = px;
                    sum += (0.299 * px.R + 0.587 * px.G + 0.114 * px.B) / 255.0;
                }
            img.SaveAsPng(image);
        }
        double mean = sum / 64;
        var z = W.Select((w, k) => mean * w + B[k]).ToArray();
        var e = z.Select(v => Math.Exp(v - z.Max())).ToArray();
        var p = e.Select(v => v / e.Sum()).ToArray();

        string csv = Path.Combine(dir, "out.csv");
        var result = CliRunner.Run("predict", "--model", model, "--descriptor", descriptor, "--input", image, "--out", csv);
        Assert.True(result.ExitCode == 0, result.ToString());
        var table = PredictionTable.Read(csv);
        Assert.Single(table.Rows);
        string[] names = ["anger", "disgust", "fear", "happiness", "sadness", "surprise", "neutral"];
        for (int k = 0; k < 7; k++)
            Assert.Equal(p[k], table.Number(0, "p_" + names[k]), 4);
        Assert.Equal(names[Array.IndexOf(p, p.Max())], table.Cell(0, "category"));
    }

    [Fact]
    public void PredictDescriptorErrorsNameTheOption()
    {
        string dir = NewDir();
        Directory.CreateDirectory(dir);
        string model = Path.Combine(dir, "gray.onnx"), image = Path.Combine(dir, "face.png");
        SaveGrayClassifier(model);
        using (var img = new Image<Rgb24>(8, 8)) img.SaveAsPng(image);

        var missing = CliRunner.Run("predict", "--model", model, "--descriptor", Path.Combine(dir, "none.json"), "--input", image, "--out", Path.Combine(dir, "a.csv"));
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("--descriptor", missing.Error);

        string broken = Path.Combine(dir, "broken.json");
        File.WriteAllText(broken, "{ \"inputName\": \"gray\", \"width\": 8 ");
        var invalid = CliRunner.Run("predict", "--model", model, "--descriptor", broken, "--input", image, "--out", Path.Combine(dir, "b.csv"));
        Assert.Equal(2, invalid.ExitCode);
        Assert.Contains("--descriptor", invalid.Error);

        string noLabels = Path.Combine(dir, "nolabels.json");
        File.WriteAllText(noLabels, """{ "inputName": "gray", "width": 8, "height": 8, "colorOrder": "gray", "categoryOutput": "logits" }""");
        var unlabeled = CliRunner.Run("predict", "--model", model, "--descriptor", noLabels, "--input", image, "--out", Path.Combine(dir, "c.csv"));
        Assert.Equal(2, unlabeled.ExitCode);
        Assert.Contains("--descriptor", unlabeled.Error);
        Assert.Contains("Labels", unlabeled.Error);

        // An RGB descriptor for the one-channel graph: the shape mismatch is reported.
        string rgb = Path.Combine(dir, "rgb.json");
        File.WriteAllText(rgb, GrayDescriptor.Replace("\"gray\",\n", "\"gray\",\n").Replace("\"colorOrder\": \"gray\"", "\"colorOrder\": \"rgb\""));
        var mismatch = CliRunner.Run("predict", "--model", model, "--descriptor", rgb, "--input", image, "--out", Path.Combine(dir, "d.csv"));
        Assert.Equal(1, mismatch.ExitCode);
        Assert.Contains("[N, 1, 8, 8]".Replace("N", "?"), mismatch.Error);

        var withCheckpoint = CliRunner.Run("predict", "--model", fixture.Checkpoint, "--descriptor", rgb, "--input", image, "--out", Path.Combine(dir, "e.csv"));
        Assert.Equal(2, withCheckpoint.ExitCode);
        Assert.Contains("--descriptor", withCheckpoint.Error);
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(dir.Replace(from, to, StringComparison.Ordinal));
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, file.Replace(from, to, StringComparison.Ordinal));
    }
}
