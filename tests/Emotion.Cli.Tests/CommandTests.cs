using System.Globalization;

namespace Emotion.Cli.Tests;

public sealed partial class CommandTests(TrainedModelFixture fixture) : IClassFixture<TrainedModelFixture>
{
    private string NewDir() => Path.Combine(fixture.Root, Guid.NewGuid().ToString("N"));

    [Fact]
    public void HelpListsEveryCommand()
    {
        var result = CliRunner.Run("--help");
        Assert.Equal(0, result.ExitCode);
        foreach (var name in new[] { "demo", "train", "evaluate", "predict", "export", "explain", "benchmark" })
            Assert.Contains(name, result.Output);
    }

    [Theory]
    [InlineData("demo", "--help")]
    [InlineData("train", "--help")]
    [InlineData("evaluate", "--help")]
    [InlineData("predict", "--help")]
    [InlineData("export", "--help")]
    [InlineData("explain", "--help")]
    [InlineData("benchmark", "--help")]
    public void EveryCommandHasHelp(params string[] args)
    {
        var result = CliRunner.Run(args);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("--", result.Output);
    }

    [Fact]
    public void UnknownOptionIsAUsageErrorNamingIt()
    {
        var result = CliRunner.Run("demo", "--out", NewDir(), "--bogus");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--bogus", result.Error);
    }

    [Fact]
    public void MissingRequiredOptionIsAUsageError()
    {
        var result = CliRunner.Run("export", "--model", fixture.Checkpoint);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--out", result.Error);
    }

    [Fact]
    public void DemoDataOnlyWritesTheAffwild2LayoutAndPrintsStatistics()
    {
        var dir = NewDir();
        var result = CliRunner.Run("demo", "--out", dir, "--videos", "4", "--frames-per-video", "12", "--data-only");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Training_Set", result.Output);
        Assert.Contains("happiness", result.Output);
        Assert.True(Directory.Exists(Path.Combine(dir, "data", "cropped_aligned")));
        Assert.True(Directory.Exists(Path.Combine(dir, "data", "annotations", "EXPR_Set", "Training_Set")));
    }

    [Fact]
    public void DemoRejectsANonPositiveCount()
    {
        var result = CliRunner.Run("demo", "--out", NewDir(), "--videos", "0");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--videos", result.Error);
    }

    [Fact]
    public void TrainWritesCheckpointsHistoryAndMetrics()
    {
        Assert.True(fixture.TrainResult.ExitCode == 0, fixture.TrainResult.ToString());
        Assert.True(File.Exists(Path.Combine(fixture.Checkpoint, "model.json")));
        Assert.True(Directory.Exists(Path.Combine(fixture.RunDir, "last")));
        Assert.True(File.Exists(Path.Combine(fixture.RunDir, "history.json")));
        Assert.True(File.Exists(Path.Combine(fixture.RunDir, "history.csv")));
        Assert.True(File.Exists(Path.Combine(fixture.RunDir, "metrics.json")));
    }

    [Fact]
    public void TrainWithUnknownBackboneIsAUsageErrorListingValidNames()
    {
        var result = CliRunner.Run("train", "--data", fixture.DataRoot, "--backbone", "alexnet", "--out", NewDir());
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("alexnet", result.Error);
        Assert.Contains("resnet18", result.Error);
    }

    [Fact]
    public void TrainOnAMissingFolderIsAUsageError()
    {
        var result = CliRunner.Run("train", "--data", Path.Combine(fixture.Root, "nope"), "--out", NewDir());
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("does not exist", result.Error);
    }

    [Fact]
    public void EvaluateWritesMetricsAndPredictionsForEveryLabeledFrame()
    {
        var dir = NewDir();
        var result = CliRunner.Run("evaluate", "--model", fixture.Checkpoint, "--data", fixture.DataRoot, "--out", dir);
        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = File.ReadAllLines(Path.Combine(dir, "predictions.csv"));
        Assert.Equal("video,frame,category,p_neutral,p_anger,p_disgust,p_fear,p_happiness,p_sadness,p_surprise,valence,arousal", lines[0]);
        Assert.True(lines.Length > 1);
        foreach (var line in lines.Skip(1))
        {
            var cells = line.Split(',');
            Assert.Equal(12, cells.Length);
            double sum = cells.Skip(3).Take(7).Sum(c => double.Parse(c, CultureInfo.InvariantCulture));
            Assert.Equal(1.0, sum, 3);
            double v = double.Parse(cells[10], CultureInfo.InvariantCulture);
            Assert.InRange(v, -1, 1);
        }
        var metrics = File.ReadAllText(Path.Combine(dir, "metrics.json"));
        Assert.Contains("macroF1", metrics);
        Assert.Contains("valence", metrics);
    }

