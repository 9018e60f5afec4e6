using System.Globalization;
using Emotion.Core;
using Emotion.Torch;
using Emotion.Torch.Losses;
using Emotion.Torch.Training;

namespace Emotion.Cli.Workflows;

/// <summary>
/// Parses the training choices of <c>emotion train</c> that map onto the library's loss, categories and precision:
/// <c>--loss</c> (term weights), <c>--class-weights</c>, <c>--classes</c> and <c>--precision</c>. Every error names the option:
/// a <see cref="UsageException"/>, or a <see cref="CommandFailedException"/> when this machine cannot do what was asked.
/// </summary>
public static class TrainingChoices
{
    /// <summary>Names of the loss terms <c>--loss</c> accepts.</summary>
    public static readonly string[] LossTermNames = ["ce", "ccc", "mse"];

    /// <summary>Values <c>--precision</c> accepts.</summary>
    public static readonly string[] PrecisionNames = ["fp32", "bf16", "fp16"];

    /// <summary>
    /// The environment variable that, when set, names a <c>/proc/cpuinfo</c>-format file read instead of the real one by the
    /// <c>--precision bf16</c> check (for containers that hide the host's flags, and for tests).
    /// </summary>
    public const string CpuInfoVariable = "EMOTION_CPUINFO";

    /// <summary>
    /// The precision of <c>--precision</c> on <paramref name="device"/>, checked by <see cref="CheckPrecision"/>.
    /// </summary>
    /// <exception cref="UsageException">An unknown name, or fp16 without <c>--device cuda</c>.</exception>
    /// <exception cref="CommandFailedException">bf16 on a CPU without bfloat16 instructions.</exception>
    public static TrainingPrecision Precision(string? name, TorchSharp.DeviceType device, TextWriter warnings)
    {
        var precision = (name ?? "fp32").Trim().ToLowerInvariant() switch
        {
            "fp32" => TrainingPrecision.Float32,
            "bf16" => TrainingPrecision.BFloat16,
            "fp16" => TrainingPrecision.Float16,
            _ => throw new UsageException($"--precision: unknown precision '{name}'; expected {string.Join(", ", PrecisionNames)}."),
        };
        return CheckPrecision(precision, device, warnings);
    }

