using Emotion.Core;
using Emotion.Onnx.Export;
using Emotion.Torch.Backbones;
using Emotion.Torch.Heads;
using Emotion.Torch.Models;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Onnx.Tests.Export;

/// <summary>Builds small models, exports them and compares TorchSharp with ONNX Runtime on the same random inputs.</summary>
internal static class ExportFixture
{
    public const double Tolerance = 1e-4;

    public static EmotionModel Build(string backbone, HeadSpec head, EmotionTask task, int size, int seed)
    {
        var model = EmotionModel.Create()
            .WithInput(frames: 4, size: size)
            .WithBackbone(BackboneSpec.Named(backbone))
            .WithRecurrentHead(head)
            .ForTask(task)
            .WithSeed(seed)
            .Build();
        RandomizeBatchNorm(model, seed);
        model.eval();
        return model;
    }

    /// <summary>Gives every batch norm non-trivial running statistics and affine parameters, so that folding is exercised.</summary>
    public static void RandomizeBatchNorm(nn.Module model, int seed)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var gen = new Generator((ulong)seed + 1000);
        foreach (var m in model.modules().OfType<TorchSharp.Modules.BatchNorm>())
        {
            long c = m.num_features;
            m.running_mean!.copy_(randn(c, generator: gen) * 0.2);
            m.running_var!.copy_(rand(c, generator: gen) * 0.8 + 0.6);
            m.weight!.copy_(rand(c, generator: gen) * 0.5 + 0.6);
            m.bias!.copy_(randn(c, generator: gen) * 0.1);
        }
    }

    public static Tensor RandomFrames(int batch, int time, int size, int seed) =>
        randn([batch, time, 3, size, size], generator: new Generator((ulong)seed));

    /// <summary>
    /// Runs the model and the ONNX session on the same frames (and state, when given) and asserts that every output agrees
    /// within <see cref="Tolerance"/>.
    /// </summary>
    public static void AssertSameOutputs(EmotionModel model, InferenceSession session, int batch, int time, int seed, bool randomState = false)
    {
        using var scope = NewDisposeScope();
        int size = model.Info.FrameSize;
        var frames = RandomFrames(batch, time, size, seed);
        var spec = model.Head.Spec;
        long stateLayers = (long)spec.Layers * (spec.Bidirectional ? 2 : 1);
        RecurrentState? state = null;
        var inputs = new List<(string, FloatTensor)> { (OnnxTensorNames.Frames, FloatTensor.From(frames)) };
        if (spec.Kind != RecurrentKind.None && session.InputMetadata.ContainsKey(OnnxTensorNames.HiddenIn))
        {
            var gen = new Generator((ulong)seed + 7);
            var h = randomState ? randn([stateLayers, batch, spec.Hidden], generator: gen) * 0.5 : zeros(stateLayers, batch, spec.Hidden);
            var c = spec.Kind == RecurrentKind.Lstm ? (randomState ? randn([stateLayers, batch, spec.Hidden], generator: gen) * 0.5 : zeros(stateLayers, batch, spec.Hidden)) : null;
            if (randomState) state = new RecurrentState(h, c);
            inputs.Add((OnnxTensorNames.HiddenIn, FloatTensor.From(h)));
            if (c is not null) inputs.Add((OnnxTensorNames.CellIn, FloatTensor.From(c)));
        }
        EmotionOutput expected;
        using (no_grad()) expected = model.Forward(frames, state);
        var actual = OrtHelper.Run(session, [.. inputs]);
        string where = $"{model.Options.Backbone.Name}+{spec.Kind}(layers {spec.Layers}, bi {spec.Bidirectional}, {spec.Output})/{model.Info.Task} B={batch} T={time}";
        if (expected.Logits is not null)
        {
            OrtHelper.AssertClose(FloatTensor.From(expected.Logits), actual[OnnxTensorNames.Logits], Tolerance, where + " logits");
            OrtHelper.AssertClose(FloatTensor.From(expected.Logits.softmax(-1)), actual[OnnxTensorNames.Probabilities], Tolerance, where + " probabilities");
        }
        else
        {
            Assert.False(actual.ContainsKey(OnnxTensorNames.Logits));
        }
        if (expected.ValenceArousal is not null)
            OrtHelper.AssertClose(FloatTensor.From(expected.ValenceArousal), actual[OnnxTensorNames.ValenceArousal], Tolerance, where + " valence_arousal");
        else
            Assert.False(actual.ContainsKey(OnnxTensorNames.ValenceArousal));
        var features = FloatTensor.From(expected.Features);
        // Raw CNN features (no recurrence) can be large; compare them relative to their scale, floored at 1.
        double scale = Math.Max(1, features.Data.Max(Math.Abs));
        OrtHelper.AssertClose(features, actual[OnnxTensorNames.Features], Tolerance * scale, where + " features");
        if (expected.State is { } s)
        {
            OrtHelper.AssertClose(FloatTensor.From(s.Hidden), actual[OnnxTensorNames.HiddenOut], Tolerance, where + " hn");
            if (s.Cell is not null) OrtHelper.AssertClose(FloatTensor.From(s.Cell), actual[OnnxTensorNames.CellOut], Tolerance, where + " cn");
        }
        expected.Dispose();
    }
}
