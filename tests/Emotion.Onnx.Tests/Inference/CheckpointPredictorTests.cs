using Emotion.Core;
using Emotion.Onnx.Export;
using Emotion.Preprocessing.Frames;
using Emotion.Testing;
using Emotion.Torch.Backbones;
using Emotion.Torch.Heads;
using Emotion.Torch.Inference;
using Emotion.Torch.Models;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Emotion.Onnx.Tests.Inference;

/// <summary>
/// <see cref="CheckpointPredictor"/>: a TorchSharp model run on ONNX Runtime through an in-memory export gives
/// <see cref="FrameSequencePredictor"/>'s per-frame outputs (every probability, valence and arousal within 1e-4) on a video
/// whose frame numbers skip, for GRU, LSTM, bidirectional and sequence-to-one heads; Auto picks ONNX Runtime when the model
/// exports and TorchSharp, with the reason, when it does not.
/// </summary>
public sealed class CheckpointPredictorTests(ITestOutputHelper output) : IDisposable
{
    private const int Size = 16, Chunk = 4;

    /// <summary>The bound the issue sets for the two engines (measured differences are around 1e-7: see the test output).</summary>
    private const double Tolerance = 1e-4;

    private readonly TempFolder dir = new("emotion-ckpt-");
    private readonly List<Image<Rgb24>> images = [];

    public void Dispose()
    {
        foreach (var image in images) image.Dispose();
        dir.Dispose();
    }

    /// <summary>Frames 1..6 and 10..15 (chunks of 4 cross both runs), 20 x 24 pixels so that both engines resize them to 16 x 16.</summary>
    private List<NumberedFrame> VideoWithAGap(int seed)
    {
        var frames = new List<NumberedFrame>();
        foreach (int number in (int[])[.. Enumerable.Range(1, 6), .. Enumerable.Range(10, 6)])
        {
            var image = TinyModels.RandomImage(seed * 100 + number, 20, 24);
            images.Add(image);
            frames.Add(new NumberedFrame(number, new InMemoryFrameSource(image, $"frame {number}")));
        }
        return frames;
    }

    private static EmotionModel Model(HeadSpec head, EmotionTask task = EmotionTask.Combined) => EmotionModel.Create()
        .WithInput(frames: 4, size: Size)
        .WithBackbone(BackboneSpec.Named(BackboneNames.SmallCnn))
        .WithRecurrentHead(head)
        .ForTask(task)
        .WithSeed(23)
        .Build();

