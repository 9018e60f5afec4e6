using System.Text.Json;
using Emotion.Torch.Heads;
using Emotion.Torch.Models;
using Emotion.Torch.Tests.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Torch.Tests.Heads;

[Collection(ModelTestSupport.Collection)]
public sealed class RecurrentHeadTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void MatchesPyTorchOnFixedInput(int caseIndex)
    {
        // Weights, input and outputs computed by torch 1.13 (Fixtures/Models/make_model_fixtures.py): the gate layout and
        // parameter names of our heads are PyTorch's.
        using var doc = JsonDocument.Parse(File.ReadAllText(ModelTestSupport.FixturePath("recurrent_reference.json")));
        var c = doc.RootElement.GetProperty("cases")[caseIndex];
        var kind = c.GetProperty("kind").GetString();
        int hidden = c.GetProperty("hidden").GetInt32(), layers = c.GetProperty("layers").GetInt32();
        bool bidirectional = c.GetProperty("bidirectional").GetBoolean();
        var spec = kind == "gru" ? HeadSpec.Gru(hidden, layers, bidirectional) : HeadSpec.Lstm(hidden, layers, bidirectional);
        using var head = RecurrentHead.Create(spec, c.GetProperty("inputSize").GetInt32());
        head.eval();

        var source = new Dictionary<string, Tensor>();
        foreach (var w in c.GetProperty("weights").EnumerateObject())
            source.Add("rnn." + w.Name, tensor(ModelTestSupport.Floats(w.Value.GetProperty("values")), ModelTestSupport.Shape(w.Value.GetProperty("shape"))));
        var result = Emotion.Torch.Weights.StateDictLoader.Apply(head, source, "recurrent_reference.json");
        Assert.Equal(source.Count, result.Loaded.Count);

        using var x = tensor(ModelTestSupport.Floats(c.GetProperty("input")), ModelTestSupport.Shape(c.GetProperty("inputShape")));
        using var expected = tensor(ModelTestSupport.Floats(c.GetProperty("output")), ModelTestSupport.Shape(c.GetProperty("outputShape")));
        using var expectedHidden = tensor(ModelTestSupport.Floats(c.GetProperty("hiddenState")), ModelTestSupport.Shape(c.GetProperty("hiddenShape")));
        using var _ = no_grad();
        var (output, state) = head.call(x, null);
        using (output)
        using (state)
        {
            var outputDiff = ModelTestSupport.MaxAbsDiff(output, expected);
            Assert.True(outputDiff < 1e-5, $"max abs diff {outputDiff}");
            Assert.True(ModelTestSupport.MaxAbsDiff(state!.Hidden, expectedHidden) < 1e-5);
            if (kind == "lstm")
            {
                using var expectedCell = tensor(ModelTestSupport.Floats(c.GetProperty("cell")), ModelTestSupport.Shape(c.GetProperty("hiddenShape")));
                Assert.True(ModelTestSupport.MaxAbsDiff(state.Cell!, expectedCell) < 1e-5);
            }
        }
        foreach (var t in source.Values) t.Dispose();
    }

    [Theory]
    [InlineData(RecurrentKind.Gru)]
    [InlineData(RecurrentKind.Lstm)]
    public void StreamingInChunksEqualsWholeSequence(RecurrentKind kind)
    {
        var spec = kind == RecurrentKind.Gru ? HeadSpec.Gru(hidden: 5, layers: 2) : HeadSpec.Lstm(hidden: 5, layers: 2);
        using var head = RecurrentHead.Create(spec, 7);
        head.eval();
        using var x = ModelTestSupport.Randn(11, 2, 6, 7);
        using var _ = no_grad();
        var (whole, wholeState) = head.call(x, null);
        var (first, state1) = head.call(x.narrow(1, 0, 4), null);
        var (second, state2) = head.call(x.narrow(1, 4, 2), state1);
        using var joined = cat([first, second], 1);
        Assert.True(ModelTestSupport.MaxAbsDiff(whole, joined) < 1e-6);
        Assert.True(ModelTestSupport.MaxAbsDiff(wholeState!.Hidden, state2!.Hidden) < 1e-6);
        if (kind == RecurrentKind.Lstm) Assert.True(ModelTestSupport.MaxAbsDiff(wholeState.Cell!, state2.Cell!) < 1e-6);
    }

    [Fact]
    public void BidirectionalHeadRefusesToContinueFromAState()
    {
        using var head = RecurrentHead.Create(HeadSpec.Gru(hidden: 4, bidirectional: true), 3);
        Assert.False(head.CanStream);
        Assert.Equal(8, head.OutputWidth);
        using var x = ModelTestSupport.Randn(1, 1, 4, 3);
        var (_, state) = head.call(x, null);
        var e = Assert.Throws<InvalidOperationException>(() => head.call(x, state));
        Assert.Contains("bidirectional", e.Message);
    }

    [Theory]
    [InlineData(RecurrentKind.Gru)]
    [InlineData(RecurrentKind.Lstm)]
    [InlineData(RecurrentKind.None)]
    public void SequenceToOneReturnsLastStepOrMean(RecurrentKind kind)
    {
        HeadSpec Make(SequenceOutput o) => kind switch
        {
            RecurrentKind.Gru => HeadSpec.Gru(hidden: 4, output: o),
            RecurrentKind.Lstm => HeadSpec.Lstm(hidden: 4, output: o),
            _ => HeadSpec.NoRecurrence(o),
        };
        using var perFrame = RecurrentHead.Create(Make(SequenceOutput.PerFrame), 3);
        using var last = RecurrentHead.Create(Make(SequenceOutput.LastStep), 3);
        using var mean = RecurrentHead.Create(Make(SequenceOutput.Mean), 3);
        last.load_state_dict(perFrame.state_dict());
        mean.load_state_dict(perFrame.state_dict());
        using var x = ModelTestSupport.Randn(2, 2, 5, 3);
        using var _ = no_grad();
        var (all, _) = perFrame.call(x, null);
        var (l, _) = last.call(x, null);
        var (m, _) = mean.call(x, null);
        Assert.Equal(new long[] { 2, 1, perFrame.OutputWidth }, l.shape);
        Assert.Equal(new long[] { 2, 1, perFrame.OutputWidth }, m.shape);
        Assert.True(ModelTestSupport.MaxAbsDiff(l, all.narrow(1, 4, 1)) < 1e-7);
        // Mean computed by hand: sum of the five steps divided by five.
        var sum = all.narrow(1, 0, 1);
        for (int t = 1; t < 5; t++) sum = sum + all.narrow(1, t, 1);
        Assert.True(ModelTestSupport.MaxAbsDiff(m, sum / 5) < 1e-6);
    }

    [Fact]
    public void SpecValidationSaysWhatToChange()
    {
        var dropout = HeadSpec.Gru(hidden: 8, layers: 1, dropout: 0.3).Validate();
        Assert.Contains(dropout, p => p.Contains("layers: 2") && p.Contains("dropout"));
        Assert.Contains(HeadSpec.Lstm(hidden: 0).Validate(), p => p.Contains("positive hidden size"));
        Assert.Contains(HeadSpec.Gru(layers: 0).Validate(), p => p.Contains("at least one layer"));
        Assert.Empty(HeadSpec.Gru(hidden: 8, layers: 2, dropout: 0.3).Validate());
        Assert.Empty(HeadSpec.NoRecurrence().Validate());
        Assert.Throws<ArgumentException>(() => RecurrentHead.Create(HeadSpec.Gru(layers: 1, dropout: 0.5), 4));
    }

    [Fact]
    public void WrongFeatureShapeOrStateIsRejected()
    {
        using var head = RecurrentHead.Create(HeadSpec.Lstm(hidden: 4), 3);
        using var x = ModelTestSupport.Randn(3, 2, 5, 6);
        Assert.Contains("[B, T, 3]", Assert.Throws<ArgumentException>(() => head.call(x, null)).Message);
        using var y = ModelTestSupport.Randn(3, 2, 5, 3);
        using var gruState = new RecurrentState(zeros(1, 2, 4));
        Assert.Contains("cell", Assert.Throws<ArgumentException>(() => head.call(y, gruState)).Message);
        using var badState = new RecurrentState(zeros(1, 3, 4), zeros(1, 3, 4));
        Assert.Contains("[1, 2, 4]", Assert.Throws<ArgumentException>(() => head.call(y, badState)).Message);
    }
}
