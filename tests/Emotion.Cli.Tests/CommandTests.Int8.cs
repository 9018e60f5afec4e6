namespace Emotion.Cli.Tests;

/// <summary><c>emotion export --int8</c>: usage errors (the accuracy against fp32 is in <see cref="QuantizedExportTests"/>).</summary>
public sealed partial class CommandTests
{
    [Theory]
    [InlineData("--calibration", "--int8")]                                     // --int8 without calibration frames
    [InlineData("--int8", "--calibration", "DATA")]                            // calibration frames without --int8
    [InlineData("--calibration-method", "--int8", "--calibration", "DATA", "--calibration-method", "bogus")]
    [InlineData("--activations", "--int8", "--calibration", "DATA", "--activations", "int4")]
    [InlineData("--percentile", "--int8", "--calibration", "DATA", "--percentile", "50")]
    [InlineData("--calibration-frames", "--int8", "--calibration", "DATA", "--calibration-frames", "0")]
    public void ExportInt8UsageErrorsExit2AndNameTheOption(string named, params string[] options)
    {
        string[] args = ["export", "--model", fixture.Checkpoint, "--out", Path.Combine(NewDir(), "m.onnx"), .. options.Select(o => o == "DATA" ? fixture.DataRoot : o)];
        var result = CliRunner.Run(args);
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(named, result.Error);
        Assert.False(File.Exists(args[4]));
    }

    [Fact]
    public void ExportInt8RejectsMissingOrEmptyCalibrationDataAndABadFlagValue()
    {
        string empty = Directory.CreateDirectory(NewDir()).FullName;
        var emptyResult = CliRunner.Run("export", "--model", fixture.Checkpoint, "--out", Path.Combine(NewDir(), "m.onnx"), "--int8", "--calibration", empty);
        Assert.True(emptyResult.ExitCode == 2, emptyResult.ToString());
        Assert.Contains("--calibration", emptyResult.Error);
        Assert.Contains("no face images", emptyResult.Error);
        Assert.Single(emptyResult.Error.Trim().Split('\n'));

        var missing = CliRunner.Run("export", "--model", fixture.Checkpoint, "--out", Path.Combine(NewDir(), "m.onnx"), "--int8", "--calibration", Path.Combine(empty, "nope"));
        Assert.True(missing.ExitCode == 2, missing.ToString());
        Assert.Contains("--calibration", missing.Error);
        Assert.Contains("does not exist", missing.Error);

        var badFlag = CliRunner.Run("export", "--model", fixture.Checkpoint, "--out", Path.Combine(NewDir(), "m.onnx"), "--int8", "maybe", "--calibration", fixture.DataRoot);
        Assert.Equal(2, badFlag.ExitCode);
        Assert.Contains("'maybe'", badFlag.Error);
    }
}