    [Fact]
    public void EvaluateLenientReportsEveryDroppedLineOnStderrAndInAFile()
    {
        var data = CopyData();
        var annotations = Path.Combine(data, "annotations", "EXPR_Set", "Validation_Set", "synth_004.txt");
        var lines = File.ReadAllLines(annotations);
        for (int i = 1; i <= 12; i++) lines[i] = "x" + i; // lines 2..13 of the file
        File.WriteAllLines(annotations, lines);

        var strict = CliRunner.Run("evaluate", "--model", fixture.Checkpoint, "--data", data, "--out", NewDir());
        Assert.Equal(1, strict.ExitCode);
        Assert.Contains($"{annotations}:2:", strict.Error);

        var dir = NewDir();
        var result = CliRunner.Run("evaluate", "--model", fixture.Checkpoint, "--data", data, "--lenient", "--out", dir);
        Assert.True(result.ExitCode == 0, result.ToString());
        var report = Path.Combine(dir, "dataset-issues.txt");
        Assert.Contains("warning: 12 problem(s) while loading the data", result.Error);
        Assert.Contains($"{annotations}:2: 'x1' is not an integer expression label", result.Error);
        Assert.Contains($"{annotations}:11:", result.Error);
        Assert.DoesNotContain($"{annotations}:12:", result.Error);
        Assert.Contains($"all 12 listed in {report}", result.Error);
        var listed = File.ReadAllLines(report);
        Assert.Equal(12, listed.Length);
        for (int line = 2; line <= 13; line++) Assert.Contains($"{annotations}:{line}: 'x{line - 1}'", listed[line - 2]);
    }

    [Fact]
    public void EvaluateWithATruncatedFrameFailsNamingItUnlessSkipDamagedListsIt()
    {
        var data = CopyData();
        var frame = Path.Combine(data, "cropped_aligned", "synth_004", "00005.jpg");
        var bytes = File.ReadAllBytes(frame);
        File.WriteAllBytes(frame, bytes[..(bytes.Length / 2)]);

        var failed = CliRunner.Run("evaluate", "--model", fixture.Checkpoint, "--data", data, "--out", NewDir());
        Assert.Equal(1, failed.ExitCode);
        Assert.Contains(frame, failed.Error);
        Assert.Contains("truncated", failed.Error);

        var dir = NewDir();
        var result = CliRunner.Run("evaluate", "--model", fixture.Checkpoint, "--data", data, "--skip-damaged", "--out", dir);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("warning: 1 problem(s)", result.Error);
        Assert.Contains($"{frame}: skipped frame 5 of video 'synth_004': the file is truncated", result.Error);
        Assert.Single(File.ReadAllLines(Path.Combine(dir, "dataset-issues.txt")));
    }

    [Fact]
    public void EvaluateOfCleanDataPrintsNothingOnStderr()
    {
        var dir = NewDir();
        var result = CliRunner.Run("evaluate", "--model", fixture.Checkpoint, "--data", fixture.DataRoot, "--out", dir);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("", result.Error);
        Assert.False(File.Exists(Path.Combine(dir, "dataset-issues.txt")));
    }

