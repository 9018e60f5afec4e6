using BenchmarkDotNet.Attributes;
using Emotion.Cli.Workflows.Benchmarking;
using Emotion.Torch.Backbones;

namespace Emotion.Benchmarks;

/// <summary>
/// The parameters every model benchmark sweeps (device x backbone x head), declared once; BenchmarkDotNet reads
/// parameters from base classes too.
/// </summary>
public abstract class ModelBenchmark
{
    /// <summary>CPU or CUDA.</summary>
    [ParamsSource(typeof(BenchmarkScope), nameof(BenchmarkScope.Devices))]
    public BenchmarkDevice Device { get; set; }

    /// <summary>TorchVision backbone or the small CNN.</summary>
    [ParamsSource(typeof(BenchmarkScope), nameof(BenchmarkScope.Backbones))]
    public string Backbone { get; set; } = BackboneNames.ResNet18;

    /// <summary>Recurrent head.</summary>
    [ParamsSource(typeof(BenchmarkScope), nameof(BenchmarkScope.Heads))]
    public string Head { get; set; } = "gru";

    /// <summary>Runs <paramref name="runner"/> <paramref name="calls"/> times; the summed result keeps the calls from being optimised away.</summary>
    protected static float Repeat(IInferenceRunner runner, int calls)
    {
        float sum = 0;
        for (int i = 0; i < calls; i++) sum += runner.Run();
        return sum;
    }
}
