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

    /// <summary>
    /// oneDNN in libtorch's CPU convolutions (<see cref="BenchmarkScope.OneDnnModes"/>): <c>forward</c>, the library's default
    /// (where the convolution self-check finds oneDNN's backward kernels wrong and its forward kernels right, oneDNN runs forward
    /// passes and backward passes run on ATen's kernels), or <c>off</c> (oneDNN off everywhere,
    /// <see cref="Emotion.Torch.TorchNativeSettings.OneDnnForForward"/> = false). Applied by the training and inference benchmarks.
    /// </summary>
    [ParamsSource(typeof(BenchmarkScope), nameof(BenchmarkScope.OneDnnModes))]
    public string OneDnn { get; set; } = "forward";

    /// <summary>Applies <see cref="OneDnn"/> (process-wide; every case sets it in its setup).</summary>
    protected void ApplyOneDnnMode() => Emotion.Torch.TorchNativeSettings.OneDnnForForward = OneDnn != "off";

    /// <summary>Runs <paramref name="runner"/> <paramref name="calls"/> times; the summed result keeps the calls from being optimised away.</summary>
    protected static float Repeat(IInferenceRunner runner, int calls)
    {
        float sum = 0;
        for (int i = 0; i < calls; i++) sum += runner.Run();
        return sum;
    }
}