    private static HeadSpec Head(string name) => name switch
    {
        "gru" => HeadSpec.Gru(hidden: 8),
        "lstm" => HeadSpec.Lstm(hidden: 8, layers: 2),
        "bigru" => HeadSpec.Gru(hidden: 6, bidirectional: true),
        "gru-last" => HeadSpec.Gru(hidden: 8, output: SequenceOutput.LastStep),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static float[] Values(FramePrediction p) =>
        [.. p.Probabilities, .. p.Valence is { } v ? [v] : Array.Empty<float>(), .. p.Arousal is { } a ? [a] : Array.Empty<float>()];

    /// <summary>The largest difference over every value of every frame; fails on a different frame or value count.</summary>
    private static double LargestDifference(IReadOnlyList<FramePrediction> expected, IReadOnlyList<FramePrediction> actual, string what)
    {
        Assert.Equal(expected.Select(p => p.FrameNumber), actual.Select(p => p.FrameNumber));
        double worst = 0;
        for (int i = 0; i < expected.Count; i++)
        {
            var e = Values(expected[i]);
            var a = Values(actual[i]);
            Assert.True(e.Length == a.Length, $"{what} frame {expected[i].FrameNumber}: {e.Length} values against {a.Length}");
            for (int k = 0; k < e.Length; k++)
            {
                Assert.False(float.IsNaN(a[k]), $"{what} frame {expected[i].FrameNumber} value {k} is NaN");
                worst = Math.Max(worst, Math.Abs(e[k] - a[k]));
            }
        }
        return worst;
    }

    [Theory]
    [InlineData("gru", EmotionTask.Combined)]
    [InlineData("lstm", EmotionTask.Combined)]
    [InlineData("bigru", EmotionTask.Combined)]
    [InlineData("gru-last", EmotionTask.Combined)]
    [InlineData("lstm", EmotionTask.Categorical)]
    [InlineData("gru", EmotionTask.ValenceArousal)]
    public void OnnxRuntimeBackendEqualsTheTorchPredictorOnAVideoWithAGap(string head, EmotionTask task)
    {
        using var model = Model(Head(head), task);
        var frames = VideoWithAGap(3);
        var expected = new FrameSequencePredictor(model, Chunk).Predict(frames).ToList();
        Assert.Equal(12, expected.Count);
        Assert.All(expected, p => Assert.Equal(task.HasCategories() ? 7 : 0, p.Probabilities.Length));
        Assert.All(expected, p => Assert.Equal(task.HasValenceArousal(), p.Valence is not null && p.Arousal is not null));

        using var onnx = new CheckpointPredictor(model, new CheckpointPredictorOptions
        {
            Backend = InferenceBackend.OnnxRuntime,
            ChunkSize = Chunk,
            Onnx = new EmotionPredictorOptions { IntraOpThreads = 1 },
        });
        Assert.Equal(InferenceBackend.OnnxRuntime, onnx.Backend);
        Assert.Null(onnx.FallbackReason);
        Assert.NotNull(onnx.OnnxPredictor);
        Assert.Contains("in-memory", onnx.OnnxPredictor.ModelPath);
        Assert.Equal(model.Info.Task.HasCategories() ? model.Info.Categories : [], onnx.Categories);
        var actual = onnx.Predict(frames).ToList();
        double worst = LargestDifference(expected, actual, $"{head} {task}");
        Assert.True(worst <= Tolerance, $"{head} {task}: largest |TorchSharp - ONNX Runtime| = {worst:E2} > {Tolerance:E0}");

        // TorchSharp through the same type: the FrameSequencePredictor itself, bit for bit.
        using var torch = new CheckpointPredictor(model, new CheckpointPredictorOptions { Backend = InferenceBackend.Torch, ChunkSize = Chunk });
        Assert.Equal(InferenceBackend.Torch, torch.Backend);
        Assert.Null(torch.OnnxPredictor);
        Assert.Equal(0, LargestDifference(expected, torch.Predict(frames).ToList(), $"{head} {task} torch"));

        // The control: the same frames numbered without the gap carry the state over it, and the outputs move (not for the
        // bidirectional head, whose chunks are independent, nor a sequence-to-one head reading one frame per chunk).
        var unbroken = onnx.Predict(frames.Select((f, i) => f with { Number = i + 1 })).ToList();
        double moved = 0;
        for (int i = 6; i < 12; i++) moved = Math.Max(moved, Values(actual[i]).Zip(Values(unbroken[i]), (a, b) => Math.Abs(a - b)).Max());
        output.WriteLine($"{head} {task}: largest |TorchSharp - ONNX Runtime| = {worst:E2}; ignoring the gap moves outputs by {moved:E2}");
        if (head != "bigru") Assert.True(moved > 1e-3, $"carrying the state over the gap changed the outputs by only {moved}");
    }

    [Fact]
    public void AutoRunsASavedCheckpointOnOnnxRuntime()
    {
        string folder = dir.Path;
        var frames = VideoWithAGap(5);
        List<FramePrediction> expected;
        using (var model = Model(Head("gru")))
        {
            model.Save(folder);
            expected = new FrameSequencePredictor(model).Predict(frames).ToList();
        }
        using var predictor = CheckpointPredictor.Load(folder);
        Assert.Equal(InferenceBackend.OnnxRuntime, predictor.Backend);
        Assert.Null(predictor.FallbackReason);
        Assert.Contains(folder, predictor.OnnxPredictor!.ModelPath);
        Assert.True(LargestDifference(expected, predictor.Predict(frames).ToList(), "auto") <= Tolerance);
        Assert.Empty(Directory.EnumerateFiles(folder, "*.onnx", SearchOption.AllDirectories));
    }

    [Fact]
    public void AutoFallsBackToTorchWithTheReasonWhenTheModelDoesNotExport()
    {
        var registry = new BackboneRegistry(includeBuiltIns: false).Register("doubling", _ => new DoublingBackbone());
        using var model = EmotionModel.Create()
            .WithInput(frames: 4, size: Size)
            .WithBackbone("doubling")
            .WithRecurrentHead(HeadSpec.Gru(hidden: 4))
            .ForTask(EmotionTask.Combined)
            .WithRegistry(registry)
            .WithSeed(5)
            .Build();
        var frames = VideoWithAGap(7);

        using var auto = new CheckpointPredictor(model, new CheckpointPredictorOptions { ChunkSize = Chunk });
        Assert.Equal(InferenceBackend.Torch, auto.Backend);
        Assert.Null(auto.OnnxPredictor);
        Assert.NotNull(auto.FallbackReason);
        Assert.Contains(nameof(Doubler), auto.FallbackReason);
        Assert.Equal(0, LargestDifference(new FrameSequencePredictor(model, Chunk).Predict(frames).ToList(), auto.Predict(frames).ToList(), "fallback"));

        var forced = Assert.Throws<NotSupportedException>(() => new CheckpointPredictor(model, new CheckpointPredictorOptions { Backend = InferenceBackend.OnnxRuntime }));
        Assert.Contains("does not export to ONNX", forced.Message);
        Assert.Contains(nameof(Doubler), forced.Message);
    }

    [Fact]
    public void InvalidOptionsAreRejectedWithTheirNames()
    {
        using var model = Model(Head("gru"));
        Assert.Equal("ChunkSize", Assert.Throws<ArgumentException>(() => new CheckpointPredictor(model, new CheckpointPredictorOptions { ChunkSize = 0 })).ParamName);
        Assert.Equal("Backend", Assert.Throws<ArgumentException>(() => new CheckpointPredictor(model, new CheckpointPredictorOptions { Backend = (InferenceBackend)7 })).ParamName);
        var descriptor = Emotion.Onnx.Models.OnnxModelDescriptor.FromModelInfo(model.Info, ["frames"], ["logits"]);
        Assert.Equal("Onnx", Assert.Throws<ArgumentException>(() =>
            new CheckpointPredictor(model, new CheckpointPredictorOptions { Onnx = new EmotionPredictorOptions { Descriptor = descriptor } })).ParamName);
    }

    [Fact]
    public void BytesThatAreNotAModelAreRejectedNamingTheModel()
    {
        var error = Assert.Throws<InvalidOnnxModelException>(() => EmotionPredictor.FromBytes([1, 2, 3, 4, 5, 6, 7, 8], "the bytes under test"));
        Assert.Contains("the bytes under test", error.Message);
        Assert.Contains("8 bytes", error.Message);
        Assert.Throws<ArgumentException>(() => EmotionPredictor.FromBytes([], "nothing"));
    }

    /// <summary>A module with no ONNX emitter.</summary>
    private sealed class Doubler() : nn.Module<Tensor, Tensor>(nameof(Doubler))
    {
        public override Tensor forward(Tensor input) => input * 2;
    }

    private sealed class DoublingBackbone : SequentialBackbone
    {
        public DoublingBackbone() : base("doubling")
        {
            AddStep("conv", nn.Conv2d(3, 4, 3, padding: 1));
            AddStep("double", new Doubler());
            AddStep("relu", nn.ReLU());
            AddStep("pool", nn.AdaptiveAvgPool2d(1));
            AddStep("flatten", nn.Flatten());
            DefineStage("features", "conv", "relu");
        }

        public override int FeatureWidth => 4;

        public override string DefaultTargetLayer => "relu";
    }
}
