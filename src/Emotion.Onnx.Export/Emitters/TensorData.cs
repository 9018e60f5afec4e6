using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Onnx.Export.Emitters;

/// <summary>Copies TorchSharp tensors into managed arrays for initializers.</summary>
internal static class TensorData
{
    /// <summary>The tensor's values as float32, row-major, copied to the CPU.</summary>
    public static float[] ToFloats(Tensor tensor)
    {
        using var scope = NewDisposeScope();
        using var cpu = tensor.detach().cpu().to_type(ScalarType.Float32).contiguous();
        return cpu.data<float>().ToArray();
    }

    /// <summary>The tensor's values as float64 (for folding arithmetic).</summary>
    public static double[] ToDoubles(Tensor tensor)
    {
        using var scope = NewDisposeScope();
        using var cpu = tensor.detach().cpu().to_type(ScalarType.Float64).contiguous();
        return cpu.data<double>().ToArray();
    }

    /// <summary>Checks that a tensor holds only finite values (NaN or infinite weights would silently poison the graph).</summary>
    /// <exception cref="InvalidOperationException">A value is NaN or infinite.</exception>
    public static float[] ToFiniteFloats(Tensor tensor, string name)
    {
        var values = ToFloats(tensor);
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i]))
                throw new InvalidOperationException($"Parameter '{name}' holds a non-finite value ({values[i]}) at index {i}; the model cannot be exported.");
        return values;
    }
}
