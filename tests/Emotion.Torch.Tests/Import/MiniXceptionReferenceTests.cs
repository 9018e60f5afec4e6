using Emotion.Testing;
using Emotion.Torch.Import;
using static TorchSharp.torch;

namespace Emotion.Torch.Tests.Import;

/// <summary>
/// human-models' mini-Xception graph model (a TF.js graph model) through the importer, and the reference fixture that the
/// network built on it must later reproduce.
/// </summary>
public sealed class MiniXceptionReferenceTests
{
    [Fact]
    public void TheEmotionGraphModelLoadsWithItsNodesAndWeights()
    {
        var file = TfjsModelFile.Load(TestAssets.Path("emotion.json"));

        Assert.Equal(TfjsModelFormat.GraphModel, file.Format);
        Assert.Equal(23, file.Weights.Count);
        Assert.All(file.Weights, w => Assert.Null(w.Quantization));
        Assert.Equal([1, 2], file["StatefulPartitionedCall/model_1/global_average_pooling2d_1/Mean/reduction_indices"].IntValues.ToArray());
        Assert.Equal([3, 3, 1, 32], file["StatefulPartitionedCall/model_1/conv2d_1/Conv2D_weights"].Shape);
        var first = file.GetNode("StatefulPartitionedCall/model_1/block1_conv1_act/Relu");
        Assert.Equal("_FusedConv2D", first.Op);
        Assert.Equal([1L, 2, 2, 1], first.IntList("strides"));
        Assert.Equal("VALID", first.String("padding"));
        Assert.Equal(["BiasAdd", "Relu"], first.StringList("fused_ops"));
        var pool = file.GetNode("StatefulPartitionedCall/model_1/max_pooling2d_1/MaxPool");
        Assert.Equal("SAME", pool.String("padding"));
        Assert.Equal([1L, 3, 3, 1], pool.IntList("ksize"));
        Assert.Equal("Softmax", file.GetNode("StatefulPartitionedCall/model_1/predictions/Softmax").Op);
        // Every Const node is a weight of the manifest.
        Assert.All(file.Nodes.Where(n => n.Op == "Const"), n => Assert.True(file.Contains(n.Name), n.Name));
    }

    [Fact]
    public void TheReferenceInputIsHumanPreprocessingOfThe64PixelCrops()
    {
        var reference = RealFaceFixtures.Reference().GetProperty("miniXception");
        Assert.Equal(["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"],
            reference.GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
        int crops = 0;
        foreach (var crop in reference.GetProperty("crops").EnumerateArray())
        {
            using var scope = NewDisposeScope();
            var rgb = RealFaceFixtures.Pixels01(crop.GetProperty("file").GetString()!);
            // human: gray = sum(rgb * [0.2989, 0.5870, 0.1140]), then (gray - 0.5) * 2.
            var gray = rgb[0] * 0.2989f + rgb[1] * 0.5870f + rgb[2] * 0.1140f;
            var expected = ((gray - 0.5f) * 2f).flatten().data<float>().ToArray();
            var input = RealFaceFixtures.Floats(crop.GetProperty("input"));
            Assert.Equal(64 * 64, input.Length);
            Assert.True(RealFaceFixtures.MaxAbsDiff(expected, input) <= 1e-6);
            var outputs = RealFaceFixtures.Floats(crop.GetProperty("outputs"));
            Assert.Equal(7, outputs.Length);
            Assert.Equal(1.0, outputs.Sum(v => (double)v), 4);
            crops++;
        }
        Assert.Equal(5, crops);
    }
}
