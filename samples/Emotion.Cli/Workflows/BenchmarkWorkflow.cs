using Emotion.Cli.Workflows.Benchmarking;
using Emotion.Onnx;
using Emotion.Torch.Models;

namespace Emotion.Cli.Workflows;

/// <summary>
/// Times the inference of one model on every backend available in this process: the library's TorchSharp model (when there
/// is one; an .onnx file alone has none) and its ONNX export on ONNX Runtime, each on the CPU and on CUDA when available,
/// in batch mode and one frame at a time with the recurrent state carried.
/// </summary>
public static class BenchmarkWorkflow
{
    /// <summary>Runs the measurements one after the other.</summary>
    /// <param name="model">The TorchSharp model, or null when only the ONNX file is known.</param>
    /// <param name="onnxPath">The model exported to ONNX (with state inputs, so that streaming carries the state).</param>
    /// <param name="settings">What to measure.</param>
    /// <param name="progress">Told the name of each measurement as it starts.</param>
    /// <param name="cancellationToken">Stops between calls.</param>
    public static BenchmarkReport Run(EmotionModel? model, string onnxPath, BenchmarkSettings settings, Action<string>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(onnxPath);
        ArgumentNullException.ThrowIfNull(settings);
        var results = new List<ThroughputResult>();
        var unavailable = new List<string>();
        foreach (var device in settings.Devices)
        {
            string deviceName = device.ToString().ToLowerInvariant();
            foreach (var backend in new[] { BackendNames.TorchSharp, BackendNames.OnnxRuntime })
            {
                string? reason = backend == BackendNames.TorchSharp && model is null
                    ? "an .onnx file has no TorchSharp model; pass a checkpoint or --backbone to measure TorchSharp too"
                    : BackendAvailability.UnavailableReason(backend, device);
                foreach (var mode in settings.Modes)
                {
                    if (reason is not null) break;
                    progress?.Invoke($"{backend} {deviceName} {mode.ToString().ToLowerInvariant()}");
                    try
                    {
                        using var runner = Create(backend, model, onnxPath, device, mode, settings);
                        results.Add(ThroughputMeter.Measure(runner, settings.Duration, cancellationToken));
                    }
                    catch (ExecutionProviderUnavailableException e)
                    {
                        reason = e.Message;
                    }
                }
                if (reason is not null) unavailable.Add($"{backend} {deviceName}: {reason}");
            }
        }
        return new BenchmarkReport(results, unavailable);
    }

    private static IInferenceRunner Create(string backend, EmotionModel? model, string onnxPath, BenchmarkDevice device, InferenceMode mode, BenchmarkSettings settings) =>
        backend == BackendNames.TorchSharp
            ? new TorchSharpRunner(model!, device, mode, settings.BatchSize, settings.SequenceLength)
            : new OnnxRuntimeRunner(onnxPath, device, mode, settings.BatchSize, settings.SequenceLength, settings.Threads);
}
