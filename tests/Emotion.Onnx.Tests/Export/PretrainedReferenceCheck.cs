using System.Collections.Immutable;
using Emotion.Core;
using Emotion.Onnx.Export;
using Emotion.Testing;
using Emotion.Torch.Models;
using Microsoft.ML.OnnxRuntime;
using static TorchSharp.torch;

namespace Emotion.Onnx.Tests.Export;

/// <summary>
/// Runs an imported pretrained model on the committed real-face crops through TorchSharp and through its ONNX export, and
/// compares both with each other and ONNX Runtime's probabilities with the original TF.js outputs in reference.json.
/// </summary>
internal static class PretrainedReferenceCheck
{
    /// <param name="model">The pretrained per-frame model.</param>
    /// <param name="session">Its exported graph.</param>
    /// <param name="section">The model's section of reference.json (<c>faceExpression</c>, <c>miniXception</c>).</param>
    /// <param name="outputs">The property holding each crop's original probabilities.</param>
    /// <param name="originalIndexOf">For each library category, the index of the same category in the original outputs.</param>
    /// <param name="log">Where to print the measured differences.</param>
    public static void AssertMatches(EmotionModel model, InferenceSession session, string section, string outputs,
        ImmutableArray<int> originalIndexOf, Action<string> log)
    {
        var reference = RealFaceFixtures.Reference().GetProperty(section);
        var files = reference.GetProperty("crops").EnumerateArray().Select(c => c.GetProperty("file").GetString()!).ToArray();
        Assert.Equal(5, files.Length);
        using var scope = NewDisposeScope();
        // All crops in one call: batch 5, one frame each, RGB pixels in [0, 1].
        var frames = stack(files.Select(f => model.Normalize(RealFaceFixtures.Pixels01(f))).ToArray()).unsqueeze(1);

        EmotionOutput expected;
        using (no_grad()) expected = model.forward(frames);
        var actual = OrtHelper.Run(session, (OnnxTensorNames.Frames, FloatTensor.From(frames)));

        OrtHelper.AssertClose(FloatTensor.From(expected.Logits!), actual[OnnxTensorNames.Logits], ExportFixture.Tolerance, "logits");
        OrtHelper.AssertClose(FloatTensor.From(expected.Logits!.softmax(-1)), actual[OnnxTensorNames.Probabilities], ExportFixture.Tolerance, "probabilities");
        OrtHelper.AssertClose(FloatTensor.From(expected.Features), actual[OnnxTensorNames.Features], ExportFixture.Tolerance, "features");
        Assert.Equal([5L, 1, 7], actual[OnnxTensorNames.Probabilities].Shape);
        Assert.Equal([5L, 1, model.Backbone.FeatureWidth], actual[OnnxTensorNames.Features].Shape);
        log($"ONNX vs TorchSharp: logits {MaxDiff(expected.Logits!, actual[OnnxTensorNames.Logits]):G3}, features {MaxDiff(expected.Features, actual[OnnxTensorNames.Features]):G3}");

        // ONNX Runtime against the original (its probabilities reordered to EmotionCategories.Basic).
        var probabilities = actual[OnnxTensorNames.Probabilities].Data;
        double worst = 0;
        int i = 0;
        foreach (var crop in reference.GetProperty("crops").EnumerateArray())
        {
            var original = crop.GetProperty(outputs).EnumerateArray().Select(v => v.GetDouble()).ToArray();
            for (int c = 0; c < 7; c++)
                worst = Math.Max(worst, Math.Abs(original[originalIndexOf[c]] - probabilities[i * 7 + c]));
            i++;
        }
        log($"ONNX Runtime vs the TF.js original: probabilities {worst:G3}");
        Assert.True(worst <= ExportFixture.Tolerance, $"ONNX probabilities differ from the TF.js original by {worst:G4}.");
        expected.Dispose();
    }

    private static double MaxDiff(Tensor expected, FloatTensor actual) =>
        RealFaceFixtures.MaxAbsDiff(FloatTensor.From(expected).Data, actual.Data);
}
