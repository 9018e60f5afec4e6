using System.Diagnostics;
using System.Text.Json;
using Emotion.Core;
using Emotion.Synthetic;
using Emotion.Torch.Models;
using Emotion.Torch.Training;
using TorchSharp;
using Emotion.Testing;

namespace Emotion.Cli.Tests;

/// <summary><c>emotion train --resume</c>: continues a run exactly, says when a run is finished, refuses conflicting options.</summary>
public sealed class TrainResumeTests(TrainedModelFixture fixture) : IClassFixture<TrainedModelFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);

    [Fact]
    [Trait("Category", "Slow")]
    public void ARunKilledAfterItsSecondEpochAndResumedFromLastEqualsTheUninterruptedRun()
    {
        using var temp = new TempFolder("emotion-cli-resume-");
        string root = temp.Path;
        string data = Path.Combine(root, "data");
        SyntheticDatasetGenerator.Generate(data, new SyntheticDatasetOptions { Videos = 5, FramesPerVideo = 24, FrameSize = 48, Seed = 7 });
        string full = Path.Combine(root, "full"), cut = Path.Combine(root, "cut");
        string[] Args(string output) => ["train", "--data", data, "--backbone", "small_cnn", "--head", "gru", "--hidden", "16", "--task", "combined",
            "--epochs", "4", "--frames", "4", "--size", "32", "--batch-size", "4", "--seed", "3", "--out", output];

        var uninterrupted = RunCli(Args(full));
        Assert.True(uninterrupted.ExitCode == 0, uninterrupted.ToString());

        // Killed (SIGKILL) as soon as history.csv holds two epochs (a header and two rows).
        using (var process = Start(Args(cut)))
        {
            WaitForEpochs(process, cut, 2);
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        var killedAt = TrainingCheckpoint.ReadState(Path.Combine(cut, TrainingCheckpoint.LastName)).Epoch;
        Assert.InRange(killedAt, 1, 3); // interrupted before the end

        var resumed = RunCli([.. Args(cut), "--resume", Path.Combine(cut, TrainingCheckpoint.LastName)]);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains($"after epoch {killedAt}", resumed.Output);

        Assert.Equal(HistoryValues(full), HistoryValues(cut));
        foreach (var name in new[] { TrainingCheckpoint.LastName, TrainingCheckpoint.BestName })
        {
            using var a = TrainingCheckpoint.LoadModel(Path.Combine(full, name));
            using var b = TrainingCheckpoint.LoadModel(Path.Combine(cut, name));
            Assert.Equal(0.0, MaxDifference(a, b));
        }
        Assert.Equal(File.ReadAllText(Path.Combine(full, "metrics.json")), File.ReadAllText(Path.Combine(cut, "metrics.json")));
    }

    [Theory]
    [Trait("Category", "Slow")]
    [InlineData(15)] // SIGTERM (kill)
    [InlineData(2)] // SIGINT (Ctrl+C)
    public async Task ASignalDuringTrainingCancelsItCleanlyAndLeavesTheLastCheckpoint(int signal)
    {
        Assert.True(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "POSIX signals");
        using var temp = new TempFolder("emotion-cli-signal-");
        string data = Path.Combine(temp.Path, "data"), run = Path.Combine(temp.Path, "run");
        SyntheticDatasetGenerator.Generate(data, new SyntheticDatasetOptions { Videos = 5, FramesPerVideo = 24, FrameSize = 48, Seed = 7 });
        using var process = Process.Start(StartInfo(["train", "--data", data, "--backbone", "small_cnn", "--hidden", "16", "--epochs", "200",
            "--frames", "4", "--size", "32", "--batch-size", "4", "--seed", "3", "--out", run]))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        WaitForEpochs(process, run, 1);
        Assert.Equal(0, Kill(process.Id, signal));
        bool exited = process.WaitForExit(TimeSpan.FromSeconds(60));
        if (!exited) process.Kill(entireProcessTree: true);
        Assert.True(exited, "the run did not stop within 60 s of the signal");
        string error = await stderr, output = await stdout;
        Assert.True(process.ExitCode == 1, $"exit {process.ExitCode}\n{output}\n{error}");
        Assert.Contains("cancelled", error);
        Assert.DoesNotContain("Unhandled exception", error);
        Assert.DoesNotContain("   at ", error);
        var state = TrainingCheckpoint.ReadState(Path.Combine(run, TrainingCheckpoint.LastName));
        Assert.InRange(state.Epoch, 1, 199);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    [Fact]
    public void ResumingAFinishedRunSaysSoAndTrainsNothing()
    {
        Assert.True(fixture.TrainResult.ExitCode == 0, fixture.TrainResult.ToString());
        string history = File.ReadAllText(Path.Combine(fixture.RunDir, TrainingHistory.JsonFileName));
        var result = CliRunner.Run("train", "--resume", Path.Combine(fixture.RunDir, TrainingCheckpoint.LastName));
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("is finished", result.Output);
        Assert.Contains("1 of 1 epochs", result.Output);
        Assert.Equal(history, File.ReadAllText(Path.Combine(fixture.RunDir, TrainingHistory.JsonFileName)));
    }

    [Theory]
    [InlineData("--backbone", "resnet18")]
    [InlineData("--hidden", "32")]
    [InlineData("--batch-size", "2")]
    [InlineData("--seed", "5")]
    public void AConflictingOptionOnResumeIsAUsageErrorNamingIt(string option, string value)
    {
        var result = CliRunner.Run("train", "--resume", fixture.RunDir, option, value, "--epochs", "3");
        Assert.True(result.ExitCode == EmotionCli.UsageError, result.ToString());
        Assert.Contains(option, result.Error);
    }

    [Fact]
    public void ResumeAcceptsTheSameValuesAndRefusesFewerEpochsThanDone()
    {
        // The run's own values are no conflict (it is finished, so nothing trains).
        var same = CliRunner.Run("train", "--resume", fixture.RunDir, "--data", fixture.DataRoot, "--backbone", "small_cnn", "--hidden", "16", "--size", "32");
        Assert.True(same.ExitCode == 0, same.ToString());
        Assert.Contains("is finished", same.Output);
        var missing = CliRunner.Run("train", "--resume", Path.Combine(fixture.Root, "nowhere"));
        Assert.True(missing.ExitCode == EmotionCli.UsageError, missing.ToString());
        Assert.Contains("--resume", missing.Error);
    }

    /// <summary>Waits until the run's history.csv holds <paramref name="epochs"/> epochs (a header and that many rows), while
    /// the process runs and within <see cref="Timeout"/>.</summary>
    private static void WaitForEpochs(Process process, string run, int epochs)
    {
        var clock = Stopwatch.StartNew();
        string csv = Path.Combine(run, TrainingHistory.CsvFileName);
        while (!(File.Exists(csv) && ReadLines(csv) >= 1 + epochs))
        {
            Assert.False(process.HasExited, $"the run ended before epoch {epochs} was written (exit {(process.HasExited ? process.ExitCode : 0)})");
            Assert.True(clock.Elapsed < Timeout, $"timed out waiting for epoch {epochs}");
            Thread.Sleep(10);
        }
    }

    private static int ReadLines(string file)
    {
        try { return File.ReadAllLines(file).Count(l => l.Length > 0); }
        catch (IOException) { return 0; }
    }

    private static string HistoryValues(string run)
    {
        var history = TrainingHistory.FromJson(File.ReadAllText(Path.Combine(run, TrainingHistory.JsonFileName)));
        Assert.Equal(4, history.Epochs.Length);
        return JsonSerializer.Serialize(history with { Epochs = [.. history.Epochs.Select(e => e with { Seconds = 0, FramesPerSecond = 0 })] }, EmotionModelInfo.JsonOptions);
    }

    private static double MaxDifference(EmotionModel a, EmotionModel b)
    {
        var sa = a.state_dict();
        var sb = b.state_dict();
        Assert.Equal(sa.Keys.Order(), sb.Keys.Order());
        double max = 0;
        foreach (var (name, ta) in sa)
        {
            using var d = (ta.to_type(torch.float64) - sb[name].to_type(torch.float64)).abs();
            if (d.numel() > 0) max = Math.Max(max, d.max().item<double>());
        }
        return max;
    }

    private static string CliDll()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var dll = Path.Combine(dir.FullName, "samples", "Emotion.Cli", "bin", "Release", "net10.0", "emotion.dll");
            if (File.Exists(dll)) return dll;
        }
        throw new FileNotFoundException("Build the CLI first: samples/Emotion.Cli/bin/Release/net10.0/emotion.dll was not found above " + AppContext.BaseDirectory);
    }

    /// <summary><c>dotnet emotion.dll ARGS</c> with both output streams redirected.</summary>
    private static ProcessStartInfo StartInfo(string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(CliDll());
        foreach (var a in args) info.ArgumentList.Add(a);
        return info;
    }

    private static Process Start(string[] args)
    {
        var process = Process.Start(StartInfo(args))!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static CliResult RunCli(string[] args)
    {
        using var process = Process.Start(StartInfo(args))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"emotion {string.Join(' ', args)} ran longer than {Timeout}.");
        }
        return new CliResult(process.ExitCode, stdout.Result, stderr.Result);
    }
}
