using Emotion.Onnx.Export.Protos;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Emotion.Onnx.Tests.Export;

/// <summary>A dense float tensor read back from ONNX Runtime or TorchSharp.</summary>
internal sealed record FloatTensor(float[] Data, long[] Shape)
{
    public static FloatTensor From(TorchSharp.torch.Tensor t)
    {
        using var c = t.detach().cpu().contiguous();
        return new FloatTensor(c.data<float>().ToArray(), c.shape);
    }
}

/// <summary>Runs ONNX models in ONNX Runtime (CPU, one thread, so that test runs stay polite on shared machines).</summary>
internal static class OrtHelper
{
    public static InferenceSession Session(ModelProto model)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        return new InferenceSession(model.ToByteArray(), options);
    }

    public static Dictionary<string, FloatTensor> Run(InferenceSession session, params (string Name, FloatTensor Value)[] inputs)
    {
        var values = inputs
            .Select(i => NamedOnnxValue.CreateFromTensor(i.Name, new DenseTensor<float>(i.Value.Data, i.Value.Shape.Select(d => (int)d).ToArray())))
            .ToList();
        using var results = session.Run(values);
        return results.ToDictionary(
            r => r.Name,
            r =>
            {
                var t = r.AsTensor<float>();
                return new FloatTensor(t.ToArray(), t.Dimensions.ToArray().Select(d => (long)d).ToArray());
            });
    }

    public static void AssertClose(FloatTensor expected, FloatTensor actual, double tolerance, string what)
    {
        Assert.True(expected.Shape.SequenceEqual(actual.Shape),
            $"{what}: shape [{string.Join(", ", actual.Shape)}] differs from TorchSharp's [{string.Join(", ", expected.Shape)}].");
        double max = 0;
        int at = -1;
        for (int i = 0; i < expected.Data.Length; i++)
        {
            Assert.False(float.IsNaN(actual.Data[i]), $"{what}: NaN at {i}.");
            double d = Math.Abs(expected.Data[i] - actual.Data[i]);
            if (d > max) { max = d; at = i; }
        }
        Assert.True(max <= tolerance, $"{what}: max abs difference {max:G4} at {at} (expected {expected.Data[Math.Max(at, 0)]}, got {actual.Data[Math.Max(at, 0)]}) exceeds {tolerance}.");
    }
}
