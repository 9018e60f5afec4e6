using Emotion.Cli.Workflows.Benchmarking;
using Emotion.Onnx;
using Emotion.Torch;
using Emotion.Torch.Models;
using TorchSharp;

namespace Emotion.Cli.Workflows;

/// <summary>
/// Times the inference of one model on every backend available in this process: the library's TorchSharp model (when there
/// is one; an .onnx file alone has none) and its ONNX export on ONNX Runtime, each on the CPU and on CUDA when available, in
/// each precision asked for (float32; int8 = the export quantized by <c>OnnxQuantizer</c>, calibrated on generated
/// frames; float16 = the export converted by <c>Float16Converter</c> (see <see cref="PrecisionModels"/>), and the TorchSharp backbone under float16
/// autocast on CUDA; bfloat16 = the TorchSharp backbone under bfloat16 autocast), in batch mode and one frame at a time with
/// the recurrent state carried. Combinations a backend or device lacks are listed with the reason, not measured.
/// </summary>
public static class BenchmarkWorkflow
{
    /// <summary>Runs the measurements one after the other.</summary>
    /// <param name="model">The TorchSharp model, or null when only the ONNX file is known.</param>
    /// <param name="onnxPath">The model exported to ONNX in float32 (with state inputs, so that streaming carries the state).</param>
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
        var notes = new List<string>();
        string temp = Directory.CreateTempSubdirectory("emotion-benchmark-precision-").FullName;
        try
        {
            var onnxFiles = PrecisionModels.OnnxFiles(onnxPath, settings.Precisions, settings.Threads, temp, progress, unavailable);
            foreach (var device in settings.Devices)
            {
                string deviceName = device.ToString().ToLowerInvariant();
                foreach (var backend in new[] { BackendNames.TorchSharp, BackendNames.OnnxRuntime })
                {
                    string? backendReason = backend == BackendNames.TorchSharp && model is null
                        ? "an .onnx file has no TorchSharp model; pass a checkpoint or --backbone to measure TorchSharp too"
                        : BackendAvailability.UnavailableReason(backend, device);
                    if (backendReason is not null)
                    {
                        unavailable.Add($"{backend} {deviceName}: {backendReason}");
                        continue;
                    }
                    foreach (var precision in settings.Precisions)
                    {
                        string precisionName = BenchmarkPrecisions.Name(precision);
                        string? reason = PrecisionUnavailableReason(backend, device, precision);
                        if (reason is null && backend == BackendNames.OnnxRuntime && !onnxFiles.ContainsKey(precision)) continue; // reported when the file failed
                        if (reason is not null)
                        {
                            unavailable.Add($"{backend} {deviceName} {precisionName}: {reason}");
                            continue;
                        }
                        if (backend == BackendNames.OnnxRuntime && device == BenchmarkDevice.Cpu && precision == BenchmarkPrecision.Fp16)
                            notes.Add("ONNX Runtime cpu fp16: the CPU provider has no float16 Conv/Gemm/GRU kernels on x86 and runs them in float32 " +
                                      "between inserted Casts; the row shows what that costs, not a float16 speed-up (float16 is a GPU format)");
                        foreach (var mode in settings.Modes)
                        {
                            progress?.Invoke($"{backend} {deviceName} {precisionName} {mode.ToString().ToLowerInvariant()}");
                            try
                            {
                                using var runner = Create(backend, model, onnxFiles.GetValueOrDefault(precision, onnxPath), device, mode, precision, settings);
                                results.Add(ThroughputMeter.Measure(runner, settings.Duration, cancellationToken) with { Precision = precision });
                            }
                            catch (ExecutionProviderUnavailableException e)
                            {
                                unavailable.Add($"{backend} {deviceName} {precisionName}: {e.Message}");
                                break;
                            }
                        }
                    }
                }
            }
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
        return new BenchmarkReport(results, unavailable) { Notes = notes };
    }

    /// <summary>
    /// Null when <paramref name="backend"/> can run <paramref name="precision"/> on <paramref name="device"/> (given that the
    /// backend runs there at all); otherwise why not.
    /// </summary>
    public static string? PrecisionUnavailableReason(string backend, BenchmarkDevice device, BenchmarkPrecision precision)
    {
        if (precision == BenchmarkPrecision.Fp32) return null;
        if (backend == BackendNames.OnnxRuntime)
        {
            return precision switch
            {
                BenchmarkPrecision.Int8 when device == BenchmarkDevice.Cuda =>
                    "ONNX Runtime's CUDA provider has no int8 convolution kernels (a QDQ model runs there as dequantize + float32; int8 needs the TensorRT provider)",
                BenchmarkPrecision.Bf16 => "there is no bfloat16 ONNX conversion here (ONNX Runtime's CPU and CUDA providers have few bfloat16 kernels; use fp16 on GPUs)",
                _ => null,
            };
        }
        if (!TorchAutocast.IsAvailable) return "libtorch's autocast entry points were not found, so the backbone cannot run in lower precision";
        return (precision, device) switch
        {
            (BenchmarkPrecision.Int8, _) => "TorchSharp has no int8 inference path (int8 is the ONNX Runtime QDQ model)",
            (BenchmarkPrecision.Fp16, BenchmarkDevice.Cpu) =>
                "libtorch's CPU float16 convolutions are not a speed path on x86 (no AVX512-FP16/AMX-FP16 kernels used); fp16 is measured on CUDA",
            (BenchmarkPrecision.Bf16, BenchmarkDevice.Cpu) when CpuFeatures.NativeBFloat16 != true =>
                "this CPU has no native bfloat16 instructions (avx512_bf16, amx_bf16 or ARM bf16), so bfloat16 would be emulated",
            _ => null,
        };
    }

    private static IInferenceRunner Create(string backend, EmotionModel? model, string onnxPath, BenchmarkDevice device, InferenceMode mode,
        BenchmarkPrecision precision, BenchmarkSettings settings) =>
        backend == BackendNames.TorchSharp
            ? new TorchSharpRunner(model!, device, mode, settings.BatchSize, settings.SequenceLength, precision switch
            {
                BenchmarkPrecision.Bf16 => torch.ScalarType.BFloat16,
                BenchmarkPrecision.Fp16 => torch.ScalarType.Float16,
                _ => null,
            })
            : new OnnxRuntimeRunner(onnxPath, device, mode, settings.BatchSize, settings.SequenceLength, settings.Threads);
}
