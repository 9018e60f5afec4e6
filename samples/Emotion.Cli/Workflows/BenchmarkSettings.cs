using Emotion.Cli.Workflows.Benchmarking;

namespace Emotion.Cli.Workflows;

/// <summary>What <see cref="BenchmarkWorkflow"/> measures.</summary>
public sealed record BenchmarkSettings
{
    /// <summary>Sequences per call in batch mode.</summary>
    public int BatchSize { get; init; } = 4;

    /// <summary>Frames per sequence in batch mode.</summary>
    public int SequenceLength { get; init; } = 8;

    /// <summary>How long each backend is timed (after a warm-up of a fifth of it).</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>CPU threads for TorchSharp and ONNX Runtime (both get the same number).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>The modes measured for every backend (batch and one-frame streaming by default).</summary>
    public IReadOnlyList<InferenceMode> Modes { get; init; } = [InferenceMode.Batch, InferenceMode.Stream];

    /// <summary>The precisions measured (float32 by default); a combination a backend or device lacks is reported, not measured.</summary>
    public IReadOnlyList<BenchmarkPrecision> Precisions { get; init; } = [BenchmarkPrecision.Fp32];

    /// <summary>The devices tried (CPU and CUDA by default; an unavailable one is reported, not measured).</summary>
    public IReadOnlyList<BenchmarkDevice> Devices { get; init; } = [BenchmarkDevice.Cpu, BenchmarkDevice.Cuda];
}
