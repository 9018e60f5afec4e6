using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Running;
using Emotion.Cli.Workflows.Benchmarking;

namespace Emotion.Benchmarks;

/// <summary>
/// Removes the cases whose backend cannot run on their <c>Device</c> parameter here (CUDA without TorchSharp's CUDA package
/// or without ONNX Runtime's CUDA provider), so that they are skipped rather than failed; <see cref="SkippedReasons"/> says why.
/// Methods whose name starts with <c>OnnxRuntime</c> run on ONNX Runtime, the others on TorchSharp.
/// </summary>
public sealed class DeviceFilter : IFilter
{
    /// <summary>The parameter name that selects the device.</summary>
    public const string DeviceParameter = "Device";

    /// <inheritdoc />
    public bool Predicate(BenchmarkCase benchmarkCase) =>
        benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == DeviceParameter)?.Value is not BenchmarkDevice device
        || BackendAvailability.UnavailableReason(BackendOf(benchmarkCase.Descriptor.WorkloadMethod.Name), device) is null;

    /// <summary>One line per backend and device that is skipped, with the reason.</summary>
    public static IEnumerable<string> SkippedReasons()
    {
        foreach (var device in BenchmarkScope.Devices)
        foreach (var backend in new[] { BackendNames.TorchSharp, BackendNames.OnnxRuntime })
            if (BackendAvailability.UnavailableReason(backend, device) is { } reason)
                yield return $"skipped: {backend} on {device.ToString().ToLowerInvariant()}: {reason}.";
    }

    private static string BackendOf(string method) =>
        method.StartsWith("OnnxRuntime", StringComparison.Ordinal) ? BackendNames.OnnxRuntime : BackendNames.TorchSharp;
}
