using Emotion.Core;
using Emotion.Onnx.Export;
using Emotion.Torch.Backbones;
using Emotion.Torch.Heads;
using static TorchSharp.torch;

namespace Emotion.Onnx.Tests.Export;

/// <summary>Chunk-by-chunk inference with the state carried from <c>hn/cn</c> to <c>h0/c0</c> equals one pass over the whole sequence.</summary>
public sealed class StreamingExportTests
{
    [Theory]
    [InlineData("gru2")]
    [InlineData("lstm2")]
    [InlineData("gru")]
    public void ChunkedStreamingEqualsWholeSequence(string head)
    {
        const int size = 24, batch = 2, time = 7;
        int[] chunks = [3, 1, 3];
        var spec = SequenceExportTests.Head(head, SequenceOutput.PerFrame);
        using var model = ExportFixture.Build(BackboneNames.SmallCnn, spec, EmotionTask.Combined, size, seed: 31);
        using var session = OrtHelper.Session(OnnxExporter.ToModel(model));
        using var frames = ExportFixture.RandomFrames(batch, time, size, 77);
        bool lstm = spec.Kind == RecurrentKind.Lstm;
        var zeros = new FloatTensor(new float[spec.Layers * batch * spec.Hidden], [spec.Layers, batch, spec.Hidden]);

        (string, FloatTensor)[] Inputs(Tensor f, FloatTensor h, FloatTensor c) => lstm
            ? [(OnnxTensorNames.Frames, FloatTensor.From(f)), (OnnxTensorNames.HiddenIn, h), (OnnxTensorNames.CellIn, c)]
            : [(OnnxTensorNames.Frames, FloatTensor.From(f)), (OnnxTensorNames.HiddenIn, h)];

        var whole = OrtHelper.Run(session, Inputs(frames, zeros, zeros));

        var logits = new List<Tensor>();
        var va = new List<Tensor>();
        FloatTensor h = zeros, c = zeros;
        int start = 0;
        foreach (int length in chunks)
        {
            using var chunk = frames.narrow(1, start, length);
            var result = OrtHelper.Run(session, Inputs(chunk, h, c));
            logits.Add(tensor(result[OnnxTensorNames.Logits].Data).reshape(result[OnnxTensorNames.Logits].Shape));
            va.Add(tensor(result[OnnxTensorNames.ValenceArousal].Data).reshape(result[OnnxTensorNames.ValenceArousal].Shape));
            h = result[OnnxTensorNames.HiddenOut];
            if (lstm) c = result[OnnxTensorNames.CellOut];
            start += length;
        }
        using var chunkedLogits = cat(logits, 1);
        using var chunkedVa = cat(va, 1);
        OrtHelper.AssertClose(whole[OnnxTensorNames.Logits], FloatTensor.From(chunkedLogits), 1e-5, "chunked logits");
        OrtHelper.AssertClose(whole[OnnxTensorNames.ValenceArousal], FloatTensor.From(chunkedVa), 1e-5, "chunked valence/arousal");
        OrtHelper.AssertClose(whole[OnnxTensorNames.HiddenOut], h, 1e-5, "final hidden state");

        // And the whole-sequence ONNX result is TorchSharp's.
        using var expected = model.forward(frames);
        OrtHelper.AssertClose(FloatTensor.From(expected.Logits!), whole[OnnxTensorNames.Logits], ExportFixture.Tolerance, "whole logits");
        foreach (var t in logits.Concat(va)) t.Dispose();
    }
}
