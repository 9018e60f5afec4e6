using Emotion.Core;
using Emotion.Testing;
using Emotion.Torch.Backbones;
using Emotion.Torch.Import;
using Emotion.Torch.Pretrained;
using Emotion.Torch.Interpretability;
using Emotion.Torch.Models;
using Emotion.Torch.Weights;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Emotion.Torch.Tests.Import;

/// <summary>face-api.js's pretrained FaceExpressionNet imported into TorchSharp and compared with the TF.js original.</summary>
public sealed class FaceExpressionImportTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-4;
    private const string Manifest = "face_expression_model-weights_manifest.json";

    [Fact]
    public void TheRealWeightsFileDecodesEveryTensorWithItsDequantizedValues()
    {
        var file = TfjsModelFile.Load(TestAssets.Path(Manifest));

        Assert.Equal(TfjsModelFormat.WeightsManifest, file.Format);
        // dense0: conv0 (filters, bias) + 3 separable convs (3 tensors each); dense1..3: 4 separable convs; fc: 2.
        Assert.Equal(2 + 9 + 3 * 12 + 2, file.Weights.Count);
        var filters = file["dense0/conv0/filters"];
        Assert.Equal([3, 3, 3, 32], filters.Shape);
        var q = filters.Spec.Quantization!;
        Assert.Equal("uint8", q.DType);
        // The first stored level, dequantized as tfjs does: q * scale + min in double, then float32.
        byte first = File.ReadAllBytes(TestAssets.Path("face_expression_model.bin"))[0];
        Assert.Equal((float)(first * q.Scale!.Value + q.Min!.Value), filters.FloatValues.Span[0]);
        Assert.Null(file["dense0/conv0/bias"].Spec.Quantization);
        Assert.Equal([256, 7], file["fc/weights"].Shape);
    }

    [Fact]
    public void TheRealWeightsFillThePerFrameModelWithNothingMissingOrUnused()
    {
        var file = TfjsModelFile.Load(TestAssets.Path(Manifest));
        var mapping = FaceExpressionWeights.Mapping(file);
        Assert.Empty(mapping.Unused);

        using var model = EmotionModel.FromOptions(PretrainedModels.ModelOptions(PretrainedModels.FaceExpression));
        var result = FaceExpressionWeights.Mapping(file).Apply(model);

        Assert.Equal(WeightsFormat.TfJs, result.Format);
        Assert.Empty(result.Missing);
        Assert.Empty(result.Ignored);
        Assert.Equal(model.state_dict().Keys.Order(), result.Loaded.Order());
        Assert.Equal(file.Weights.Count, result.Loaded.Count);
        Assert.Contains("backbone.dense0.conv0.weight", result.Loaded);
        Assert.Contains("backbone.dense1.conv0.depthwise.weight", result.Loaded);
        Assert.Contains("backbone.dense3.conv3.pointwise.bias", result.Loaded);
        // Classifier rows follow EmotionCategories.Basic: row of Anger = face-api's column 3 ("angry").
        using var fc = file["fc/weights"].ToTensor();
        Assert.Equal(fc[.., 3].data<float>().ToArray(), model.Classifier!.weight![(int)EmotionCategory.Anger].data<float>().ToArray());
        Assert.Equal(fc[.., 1].data<float>().ToArray(), model.Classifier.weight[(int)EmotionCategory.Happiness].data<float>().ToArray());
    }

    [Fact]
    public void AFileWithAnExtraTensorIsReportedNotSilentlyLoaded()
    {
        using var temp = new TempFolder("emotion-tfjs-");
        string dir = temp.Path;
        // The real manifest plus one trailing tensor in a second group.
        string manifest = File.ReadAllText(TestAssets.Path(Manifest)).TrimEnd();
        manifest = manifest[..manifest.LastIndexOf(']')] +
            """, { "paths": ["extra.bin"], "weights": [{ "name": "fc/extra", "shape": [1], "dtype": "float32" }] }]""";
        File.WriteAllText(Path.Combine(dir, Manifest), manifest);
        File.Copy(TestAssets.Path("face_expression_model.bin"), Path.Combine(dir, "face_expression_model.bin"));
        File.WriteAllBytes(Path.Combine(dir, "extra.bin"), new byte[4]);
        var file = TfjsModelFile.Load(Path.Combine(dir, Manifest));
        using var model = EmotionModel.FromOptions(PretrainedModels.ModelOptions(PretrainedModels.FaceExpression));

        var e = Assert.Throws<WeightsMismatchException>(() => FaceExpressionWeights.Mapping(file).Apply(model));

        Assert.Equal(["fc/extra"], e.Unexpected);
        Assert.Empty(e.Missing);
        Assert.Empty(e.Mismatched);
    }

    [Fact]
    public void TheBackboneHasFaceApisStructure()
    {
        using var backbone = new FaceExpressionBackbone();
        Assert.Equal(256, backbone.FeatureWidth);
        Assert.Equal(["dense0", "dense1", "dense2", "dense3"], backbone.Stages);
        Assert.Equal("dense2", backbone.DefaultTargetLayer); // dense3's 7 x 7 map is one pooling window (see DefaultTargetLayer)
        var blocks = backbone.named_children().Select(c => c.module).OfType<FaceDenseBlock>().ToArray();
        Assert.Equal([32L, 64, 128, 256], blocks.Select(b => b.OutChannels));
        // TensorFlow SAME with stride 2 on 112, 56, 28, 14: nothing before, one pixel after.
        Assert.All(blocks, b => Assert.Equal((0L, 1L, 0L, 1L), b.Padding));
        var keys = backbone.state_dict().Keys.ToArray();
        Assert.Contains("dense0.conv0.weight", keys);
        Assert.Contains("dense1.conv0.depthwise.weight", keys);
        Assert.Contains("dense1.conv0.pointwise.weight", keys);
        Assert.Equal(2 + 9 + 36, keys.Length);
        Assert.Equal([32L, 1, 3, 3], backbone.state_dict()["dense0.conv1.depthwise.weight"].shape);
        var n = backbone.DefaultNormalization;
        Assert.Equal(122.782f / 255f, n.Mean.R);
        Assert.Equal(104.298f / 255f, n.Mean.B);
        Assert.Equal(1f, n.Std.G);
        Assert.True(BackboneRegistry.Default.Contains(BackboneNames.FaceExpression));
        using var odd = new FaceExpressionBackbone(113);
        Assert.Equal(256, odd.FeatureWidth);
        Assert.Throws<ArgumentOutOfRangeException>(() => new FaceExpressionBackbone(96));
        backbone.Freeze("dense1");
        Assert.All(backbone.GetLayer("dense1").parameters(), p => Assert.False(p.requires_grad));
    }

    [Fact]
    public void GradCamPlacesCellsThroughTheAsymmetricPads()
    {
        using var model = EmotionModel.FromOptions(PretrainedModels.ModelOptions(PretrainedModels.FaceExpression));
        // Each block: pad (0, 1) then a 3 x 3, stride-2, unpadded window, so cell j is centred on input 2 j + 1.
        // The default layer dense2 (three blocks): stride 8, offset 1 + 2 + 4 = 7.
        var explainer = new EmotionExplainer(model, new ExplanationOptions { Method = ExplanationMethods.GradCam });
        Assert.Equal("dense2", explainer.LayerName);
        Assert.Equal(new FeatureGrid(8, 7, 8, 7, Traced: true), explainer.LayerGrid);
        // dense3 (four blocks): stride 16, offset 1 + 2 + 4 + 8 = 15.
        var last = new EmotionExplainer(model, new ExplanationOptions { Method = ExplanationMethods.GradCam, Layer = "dense3" });
        Assert.Equal(new FeatureGrid(16, 15, 16, 15, Traced: true), last.LayerGrid);
    }

    [Fact]
    public void TheImportedModelMatchesFaceApiOnRealFaceCrops()
    {
        using var model = PretrainedModels.CreateModel(PretrainedModels.FaceExpression, Path.GetDirectoryName(TestAssets.Path(Manifest)));
        var reference = RealFaceFixtures.Reference().GetProperty("faceExpression");
        Assert.Equal(["neutral", "happy", "sad", "angry", "fearful", "disgusted", "surprised"],
            reference.GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
        int[] order = [.. FaceExpressionWeights.FaceApiIndexOf];
        double worstFeatures = 0, worstLogits = 0, worstProbabilities = 0;
        int crops = 0;
        foreach (var crop in reference.GetProperty("crops").EnumerateArray())
        {
            using var scope = NewDisposeScope();
            string file = crop.GetProperty("file").GetString()!;
            var frames = model.Normalize(RealFaceFixtures.Pixels01(file)).reshape(1, 1, 3, 112, 112);
            EmotionOutput y;
            Tensor features;
            using (no_grad())
            {
                y = model.forward(frames);
                features = model.ExtractFrameFeatures(frames);
            }
            var expectedFeatures = RealFaceFixtures.Floats(crop.GetProperty("features"));
            var faceApiLogits = RealFaceFixtures.Floats(crop.GetProperty("logits"));
            var faceApiProbabilities = RealFaceFixtures.Floats(crop.GetProperty("probabilities"));
            float[] expectedLogits = [.. order.Select(i => faceApiLogits[i])];
            float[] expectedProbabilities = [.. order.Select(i => faceApiProbabilities[i])];

            double df = RealFaceFixtures.MaxAbsDiff(expectedFeatures, features.data<float>().ToArray());
            double dl = RealFaceFixtures.MaxAbsDiff(expectedLogits, y.Logits!.data<float>().ToArray());
            double dp = RealFaceFixtures.MaxAbsDiff(expectedProbabilities, y.Logits!.softmax(-1).data<float>().ToArray());
            output.WriteLine($"{file}: max |diff| features {df:G3}, logits {dl:G3}, probabilities {dp:G3}");
            Assert.True(df <= Tolerance, $"{file}: features differ from face-api by {df:G4}.");
            Assert.True(dl <= Tolerance, $"{file}: logits differ from face-api by {dl:G4}.");
            Assert.True(dp <= Tolerance, $"{file}: probabilities differ from face-api by {dp:G4}.");
            // The same top category, named in the library's terms.
            var top = EmotionCategories.FromIndex((int)y.Logits!.argmax(-1).item<long>());
            Assert.Equal(FaceExpressionWeights.FaceApiLabels[Array.IndexOf(faceApiProbabilities, faceApiProbabilities.Max())], top);
            worstFeatures = Math.Max(worstFeatures, df);
            worstLogits = Math.Max(worstLogits, dl);
            worstProbabilities = Math.Max(worstProbabilities, dp);
            crops++;
        }
        Assert.Equal(5, crops);
        output.WriteLine($"worst over {crops} crops: features {worstFeatures:G3}, logits {worstLogits:G3}, probabilities {worstProbabilities:G3}");
    }
}