    [Fact]
    public void EvaluateStreamsByDefaultRecordsTheModeAndEqualsPredictOnAVideoWithAGap()
    {
        // Frames 9-11 of a validation video are missing (as where Aff-Wild2 found no face): two runs of consecutive frames.
        var data = CopyData();
        string folder = Path.Combine(data, "cropped_aligned", "synth_004");
        foreach (int f in new[] { 9, 10, 11 }) File.Delete(Path.Combine(folder, $"{f:D5}.jpg"));

        var streamingDir = NewDir();
        var streaming = CliRunner.Run("evaluate", "--model", fixture.Checkpoint, "--data", data, "--out", streamingDir);
        Assert.True(streaming.ExitCode == 0, streaming.ToString());
        Assert.Contains("mode: streaming", streaming.Output);
        Assert.Contains("\"mode\": \"streaming\"", File.ReadAllText(Path.Combine(streamingDir, "metrics.json")));

        var windowedDir = NewDir();
        var windowed = CliRunner.Run("evaluate", "--model", fixture.Checkpoint, "--data", data, "--mode", "windowed", "--out", windowedDir);
        Assert.True(windowed.ExitCode == 0, windowed.ToString());
        Assert.Contains("mode: windowed", windowed.Output);
        Assert.Contains("\"mode\": \"windowed\"", File.ReadAllText(Path.Combine(windowedDir, "metrics.json")));

        // emotion predict on the same frames, on TorchSharp as evaluate runs: every value of every frame as evaluate wrote it
        // (both stream the video and reset at the gap). The ONNX Runtime backend's agreement is CommandTests.Backend.cs's.
        string csv = Path.Combine(NewDir(), "predict.csv");
        var predict = CliRunner.Run("predict", "--model", fixture.Checkpoint, "--input", folder, "--backend", "torch", "--out", csv);
        Assert.True(predict.ExitCode == 0, predict.ToString());
        var predicted = PredictionTable.Read(csv);
        var evaluated = PredictionTable.Read(Path.Combine(streamingDir, "predictions.csv"));
        var byWindow = PredictionTable.Read(Path.Combine(windowedDir, "predictions.csv"));
        var rows = Enumerable.Range(0, evaluated.Rows.Count).Where(r => evaluated.Cell(r, "video") == "synth_004").ToList();
        var windowRows = Enumerable.Range(0, byWindow.Rows.Count).Where(r => byWindow.Cell(r, "video") == "synth_004").ToList();
        Assert.Equal(21, rows.Count);
        Assert.Equal(rows.Select(r => evaluated.Cell(r, "frame")), Enumerable.Range(0, predicted.Rows.Count).Select(r => predicted.Cell(r, "frame")));
        bool windowsDiffer = false;
        for (int i = 0; i < rows.Count; i++)
            foreach (var column in evaluated.ValueColumns)
            {
                // As written (7 significant digits); the last digit may differ by one: other tests of this assembly train in
                // this process at the same time, and while their backward pass runs oneDNN is off process-wide
                // (TorchNativeSettings.SafeBackward), so a forward pass may run on ATen's kernels instead of oneDNN's.
                string e = evaluated.Cell(rows[i], column), p = predicted.Cell(i, column);
                Assert.True(e == p || Math.Abs(double.Parse(e, CultureInfo.InvariantCulture) - double.Parse(p, CultureInfo.InvariantCulture)) <= 1e-6,
                    $"frame {evaluated.Cell(rows[i], "frame")}, {column}: evaluate wrote {e}, predict {p}");
                windowsDiffer |= evaluated.Cell(rows[i], column) != byWindow.Cell(windowRows[i], column);
            }
        Assert.True(windowsDiffer, "windowed evaluation gave the streamed values: the control does not tell the modes apart");
    }

    [Fact]
    public void EvaluateWithAnUnknownModeIsAUsageErrorNamingTheOption()
    {
        var result = CliRunner.Run("evaluate", "--model", fixture.Checkpoint, "--data", fixture.DataRoot, "--mode", "sliding", "--out", NewDir());
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--mode", result.Error);
    }

