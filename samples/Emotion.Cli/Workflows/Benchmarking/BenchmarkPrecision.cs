namespace Emotion.Cli.Workflows.Benchmarking;

/// <summary>The numeric precision a benchmarked model runs in.</summary>
public enum BenchmarkPrecision
{
    /// <summary>float32: the exported graph and the TorchSharp model as trained (the baseline).</summary>
    Fp32,

    /// <summary>int8: the export quantized by <c>Emotion.Onnx.Export.Quantization.OnnxQuantizer</c> (QDQ), on ONNX Runtime.</summary>
    Int8,

    /// <summary>float16: the export converted by <c>Emotion.Onnx.Export.Precision.Float16Converter</c> on ONNX Runtime; the TorchSharp backbone under float16 autocast on CUDA.</summary>
    Fp16,

    /// <summary>bfloat16: the TorchSharp backbone under bfloat16 autocast (CPUs with native bfloat16, CUDA).</summary>
    Bf16,
}

/// <summary>The names of <see cref="BenchmarkPrecision"/> values as written on the command line and in tables.</summary>
public static class BenchmarkPrecisions
{
    /// <summary>The accepted names, in table order.</summary>
    public static IReadOnlyList<string> Names { get; } = ["fp32", "int8", "fp16", "bf16"];

    /// <summary>The name of <paramref name="precision"/> (<c>fp32</c>, <c>int8</c>, <c>fp16</c>, <c>bf16</c>).</summary>
    public static string Name(BenchmarkPrecision precision) => Names[(int)precision];

    /// <summary>
    /// Parses a comma-separated list such as <c>fp32,int8,fp16</c> (case-insensitive, spaces allowed, duplicates dropped,
    /// order kept).
    /// </summary>
    /// <exception cref="UsageException">An empty list or an unknown name; the message names <paramref name="option"/>.</exception>
    public static IReadOnlyList<BenchmarkPrecision> Parse(string? value, string option = "--precision")
    {
        var result = new List<BenchmarkPrecision>();
        foreach (string part in (value ?? "").Split(',', StringSplitOptions.TrimEntries))
        {
            int index = Names.ToList().FindIndex(n => string.Equals(n, part, StringComparison.OrdinalIgnoreCase));
            if (index < 0)
                throw new UsageException($"{option}: unknown precision '{part}' in '{value}'; expected a comma-separated list of {string.Join(", ", Names)}.");
            if (!result.Contains((BenchmarkPrecision)index)) result.Add((BenchmarkPrecision)index);
        }
        return result;
    }
}
