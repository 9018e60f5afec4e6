using Emotion.Cli.Workflows;
using Emotion.Torch.Training;

namespace Emotion.Cli.Tests;

/// <summary>
/// <c>emotion train --precision bf16</c>: accepted where the CPU's flags list bfloat16 instructions, refused (exit 1, naming the
/// option) where they do not. The flags come from a cpuinfo file named by <see cref="TrainingChoices.CpuInfoVariable"/>, so both
/// outcomes are tested on any machine; the tests of this class run one after the other, and no other test sets the variable.
/// </summary>
public sealed class TrainPrecisionTests(TrainedModelFixture fixture) : IClassFixture<TrainedModelFixture>
{
    private const string WithBf16 = "processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512bw avx512vl avx512_bf16 avx512_vnni\n";
    private const string WithoutBf16 = "processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512bw avx512vl\n";

    private CliResult TrainWithCpuInfo(string cpuInfo, string outDir, params string[] extra)
    {
        string file = Path.Combine(fixture.Root, Guid.NewGuid().ToString("N") + ".cpuinfo");
        Directory.CreateDirectory(fixture.Root);
        File.WriteAllText(file, cpuInfo);
        var previous = Environment.GetEnvironmentVariable(TrainingChoices.CpuInfoVariable);
        Environment.SetEnvironmentVariable(TrainingChoices.CpuInfoVariable, file);
        try
        {
            return CliRunner.Run(["train", "--data", fixture.DataRoot, "--backbone", "small_cnn", "--hidden", "16", "--epochs", "1",
                "--frames", "4", "--size", "32", "--batch-size", "4", "--out", outDir, .. extra]);
        }
        finally
        {
            Environment.SetEnvironmentVariable(TrainingChoices.CpuInfoVariable, previous);
        }
    }

    [Fact]
    [Trait("Category", "Slow")] // bfloat16 convolutions are slow where oneDNN is off (convolution self-check) or limited below AVX512_CORE_BF16
    public void Bf16OnACpuWithBfloat16InstructionsTrainsAndRecordsThePrecision()
    {
        string run = Path.Combine(fixture.Root, Guid.NewGuid().ToString("N"));
        var result = TrainWithCpuInfo(WithBf16, run, "--precision", "bf16");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("precision: bf16", result.Output);
        var state = TrainingCheckpoint.ReadState(Path.Combine(run, "last"));
        Assert.Equal(TrainingPrecision.BFloat16, state.Options.Precision);
        Assert.True(state.History!.Epochs[0].TrainLoss is > 0 and < 100);
        // Warnings name what keeps bf16 from oneDNN's bfloat16 kernels here, and only that: an ISA limit below them, oneDNN
        // switched off in the process, or this model's bfloat16 convolution check keeping its backward passes off oneDNN (the
        // check, rerun here on the same model, answers from the process's cache of checked shapes).
        bool isaBelowBf16 = Environment.GetEnvironmentVariable("ONEDNN_MAX_CPU_ISA") is { } isa && isa.StartsWith("SSE", StringComparison.OrdinalIgnoreCase);
        bool oneDnnOff = Emotion.Torch.TorchNativeSettings.OneDnnEnabled == false;
        using var same = Emotion.Torch.Models.EmotionModel.Create().WithInput(frames: 4, size: 32)
            .WithBackbone(Emotion.Torch.Backbones.BackboneSpec.SmallCnn()).WithRecurrentHead(Emotion.Torch.Heads.HeadSpec.Gru(hidden: 16)).Build();
        var check = Emotion.Torch.TorchNativeSettings.CheckConvolutions(same.Backbone, [1, 3, 32, 32], TorchSharp.torch.ScalarType.BFloat16);
        bool backwardOff = !oneDnnOff && check is { BackwardOnOneDnn: false };
        Assert.Equal(isaBelowBf16, result.Error.Contains("warning: --precision bf16: ONEDNN_MAX_CPU_ISA=", StringComparison.Ordinal));
        Assert.Equal(oneDnnOff, result.Error.Contains("warning: --precision bf16: oneDNN is switched off", StringComparison.Ordinal));
        Assert.Equal(backwardOff, result.Error.Contains("warning: --precision bf16: this model's backward passes run on ATen's kernels", StringComparison.Ordinal));
        if (!isaBelowBf16 && !oneDnnOff && !backwardOff && Environment.GetEnvironmentVariable("DNNL_MAX_CPU_ISA") is null) Assert.DoesNotContain("warning", result.Error);
    }

    [Fact]
    public void Bf16OnACpuWithoutBfloat16InstructionsIsRefusedNamingTheOption()
    {
        string run = Path.Combine(fixture.Root, Guid.NewGuid().ToString("N"));
        var result = TrainWithCpuInfo(WithoutBf16, run, "--precision", "BF16");
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("--precision bf16", result.Error);
        Assert.Contains("avx512_bf16", result.Error);
        Assert.DoesNotContain("   at ", result.Error); // one line, no stack trace
        Assert.False(Directory.Exists(Path.Combine(run, "last")));
    }

    [Fact]
    public void Fp32IgnoresTheCpuFlags()
    {
        string run = Path.Combine(fixture.Root, Guid.NewGuid().ToString("N"));
        var result = TrainWithCpuInfo(WithoutBf16, run, "--precision", "fp32");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain("precision:", result.Output);
        Assert.Equal(TrainingPrecision.Float32, TrainingCheckpoint.ReadState(Path.Combine(run, "last")).Options.Precision);
    }
}