    private string CopyData()
    {
        var target = NewDir();
        foreach (var file in Directory.EnumerateFiles(fixture.DataRoot, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(target, Path.GetRelativePath(fixture.DataRoot, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }
        return target;
    }

    [Fact]
    public void EvaluateWithAFileThatIsNotACheckpointFailsWithExit1()
    {
        var bogus = Path.Combine(fixture.Root, "bogus-model");
        Directory.CreateDirectory(bogus);
        File.WriteAllText(Path.Combine(bogus, "model.json"), "{ not json");
        var result = CliRunner.Run("evaluate", "--model", bogus, "--data", fixture.DataRoot, "--out", NewDir());
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("error", result.Error);
    }

    [Fact]
    public void ExportThenPredictWithOnnxMatchesPredictWithTheCheckpoint()
    {
        var onnx = Path.Combine(NewDir(), "model.onnx");
        var export = CliRunner.Run("export", "--model", fixture.Checkpoint, "--out", onnx);
        Assert.True(export.ExitCode == 0, export.ToString());
        Assert.True(new FileInfo(onnx).Length > 1000);

        var video = fixture.FirstVideoFolder;
        var viaOnnx = Path.Combine(NewDir(), "onnx.csv");
        var viaTorch = Path.Combine(NewDir(), "torch.csv");
        var r1 = CliRunner.Run("predict", "--model", onnx, "--input", video, "--out", viaOnnx);
        var r2 = CliRunner.Run("predict", "--model", fixture.Checkpoint, "--input", video, "--out", viaTorch);
        Assert.True(r1.ExitCode == 0, r1.ToString());
        Assert.True(r2.ExitCode == 0, r2.ToString());
        var a = File.ReadAllLines(viaOnnx);
        var b = File.ReadAllLines(viaTorch);
        Assert.Equal(a[0], b[0]);
        Assert.Equal(Directory.GetFiles(video).Length + 1, a.Length);
        Assert.Equal(a.Length, b.Length);
        for (int i = 1; i < a.Length; i++)
        {
            var x = a[i].Split(',');
            var y = b[i].Split(',');
            Assert.Equal(x[0], y[0]);
            Assert.Equal(x[1], y[1]);
            for (int c = 3; c < x.Length; c++)
                Assert.Equal(double.Parse(y[c], CultureInfo.InvariantCulture), double.Parse(x[c], CultureInfo.InvariantCulture), 3);
        }
    }

    [Fact]
    public void PredictOnASingleImageWritesOneRow()
    {
        var image = Directory.GetFiles(fixture.FirstVideoFolder).Order(StringComparer.Ordinal).First();
        var csv = Path.Combine(NewDir(), "one.csv");
        var result = CliRunner.Run("predict", "--model", fixture.Checkpoint, "--input", image, "--out", csv);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(2, File.ReadAllLines(csv).Length);
    }

    [Fact]
    public void PredictRejectsAnUnsupportedInputFormat()
    {
        var text = Path.Combine(fixture.Root, "notes.txt");
        File.WriteAllText(text, "hello");
        var result = CliRunner.Run("predict", "--model", fixture.Checkpoint, "--input", text, "--out", Path.Combine(NewDir(), "x.csv"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("notes.txt", result.Error);
    }

    [Fact]
    public void PredictWithACorruptOnnxFileFailsWithAClearMessage()
    {
        var bad = Path.Combine(fixture.Root, "corrupt.onnx");
        File.WriteAllBytes(bad, [1, 2, 3, 4, 5, 6, 7, 8]);
        var result = CliRunner.Run("predict", "--model", bad, "--input", fixture.FirstVideoFolder, "--out", Path.Combine(NewDir(), "x.csv"));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("corrupt.onnx", result.Error);
    }

    [Fact]
    public void PredictOnACorruptFrameNamesTheFile()
    {
        var folder = Path.Combine(NewDir(), "video");
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, "00001.jpg"), [0xFF, 0xD8, 0x00, 0x01]);
        var result = CliRunner.Run("predict", "--model", fixture.Checkpoint, "--input", folder, "--out", Path.Combine(NewDir(), "x.csv"));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("00001.jpg", result.Error);
    }

    [Fact]
    public void ExportOfAMissingCheckpointIsAUsageError()
    {
        var result = CliRunner.Run("export", "--model", Path.Combine(fixture.Root, "missing"), "--out", Path.Combine(NewDir(), "m.onnx"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("does not exist", result.Error);
    }

    [Fact]
    public void ExplainWritesOneOverlayPerFrameOfTheFrameSize()
    {
        var dir = NewDir();
        var video = fixture.FirstVideoFolder;
        var result = CliRunner.Run("explain", "--model", fixture.Checkpoint, "--input", video, "--target", "happiness", "--out", dir);
        Assert.True(result.ExitCode == 0, result.ToString());
        var pngs = Directory.GetFiles(dir, "*.png");
        Assert.Equal(Directory.GetFiles(video).Length, pngs.Length);
        using var image = SixLabors.ImageSharp.Image.Load(pngs[0]);
        Assert.Equal(32, image.Width);
    }

    [Theory]
    [InlineData("--target", "joy")]
    [InlineData("--method", "lime")]
    public void ExplainRejectsAnUnknownTargetOrMethod(string option, string value)
    {
        var args = new List<string> { "explain", "--model", fixture.Checkpoint, "--input", fixture.FirstVideoFolder, "--target", "valence", "--out", NewDir() };
        int i = args.IndexOf(option);
        if (i >= 0) args[i + 1] = value; else { args.Add(option); args.Add(value); }
        var result = CliRunner.Run(args.ToArray());
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(value, result.Error);
    }

    [Fact]
    public void ExplainWithALayerThatDoesNotExistNamesIt()
    {
        var result = CliRunner.Run("explain", "--model", fixture.Checkpoint, "--input", fixture.FirstVideoFolder, "--target", "valence",
            "--layer", "block9", "--out", NewDir());
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("block9", result.Error);
    }
}