    /// <summary>
    /// Checks that <paramref name="precision"/> makes sense on <paramref name="device"/>: fp16 needs CUDA (a usage error on the
    /// CPU); bf16 on the CPU needs bfloat16 instructions (<c>avx512_bf16</c> or <c>amx_bf16</c>, or <c>bf16</c> on ARM, among the
    /// flags of <c>/proc/cpuinfo</c>): without them it is refused, since bfloat16 would run emulated and slower than float32; where
    /// the flags cannot be read (not Linux) a warning is written to <paramref name="warnings"/> and training goes on, as it does
    /// when <c>ONEDNN_MAX_CPU_ISA</c> keeps oneDNN below its bfloat16 kernels (the model's own kernels are checked once the trainer
    /// exists: <see cref="WarnAboutKernels"/>).
    /// </summary>
    /// <returns><paramref name="precision"/>.</returns>
    /// <exception cref="UsageException">fp16 without CUDA.</exception>
    /// <exception cref="CommandFailedException">bf16 on a CPU without bfloat16 instructions.</exception>
    public static TrainingPrecision CheckPrecision(TrainingPrecision precision, TorchSharp.DeviceType device, TextWriter warnings)
    {
        ArgumentNullException.ThrowIfNull(warnings);
        bool cpu = device == TorchSharp.DeviceType.CPU;
        if (precision == TrainingPrecision.Float16 && cpu)
            throw new UsageException("--precision fp16 needs --device cuda (float16 training is for NVIDIA GPUs; CPUs without AVX-512 FP16 only emulate it); " +
                                     "on the CPU use --precision bf16 (CPUs with AVX-512 BF16 or AMX) or fp32.");
        if (precision == TrainingPrecision.BFloat16 && cpu)
        {
            string source = Environment.GetEnvironmentVariable(CpuInfoVariable) is { Length: > 0 } overridden ? overridden : CpuFeatures.CpuInfoPath;
            var flags = CpuFeatures.TryRead(source);
            if (flags is null)
                warnings.WriteLine($"warning: --precision bf16: cannot read this CPU's flags ({source}), so cannot tell whether it has bfloat16 instructions; " +
                                   "without them bf16 runs emulated and slower than fp32.");
            else if (!CpuFeatures.HasNativeBFloat16(flags))
                throw new CommandFailedException($"--precision bf16: this CPU has no bfloat16 instructions (neither avx512_bf16 nor amx_bf16 among the flags in {source}), " +
                                                 "so bfloat16 would run emulated and slower than float32; use --precision fp32.");
            foreach (var variable in new[] { "ONEDNN_MAX_CPU_ISA", "DNNL_MAX_CPU_ISA" })
            {
                if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } isa && IsasWithoutBFloat16.Contains(isa.Trim(), StringComparer.OrdinalIgnoreCase))
                    warnings.WriteLine($"warning: --precision bf16: {variable}={isa} keeps oneDNN from its bfloat16 kernels (they need AVX512_CORE_BF16 or later), " +
                                       "so bf16 convolutions run on slow reference code; unset it or use --precision fp32.");
            }
        }
        return precision;
    }

    /// <summary>
    /// Warns when a bf16 <paramref name="trainer"/> on the CPU cannot use oneDNN's bfloat16 kernels for its whole step: oneDNN
    /// switched off in the process (a convolution check found its forward kernels wrong), or this model's backward passes kept
    /// off oneDNN (<see cref="Trainer.ConvolutionCheck"/> found a gradient wrong or could not check a layer). bfloat16 then runs
    /// on ATen's kernels, several times slower than float32. Nothing is written otherwise.
    /// </summary>
    public static void WarnAboutKernels(Trainer trainer, TextWriter warnings)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(warnings);
        if (trainer.Options.Precision != TrainingPrecision.BFloat16 || trainer.Model.Device.type != TorchSharp.DeviceType.CPU) return;
        if (TorchNativeSettings.OneDnnEnabled == false)
            warnings.WriteLine("warning: --precision bf16: oneDNN is switched off in this process (a convolution check found its kernels wrong on this CPU), " +
                               "so bf16 convolutions run on ATen's kernels, several times slower than fp32; use --precision fp32 (docs/training.md, mixed precision).");
        else if (trainer.ConvolutionCheck is { } check && !trainer.BackwardOnOneDnn)
            warnings.WriteLine($"warning: --precision bf16: this model's backward passes run on ATen's kernels, several times slower than fp32 (convolution check: {check}); " +
                               "use --precision fp32 (docs/training.md, mixed precision).");
    }

    // oneDNN CPU ISA limits below AVX512_CORE_BF16 (oneDNN's cpu_isa names), under which its bfloat16 convolutions fall back to reference code.
    private static readonly string[] IsasWithoutBFloat16 = ["SSE41", "AVX", "AVX2", "AVX2_VNNI", "AVX2_VNNI_2", "AVX512_CORE", "AVX512_CORE_VNNI"];

    /// <summary>The <c>--precision</c> name of a precision.</summary>
    public static string PrecisionName(TrainingPrecision precision) => precision switch
    {
        TrainingPrecision.BFloat16 => "bf16",
        TrainingPrecision.Float16 => "fp16",
        _ => "fp32",
    };

    /// <summary>The categories for <c>--classes</c> 7 (basic) or 8 (with Aff-Wild2's Other).</summary>
    /// <exception cref="UsageException">Not 7 or 8.</exception>
    public static System.Collections.Immutable.ImmutableArray<EmotionCategory> Categories(int classes) => classes switch
    {
        EmotionCategories.BasicCount => EmotionCategories.Basic,
        EmotionCategories.BasicCount + 1 => EmotionCategories.WithOther,
        _ => throw new UsageException($"--classes must be 7 (the basic expressions) or 8 (with Aff-Wild2's Other); got {classes}."),
    };

    /// <summary>
    /// The loss for <paramref name="task"/> from <c>--loss</c> (null: the task's default terms, weight 1 each) and
    /// <c>--class-weights</c> (null or <c>none</c>: equal weights; <c>balanced</c>: from the training labels; a comma-separated
    /// list: one weight per category), checked against the task and the number of categories.
    /// </summary>
    /// <exception cref="UsageException">A value does not parse or does not fit the task; the message names the option.</exception>
    public static LossSpec Loss(string? loss, string? classWeights, EmotionTask task, int classCount)
    {
        var weights = new List<(LossKind Kind, double Weight)>();
        if (loss is null)
        {
            foreach (var term in LossSpec.DefaultFor(task).Terms) weights.Add((term.Kind, term.Weight));
        }
        else
        {
            var parts = loss.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0) throw new UsageException("--loss: expected terms such as ce=1,ccc=1.");
            foreach (var part in parts)
            {
                var pair = part.Split('=', 2, StringSplitOptions.TrimEntries);
                string name = pair[0].ToLowerInvariant();
                LossKind kind = name switch
                {
                    "ce" => LossKind.CrossEntropy,
                    "ccc" => LossKind.Ccc,
                    "mse" => LossKind.Mse,
                    _ => throw new UsageException($"--loss: unknown term '{pair[0]}'; expected {string.Join(", ", LossTermNames)} (as ce=1,ccc=0.5)."),
                };
                double weight = 1.0;
                if (pair.Length == 2 && !(double.TryParse(pair[1], NumberStyles.Float, CultureInfo.InvariantCulture, out weight) && double.IsFinite(weight) && weight >= 0))
                    throw new UsageException($"--loss: the weight of '{name}' is '{pair[1]}'; expected a non-negative number (as {name}=0.5).");
                if (weights.Any(w => w.Kind == kind)) throw new UsageException($"--loss: the term '{name}' is given twice.");
                weights.Add((kind, weight));
            }
        }

        var weighting = ClassWeighting.None;
        float[]? explicitWeights = null;
        switch (classWeights?.Trim().ToLowerInvariant())
        {
            case null or "none":
                break;
            case "balanced":
                weighting = ClassWeighting.Balanced;
                break;
            default:
                var items = classWeights.Split(',', StringSplitOptions.TrimEntries);
                explicitWeights = new float[items.Length];
                for (int i = 0; i < items.Length; i++)
                {
                    if (!float.TryParse(items[i], NumberStyles.Float, CultureInfo.InvariantCulture, out explicitWeights[i]) || !float.IsFinite(explicitWeights[i]) || explicitWeights[i] < 0)
                        throw new UsageException($"--class-weights: expected 'balanced', 'none' or {classCount} comma-separated non-negative numbers (one per category); '{items[i]}' is not one.");
                }
                if (explicitWeights.Length != classCount)
                    throw new UsageException($"--class-weights: {explicitWeights.Length} weights given but the model has {classCount} categories ({string.Join(", ", Categories(classCount).Select(c => c.ToName()))}); give one per category, in that order.");
                weighting = ClassWeighting.Explicit;
                break;
        }
        if (weighting != ClassWeighting.None && !weights.Any(w => w.Kind == LossKind.CrossEntropy))
            throw new UsageException($"--class-weights weights the cross-entropy term, which this loss does not have (task '{task.ToName()}'{(loss is null ? "" : ", --loss " + loss)}).");

        var builder = new LossBuilder();
        foreach (var (kind, weight) in weights)
        {
            _ = kind switch
            {
                LossKind.CrossEntropy when explicitWeights is not null => builder.CrossEntropy(weight, classWeights: explicitWeights),
                LossKind.CrossEntropy => builder.CrossEntropy(weight, 0.0, weighting),
                LossKind.Ccc => builder.Ccc(weight),
                _ => builder.Mse(weight),
            };
        }
        try
        {
            return builder.Build().Validate(task, task.HasCategories() ? classCount : null);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"--loss: {e.Message}");
        }
    }
}
