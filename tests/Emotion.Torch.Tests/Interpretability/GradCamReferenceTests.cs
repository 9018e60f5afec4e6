using System.Runtime.CompilerServices;
using System.Text.Json;
using Emotion.Torch.Interpretability;
using TorchSharp;

namespace Emotion.Torch.Tests.Interpretability;

/// <summary>Grad-CAM, Grad-CAM++ and saliency on a fixed small network against torch 1.13 (Fixtures/Interpretability/make_gradcam_fixtures.py).</summary>
public class GradCamReferenceTests
{
    private static string FixturePath([CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "..", "Fixtures", "Interpretability", "gradcam_reference.json");

    /// <summary>The fixture's cases that explain a layer's activations (Grad-CAM, Grad-CAM++): they need no convolution backward.</summary>
    public static TheoryData<int> LayerCases() => CasesWhere(source => source != ExplanationSource.Input);

    /// <summary>The fixture's saliency cases (gradients with respect to the input).</summary>
    public static TheoryData<int> SaliencyCases() => CasesWhere(source => source == ExplanationSource.Input);

    private static TheoryData<int> CasesWhere(Func<ExplanationSource, bool> keep)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(FixturePath()));
        var data = new TheoryData<int>();
        int index = 0;
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            if (keep(ExplanationMethods.Parse(c.GetProperty("method").GetString()!).Source)) data.Add(index);
            index++;
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(LayerCases))]
    public void MapsAndScoresMatchTheReference(int index) => AssertMatchesReference(index);

    [Theory]
    [MemberData(nameof(SaliencyCases))]
    public void SaliencyMatchesTheReference(int index) => AssertMatchesReference(index);

    private static void AssertMatchesReference(int index)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(FixturePath()));
        var c = doc.RootElement.GetProperty("cases")[index];
        string method = c.GetProperty("method").GetString()!;
        string target = c.GetProperty("target").GetString()!;
        var options = new ExplanationOptions
        {
            Method = ExplanationMethods.Parse(method),
            Layer = c.GetProperty("layer").ValueKind == JsonValueKind.Null ? null : c.GetProperty("layer").GetString(),
            SequenceMode = c.GetProperty("mode").GetString() switch { "all" => SequenceTargetMode.AllFrames, "last" => SequenceTargetMode.LastFrame, _ => SequenceTargetMode.SameFrame },
            Normalize = c.GetProperty("normalize").GetBoolean(),
        };
        IExplanationTarget explanationTarget = int.TryParse(target, out int cls) ? new CategoryTarget(cls) : ExplanationTargets.Parse(target);
        var expectedMaps = c.GetProperty("maps").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        var expectedScores = c.GetProperty("scores").EnumerateArray().Select(e => e.GetSingle()).ToArray();

        using var model = TinyCamModel.Create();
        using var input = TinyCamModel.Input();
        // Saliency differentiates through both 3x3 convolutions (convolution backward-data). libtorch 2.10's oneDNN kernels get
        // that wrong for conv1 (4 output channels) on AVX2/AVX-512 CPUs; building the model ran TorchNativeSettings' self-check,
        // which switches oneDNN off there, so this compares what a user gets by default (docs/troubleshooting.md).
        var result = new EmotionExplainer(model, options).Explain(input, explanationTarget);

        Assert.Equal((TinyCamModel.Batch, TinyCamModel.Frames, TinyCamModel.Size, TinyCamModel.Size), (result.BatchSize, result.FrameCount, result.Height, result.Width));
        for (int i = 0; i < expectedScores.Length; i++)
            Assert.True(Math.Abs(expectedScores[i] - result.Score(i / TinyCamModel.Frames, i % TinyCamModel.Frames)) < 1e-5, $"score {i}");
        double scale = Math.Max(1e-6, expectedMaps.Max(Math.Abs));
        Assert.True(expectedMaps.Max() > 0, "the reference map should not be all zero");
        var maps = result.Maps;
        for (int i = 0; i < expectedMaps.Length; i++)
            Assert.True(Math.Abs(expectedMaps[i] - maps[i]) <= 1e-4 * scale + 1e-6,
                $"{method} {options.Layer} {target} {options.SequenceMode}: map value {i} is {maps[i]}, torch {expectedMaps[i]}");
    }
}
