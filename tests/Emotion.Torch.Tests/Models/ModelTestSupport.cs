using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Torch.Tests.Models;

/// <summary>Shared helpers of the model, backbone and head tests.</summary>
internal static class ModelTestSupport
{
    /// <summary>The test collection that runs the model tests one at a time (they share TorchSharp's global generator when seeding).</summary>
    public const string Collection = "Emotion.Torch models";

    /// <summary>Normal random values from a private generator (the global one is left alone).</summary>
    public static Tensor Randn(ulong seed, params long[] shape)
    {
        var generator = new Generator(seed, CPU);
        return randn(shape, generator: generator);
    }

    /// <summary>The folder of the committed model fixtures (found from this source file, so no copy step is needed).</summary>
    public static string FixturePath(string name, [CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "..", "Fixtures", "Models", name);

    /// <summary>Reads a flat list of numbers from a JSON array element.</summary>
    public static float[] Floats(System.Text.Json.JsonElement array)
    {
        var result = new float[array.GetArrayLength()];
        int i = 0;
        foreach (var v in array.EnumerateArray()) result[i++] = (float)v.GetDouble();
        return result;
    }

    /// <summary>Reads a shape from a JSON array element.</summary>
    public static long[] Shape(System.Text.Json.JsonElement array) => array.EnumerateArray().Select(v => v.GetInt64()).ToArray();

    /// <summary>Whether two tensors have the same shape and exactly the same values.</summary>
    public static bool Same(Tensor a, Tensor b)
    {
        if (!a.shape.SequenceEqual(b.shape)) return false;
        using var eq = a.eq(b).all();
        return eq.ToBoolean();
    }

    /// <summary>The largest absolute difference between two tensors of the same shape.</summary>
    public static double MaxAbsDiff(Tensor a, Tensor b)
    {
        Assert.Equal(a.shape, b.shape);
        using var d = (a - b).abs().max();
        return d.ToDouble();
    }
}

/// <summary>Declares the collection of the model tests (no parallelism inside it).</summary>
[CollectionDefinition(ModelTestSupport.Collection, DisableParallelization = true)]
public sealed class ModelTestCollection;
