using Emotion.Core;
using System.Globalization;
using Xunit.Abstractions;

namespace Emotion.Cli.Tests;

/// <summary>
/// <c>emotion predict</c> on video files: a video made with ffmpeg from a frame folder gives the folder's own predictions
/// (same frame numbers, probabilities and valence/arousal within the codec's tolerance, the same categories), frame
/// sampling, face boxes, the detector, and bad input.
/// </summary>
public sealed class PredictVideoTests(VideoPredictionFixture fixture, ITestOutputHelper output) : IClassFixture<VideoPredictionFixture>
{
    // Lossless RGB video (ffv1, bgr0) of the exact pixels: only float rounding differs, and nothing should.
    private const double LosslessTolerance = 1e-5;
    // libx264 -qp 0 in yuv444p: the RGB -> YUV -> RGB round trip moves pixels by 1-2 levels of 255
    // (measured: 0.0014 on probabilities and valence/arousal).
    private const double NearLosslessTolerance = 0.01;
    // libx264 -crf 18 in yuv420p (quarter-resolution chroma) on 48x48 crops (measured: 0.0063, every top category the same).
    private const double LossyTolerance = 0.05;
    private const double LossyCategoryAgreement = 0.9;

    private PredictionTable Predict(string model, string input, params string[] extra)
    {
        var csv = Path.Combine(fixture.NewDir(), "predictions.csv");
        var result = CliRunner.Run(["predict", "--model", model, "--input", input, "--out", csv, .. extra]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return PredictionTable.Read(csv);
    }

    [Fact]
    public void VideoGivesTheFrameFoldersPredictionsWithinCodecTolerance()
    {
        // The PNG copies hold the JPEG's decoded pixels, renumbered 1..N without the JPEG folder's gaps (the frames where the
        // synthetic data "found no face"). The two agree up to the first gap; there the JPEG folder's stream restarts from a
        // zero state (the gap rule, FrameGaps) while the PNG folder's, like the videos made from it, carries on.
        var jpeg = Predict(fixture.Onnx, fixture.JpegFolder);
        var pngFolder = Predict(fixture.Onnx, fixture.PngFolder);
        var folder = pngFolder;
        var numbers = jpeg.Rows.Select((_, r) => int.Parse(jpeg.Cell(r, "frame"), CultureInfo.InvariantCulture)).ToList();
        int firstRun = 1;
        while (firstRun < numbers.Count && numbers[firstRun] == numbers[firstRun - 1] + 1) firstRun++;
        Assert.True(firstRun < numbers.Count, "the fixture's video was expected to have a gap in its frame numbers");
        Assert.Equal(jpeg.Rows.Count, pngFolder.Rows.Count);
        for (int r = 0; r < firstRun; r++)
            foreach (var column in jpeg.ValueColumns) Assert.Equal(jpeg.Number(r, column), pngFolder.Number(r, column), 6);

        var lossless = Predict(fixture.Onnx, fixture.Lossless);
        Assert.Equal(fixture.FrameCount, lossless.Rows.Count);
        Assert.Equal(["video", "frame", "time_s", "category"], lossless.Header.Take(4));
        for (int r = 0; r < lossless.Rows.Count; r++)
        {
            Assert.Equal("clip", lossless.Cell(r, "video"));
            Assert.Equal(r + 1, int.Parse(lossless.Cell(r, "frame"), CultureInfo.InvariantCulture));
            Assert.Equal(r / VideoPredictionFixture.Fps, lossless.Number(r, "time_s"), 3);
            Assert.Equal(pngFolder.Cell(r, "frame"), lossless.Cell(r, "frame"));
        }
        double losslessDiff = PredictionTable.MaxDifference(folder, lossless);
        var nearLossless = Predict(fixture.Onnx, fixture.NearLossless);
        double nearDiff = PredictionTable.MaxDifference(folder, nearLossless);
        var lossy = Predict(fixture.Onnx, fixture.Lossy);
        double lossyDiff = PredictionTable.MaxDifference(folder, lossy);
        double agreement = PredictionTable.CategoryAgreement(folder, lossy);
        output.WriteLine($"max |difference| lossless {losslessDiff:G3}, near-lossless {nearDiff:G3}, lossy {lossyDiff:G3}; lossy top-category agreement {agreement:P0}");

        Assert.InRange(losslessDiff, 0, LosslessTolerance);
        Assert.Equal(1.0, PredictionTable.CategoryAgreement(folder, lossless));
        Assert.InRange(nearDiff, 0, NearLosslessTolerance);
        Assert.InRange(lossyDiff, 0, LossyTolerance);
        Assert.InRange(agreement, LossyCategoryAgreement, 1.0);
    }

    [Fact]
    public void CheckpointOnVideoMatchesCheckpointOnTheFrames()
    {
        var folder = Predict(fixture.Model.Checkpoint, fixture.PngFolder);
        var video = Predict(fixture.Model.Checkpoint, fixture.Lossless);
        Assert.Equal(folder.Rows.Count, video.Rows.Count);
        Assert.Contains("time_s", video.Header);
        Assert.InRange(PredictionTable.MaxDifference(folder, video), 0, LosslessTolerance);
    }

    [Fact]
    public void EveryAndFpsSampleFramesWithTheirTimestamps()
    {
        var every = Predict(fixture.Onnx, fixture.Lossless, "--every", "3");
        var expected = Enumerable.Range(0, (fixture.FrameCount + 2) / 3).Select(i => 1 + 3 * i).ToList();
        Assert.Equal(expected, every.Rows.Select((_, r) => int.Parse(every.Cell(r, "frame"), CultureInfo.InvariantCulture)));
        for (int r = 0; r < every.Rows.Count; r++) Assert.Equal(3 * r / VideoPredictionFixture.Fps, every.Number(r, "time_s"), 3);

        var fps = Predict(fixture.Onnx, fixture.Lossless, "--fps", "5", "--max-frames", "3");
        Assert.Equal(["1", "6", "11"], fps.Rows.Select((_, r) => fps.Cell(r, "frame")));
        Assert.Equal([0.0, 0.2, 0.4], fps.Rows.Select((_, r) => fps.Number(r, "time_s")));
    }

    [Fact]
    public void FaceBoxesCropTheFacesOutOfLargerFrames()
    {
        var boxes = Path.Combine(fixture.NewDir(), "boxes.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(boxes)!);
        var lines = new List<string> { "video,frame,x,y,w,h" };
        for (int n = 1; n <= fixture.FrameCount; n++)
            if (n != 2) lines.Add($"padded,{n},{VideoPredictionFixture.PadX},{VideoPredictionFixture.PadY},{fixture.FrameSize},{fixture.FrameSize}");
        File.WriteAllLines(boxes, lines);

        var withBoxes = Predict(fixture.Onnx, fixture.Padded, "--faces", boxes);
        var crops = Predict(fixture.Onnx, fixture.Lossless);
        Assert.Equal(fixture.FrameCount - 1, withBoxes.Rows.Count); // frame 2 has no box: skipped
        Assert.DoesNotContain(withBoxes.Rows, r => r[1] == "2");
        // Frame 1 is predicted on the same crop with the same (zero) state, so it matches exactly; later frames differ only by the skipped frame's context.
        Assert.Equal(crops.Number(0, "p_happiness"), withBoxes.Number(0, "p_happiness"), 5);
        Assert.Equal(crops.Number(0, "valence"), withBoxes.Number(0, "valence"), 5);

        var wrongVideo = File.ReadAllText(boxes).Replace("padded,", "other,", StringComparison.Ordinal);
        File.WriteAllText(boxes, wrongVideo);
        var result = CliRunner.Run("predict", "--model", fixture.Onnx, "--input", fixture.Padded, "--out", Path.Combine(fixture.NewDir(), "x.csv"), "--faces", boxes);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("'padded'", result.Error);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void DetectorWithAllFacesPredictsTheMegamindFacePerTrack()
    {
        string video = Emotion.Testing.TestAssets.Path("Megamind.avi");
        string detector = Emotion.Testing.TestAssets.Path("blazeface_front_128.onnx");
        var table = Predict(fixture.Onnx, video, "--detector", detector, "--all-faces", "--every", "10", "--max-frames", "12");
        Assert.NotEmpty(table.Rows);
        Assert.All(table.Rows, r => Assert.StartsWith("Megamind_face", r[0], StringComparison.Ordinal));
        var byDefault = Predict(fixture.Onnx, video, "--detector", detector, "--every", "10", "--max-frames", "12");
        Assert.Equal(table.Rows.Count, byDefault.Rows.Count); // every face is the default with a detector and an ONNX model
        var single = Predict(fixture.Onnx, video, "--detector", detector, "--one-face", "--every", "10", "--max-frames", "12");
        Assert.All(single.Rows, r => Assert.Equal("Megamind", r[0]));
        Assert.InRange(single.Rows.Count, 6, 12); // the animated face is found in most sampled frames
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void CheckpointWithAllFacesRunsOnOnnxRuntimeAsItsExportDoes()
    {
        string video = Emotion.Testing.TestAssets.Path("Megamind.avi");
        string detector = Emotion.Testing.TestAssets.Path("blazeface_front_128.onnx");
        string[] options = ["--detector", detector, "--all-faces", "--every", "10", "--max-frames", "12"];
        var exported = Predict(fixture.Onnx, video, options);
        var checkpoint = Predict(fixture.Model.Checkpoint, video, options);
        Assert.NotEmpty(checkpoint.Rows);
        Assert.Equal(exported.Header, checkpoint.Header);
        Assert.Equal(exported.Rows.Select(r => r[0] + "," + r[1]), checkpoint.Rows.Select(r => r[0] + "," + r[1]));
        Assert.InRange(PredictionTable.MaxDifference(exported, checkpoint), 0, 1e-4);

        var torch = CliRunner.Run(["predict", "--model", fixture.Model.Checkpoint, "--input", video, "--backend", "torch", "--out", Path.Combine(fixture.NewDir(), "x.csv"), .. options]);
        Assert.Equal(2, torch.ExitCode);
        Assert.Contains("--all-faces", torch.Error);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void TruncatedVideoWarnsOnStderrAndInTheSummaryHowManyFramesWereRead()
    {
        var bytes = File.ReadAllBytes(Emotion.Testing.TestAssets.Path("Megamind.avi"));
        var path = Path.Combine(fixture.NewDir(), "half.avi");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var result = CliRunner.Run("predict", "--model", fixture.Onnx, "--input", path, "--every", "30", "--out", Path.Combine(fixture.NewDir(), "x.csv"));
        Assert.True(result.ExitCode == 0, result.ToString());
        var match = System.Text.RegularExpressions.Regex.Match(result.Error, @"warning: video '(.+)' ended early: ffmpeg read (\d+) of the 270 frames the file declares");
        Assert.True(match.Success, result.ToString());
        Assert.Equal(path, match.Groups[1].Value);
        Assert.Contains($"video ended early: {match.Groups[2].Value} of 270 declared frames read", result.Output);

        var full = CliRunner.Run("predict", "--model", fixture.Onnx, "--input", Emotion.Testing.TestAssets.Path("Megamind.avi"), "--every", "30", "--out", Path.Combine(fixture.NewDir(), "y.csv"));
        Assert.True(full.ExitCode == 0, full.ToString());
        Assert.Equal("", full.Error);
        Assert.DoesNotContain("ended early", full.Output);
    }

    [Fact]
    public void CorruptVideoFailsWithExit1NamingTheFile()
    {
        var path = Path.Combine(fixture.NewDir(), "broken.mp4");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, [.. Enumerable.Range(0, 2048).Select(i => (byte)(i * 7))]);
        var result = CliRunner.Run("predict", "--model", fixture.Onnx, "--input", path, "--out", Path.Combine(fixture.NewDir(), "x.csv"));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("broken.mp4", result.Error);
    }

    [Fact]
    public void UnsupportedFormatIsAUsageErrorNamingTheSupportedOnes()
    {
        var path = Path.Combine(fixture.NewDir(), "clip.gif");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, [0x47, 0x49, 0x46]);
        var result = CliRunner.Run("predict", "--model", fixture.Onnx, "--input", path, "--out", Path.Combine(fixture.NewDir(), "x.csv"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("clip.gif", result.Error);
        Assert.Contains(".mp4", result.Error);
        Assert.Contains(".webm", result.Error);
    }

    [Fact]
    public void MissingVideoIsAUsageError()
    {
        var result = CliRunner.Run("predict", "--model", fixture.Onnx, "--input", Path.Combine(fixture.Model.Root, "missing.mp4"), "--out", Path.Combine(fixture.NewDir(), "x.csv"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("missing.mp4", result.Error);
    }

    [Fact]
    public void WrongModelFileOnAVideoFailsWithExit1()
    {
        var bad = Path.Combine(fixture.NewDir(), "model.onnx");
        Directory.CreateDirectory(Path.GetDirectoryName(bad)!);
        File.WriteAllText(bad, "not a model");
        var result = CliRunner.Run("predict", "--model", bad, "--input", fixture.Lossless, "--out", Path.Combine(fixture.NewDir(), "x.csv"));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("model.onnx", result.Error);
    }

    [Fact]
    public void MissingFfmpegFailsWithExit1SayingWhatToInstall()
    {
        var empty = fixture.NewDir();
        Directory.CreateDirectory(empty);
        var result = CliRunner.Run("predict", "--model", fixture.Onnx, "--input", fixture.Lossless, "--out", Path.Combine(fixture.NewDir(), "x.csv"), "--ffmpeg-dir", empty);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("apt-get install ffmpeg", result.Error);
    }

    [Theory]
    [InlineData("--every", "2", "--fps", "5")]
    [InlineData("--all-faces")]
    [InlineData("--margin", "3")]
    [InlineData("--faces", "boxes.csv", "--detector", "blazeface")]
    [InlineData("--every", "0")]
    public void ConflictingOrInvalidVideoOptionsAreUsageErrors(params string[] options)
    {
        var result = CliRunner.Run(["predict", "--model", fixture.Onnx, "--input", fixture.Lossless, "--out", Path.Combine(fixture.NewDir(), "x.csv"), .. options]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(options[0], result.Error);
    }

    [Fact]
    public void SamplingOptionsOnAFrameFolderAreUsageErrors()
    {
        var result = CliRunner.Run("predict", "--model", fixture.Onnx, "--input", fixture.PngFolder, "--out", Path.Combine(fixture.NewDir(), "x.csv"), "--every", "2");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("video", result.Error);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void DemoRealFaceStepDetectsTheFacesInThePhotosAndFollowsThemThroughTheVideo()
    {
        string outDir = fixture.NewDir();
        Directory.CreateDirectory(outDir);
        using var model = Emotion.Torch.Pretrained.PretrainedModels.CreateModel(Emotion.Torch.Pretrained.PretrainedModels.DefaultRealFace);
        string onnx = Path.Combine(outDir, "default.onnx");
        Emotion.Onnx.Export.OnnxExporter.Export(model, onnx);
        var explainer = new Emotion.Torch.Interpretability.EmotionExplainer(model);
        var (faces, video) = Workflows.RealFacesWorkflow.Run(onnx, explainer, Emotion.Testing.TestAssets.Directory, outDir, CancellationToken.None);

        // One face in each photo (astronaut: Eileen Collins; Grace Hopper; the cameraman), each predicted by the model.
        Assert.Equal(["astronaut.png", "camera.png", "grace_hopper.jpg"], faces.Select(f => f.Image).Order(StringComparer.Ordinal));
        Assert.All(faces, f => Assert.Equal(1f, f.Prediction.Probabilities.Sum(), 3));
        var astronaut = faces.Single(f => f.Image == "astronaut.png").Face.Box; // her face spans about x 175-275, y 75-185
        Assert.InRange(astronaut.X + astronaut.Width / 2, 175, 275);
        Assert.InRange(astronaut.Y + astronaut.Height / 2, 75, 185);
        foreach (string photo in new[] { "astronaut", "grace_hopper", "camera" })
            Assert.True(File.Exists(Path.Combine(outDir, photo + "_faces.png")), photo);
        // The default real-face model calls the smiling astronaut happy, and each face has a Grad-CAM overlay of its category.
        Assert.Equal(Emotion.Core.EmotionCategory.Happiness, faces.Single(f => f.Image == "astronaut.png").Prediction.Category);
        Assert.All(faces, f => Assert.True(File.Exists(f.GradCamPath), f.GradCamPath));
        Assert.All(faces, f => Assert.EndsWith($"_gradcam_{f.Prediction.Category!.Value.ToName()}.png", f.GradCamPath, StringComparison.Ordinal));

        // Megamind.avi: 270 frames in 4 shots, a face in all but the black first frame; one stream per shot at least.
        Assert.InRange(video.Frames, 260, 270);
        Assert.InRange(video.Streams, 4, 12);
        var lines = File.ReadAllLines(video.CsvPath);
        Assert.StartsWith("video,frame,time_s,face,x,y,w,h,", lines[0]);
        Assert.EndsWith(",valence,arousal,va_source", lines[0]);
        Assert.Equal(video.Rows, lines.Length - 1);
        Assert.Equal(9, Directory.GetFiles(Path.Combine(outDir, "video_frames"), "*.png").Length); // frames 30, 60, ..., 270
        output.WriteLine($"{video.Rows} rows, {video.Frames} frames, {video.Streams} streams");
    }
}
