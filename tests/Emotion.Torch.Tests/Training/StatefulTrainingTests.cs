using Emotion.Core;
using Emotion.Core.Data;
using Emotion.Torch.Backbones;
using Emotion.Torch.Heads;
using Emotion.Torch.Models;
using Emotion.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Torch.Tests.Training;

/// <summary>
/// Stateful training (truncated back-propagation through time): <see cref="RecurrentStateCarry"/> makes two consecutive
/// windows with the carried state equal one long window, stops the gradients at the window's first frame, and
/// <see cref="TrainerOptions.Stateful"/> learns a task whose labels need more context than one window.
/// </summary>
public class StatefulTrainingTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static EmotionModel TinyModel(HeadSpec head, EmotionTask task = EmotionTask.Combined) =>
        EmotionModel.Create().WithInput(4, 16).WithBackbone(BackboneSpec.SmallCnn(0.25)).WithRecurrentHead(head)
            .ForTask(task).WithSeed(11).Build();

    /// <summary>A batch that only carries the rows' continuation flags (the carry reads nothing else).</summary>
    private static SequenceBatch Flags(params bool[] continues)
    {
        var batch = new SequenceBatch(continues.Length, 4, 16, 16);
        continues.CopyTo(batch.ContinuesState, 0);
        return batch;
    }

    private static double MaxAbs(Tensor a, Tensor b)
    {
        using var d = (a.to_type(float64) - b.to_type(float64)).abs();
        return d.max().item<double>();
    }

    public static TheoryData<string> Heads => ["gru", "lstm", "gru2"];

    private static HeadSpec Head(string name) => name switch
    {
        "gru" => HeadSpec.Gru(hidden: 12),
        "lstm" => HeadSpec.Lstm(hidden: 12),
        _ => HeadSpec.Gru(hidden: 12, layers: 2),
    };

    [Theory]
    [MemberData(nameof(Heads))]
    public void Two4FrameWindowsWithTheCarriedStateEqualThe8FrameForward(string head)
    {
        using var scope = NewDisposeScope();
        using var model = TinyModel(Head(head));
        model.eval(); // batch norm from its running statistics: the frames of a row do not depend on the batch's shape
        manual_seed(3);
        var frames = randn([2, 8, 3, 16, 16]);
        using var whole = model.Forward(frames, null);

        using var carry = new RecurrentStateCarry();
        Assert.Null(carry.Initial(Flags(false, false)));
        using var first = model.Forward(frames.narrow(1, 0, 4), null);
        carry.Keep(first.State);
        // Row 0 continues its window; row 1 starts again from zero.
        var initial = carry.Initial(Flags(true, false))!;
        using var second = model.Forward(frames.narrow(1, 4, 4), initial);
        using var fresh = model.Forward(frames.narrow(1, 4, 4), null);

        double carried = Math.Max(MaxAbs(second.Logits![0], whole.Logits![0].narrow(0, 4, 4)), MaxAbs(second.ValenceArousal![0], whole.ValenceArousal![0].narrow(0, 4, 4)));
        double reset = Math.Max(MaxAbs(second.Logits[1], fresh.Logits![1]), MaxAbs(second.ValenceArousal[1], fresh.ValenceArousal![1]));
        output.WriteLine($"{head}: carried vs whole {carried:E2}, reset vs fresh {reset:E2}");
        Assert.True(carried <= 1e-6, $"row 0 with the carried state differs from the 8-frame forward by {carried}");
        Assert.True(reset <= 1e-6, $"row 1 reset to zero differs from a fresh forward by {reset}");
        // Without the carried state row 0 is not the 8-frame forward (the test can tell the two apart).
        Assert.True(MaxAbs(fresh.Logits[0], whole.Logits[0].narrow(0, 4, 4)) > 1e-3);
        // The reset row's state is exactly zero, the continuing row's is the kept one.
        Assert.Equal(0.0, initial.Hidden[.., 1].abs().max().item<float>());
        Assert.Equal(0.0, MaxAbs(initial.Hidden[.., 0], first.State!.Hidden[.., 0]));
        if (head == "lstm") Assert.Equal(0.0, MaxAbs(initial.Cell![.., 0], first.State.Cell![.., 0]));
    }

    [Fact]
    public void GradientsStopAtTheWindowStartWithTheCarriedStateAndFlowBackWithoutIt()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModel(HeadSpec.Gru(hidden: 12));
        manual_seed(5);
        var x2 = randn([2, 4, 3, 16, 16]);

        // Carried (detached): the loss of window 2 reaches the weights but not window 1's frames.
        var x1 = randn([2, 4, 3, 16, 16]).requires_grad_(true);
        using var carry = new RecurrentStateCarry();
        using (var first = model.Forward(x1, null)) carry.Keep(first.State);
        Assert.False(carry.State!.Hidden.requires_grad);
        using (var second = model.Forward(x2, carry.Initial(Flags(true, true))))
        using (TorchNativeSettings.SafeBackward())
            second.Logits!.sum().backward();
        Assert.True(x1.grad is null || x1.grad.abs().max().item<float>() == 0f, "window 1's frames received a gradient through the carried state");
        var headWeight = model.Head.parameters().First();
        Assert.True(headWeight.grad is { } g && g.abs().max().item<float>() > 0f, "the head's weights received no gradient");

        // Control: the state passed on without detaching carries the gradient into window 1.
        model.zero_grad();
        var y1 = x1.detach().clone().requires_grad_(true);
        using (var first = model.Forward(y1, null))
        using (var second = model.Forward(x2, first.State))
        using (TorchNativeSettings.SafeBackward())
            second.Logits!.sum().backward();
        Assert.True(y1.grad is { } yg && yg.abs().max().item<float>() > 0f, "without detaching, window 1 should receive a gradient");
    }

    [Fact]
    public void TheCarryNarrowsToASmallerLastBatchAndRefusesRowsItHasNoStateFor()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModel(HeadSpec.Lstm(hidden: 6));
        model.eval();
        using var carry = new RecurrentStateCarry();
        var error = Assert.Throws<InvalidOperationException>(() => carry.Initial(Flags(true)));
        Assert.Contains("Row 0", error.Message);
        using (var o = model.Forward(randn([3, 4, 3, 16, 16]), null)) carry.Keep(o.State);
        var narrowed = carry.Initial(Flags(false, true))!;
        Assert.Equal([1L, 2, 6], narrowed.Hidden.shape);
        Assert.Equal([1L, 2, 6], narrowed.Cell!.shape);
        Assert.Equal(0.0, MaxAbs(narrowed.Hidden[.., 1], carry.State!.Hidden[.., 1]));
        Assert.Throws<InvalidOperationException>(() => carry.Initial(Flags(false, false, false, true)));
        carry.Reset();
        Assert.Null(carry.State);
    }

    [Fact]
    public void AHeadWithoutAForwardStateCannotTrainStatefully()
    {
        foreach (var head in new[] { HeadSpec.NoRecurrence(), HeadSpec.Gru(hidden: 6, bidirectional: true) })
        {
            using var model = TinyModel(head);
            var error = Assert.Throws<ArgumentException>(() => new Trainer(model, new TrainerOptions { Stateful = true }));
            Assert.Equal(nameof(TrainerOptions.Stateful), error.ParamName);
        }
    }

    /// <summary>
    /// Lanes of "videos" of <paramref name="windows"/> windows of 4 frames: a video's category (0, 1 or 2) is shown, as a bright
    /// square in a corner that depends on it, in its first frame; every frame is labelled with it. The first frame of each
    /// later window shows another category's square (a distractor), which must not change the answer: the first square
    /// seen in the video decides. From the second window on, the label is beyond what the window shows: only a state
    /// carried from the first window knows it, and a model that has only learned to follow the latest square is wrong.
    /// </summary>
    private static List<SequenceBatch> CueBatches(int lanes, int videos, int windows, int seed)
    {
        var random = new Random(seed);
        var categories = new int[lanes, videos];
        for (int b = 0; b < lanes; b++)
            for (int v = 0; v < videos; v++)
                categories[b, v] = random.Next(3);
        var batches = new List<SequenceBatch>();
        for (int s = 0; s < videos * windows; s++)
        {
            int v = s / windows, k = s % windows;
            var batch = new SequenceBatch(lanes, 4, 16, 16);
            for (int b = 0; b < lanes; b++)
            {
                int c = categories[b, v];
                batch.VideoIds[b] = $"lane{b}-video{v}";
                batch.ContinuesState[b] = k > 0;
                for (int t = 0; t < 4; t++)
                {
                    int i = batch.Index(b, t);
                    batch.FrameMask[i] = true;
                    batch.FrameNumbers[i] = k * 4 + t + 1;
                    batch.SetLabel(b, t, new FrameLabel((EmotionCategory)c));
                    var pixels = batch.Frame(b, t);
                    for (int p = 0; p < pixels.Length; p++) pixels[p] = -1f + 0.4f * random.NextSingle();
                    if (t != 0) continue;
                    int shown = k == 0 ? c : (c + 1 + random.Next(2)) % 3;
                    int x0 = shown == 1 ? 9 : 1, y0 = shown == 2 ? 9 : 1;
                    for (int ch = 0; ch < 3; ch++)
                        for (int y = y0; y < y0 + 6; y++)
                            for (int x = x0; x < x0 + 6; x++)
                                pixels[(ch * 16 + y) * 16 + x] = 1f;
                }
            }
            batches.Add(batch);
        }
        return batches;
    }

    /// <summary>Accuracy on the first window of each video and on the later ones, streaming with or without the carried state.</summary>
    private static (double First, double Later) Accuracy(EmotionModel model, List<SequenceBatch> batches, bool carryState)
    {
        model.eval();
        using var carry = new RecurrentStateCarry();
        long[] right = new long[2], total = new long[2];
        foreach (var batch in batches)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var frames = SequenceBatchTensors.Frames(batch);
            using var result = model.Forward(frames, carryState ? carry.Initial(batch) : null);
            if (carryState) carry.Keep(result.State);
            var predicted = result.Logits!.argmax(-1).data<long>().ToArray();
            for (int b = 0; b < batch.BatchSize; b++)
                for (int t = 0; t < 4; t++)
                {
                    int i = batch.Index(b, t), later = batch.ContinuesState[b] ? 1 : 0;
                    total[later]++;
                    if (predicted[i] == batch.Categories[i]) right[later]++;
                }
        }
        model.train();
        return (right[0] / (double)total[0], right[1] / (double)total[1]);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void StatefulTrainingLearnsLabelsThatOnlyTheCarriedStateKnows()
    {
        const int lanes = 8, videos = 3, windows = 4;
        var test = CueBatches(lanes, videos: 4, windows, seed: 7);
        var report = new List<string>();
        var results = new Dictionary<bool, (double[] Losses, (double First, double Later) Streamed, (double First, double Later) Windowed)>();
        foreach (bool stateful in new[] { true, false })
        {
            using var model = TinyModel(HeadSpec.Gru(hidden: 16), EmotionTask.Categorical);
            var options = new TrainerOptions { LearningRate = 1e-2, Epochs = 12, Seed = 2, MonitorMetric = "loss", GradientClipNorm = 5, Stateful = stateful };
            using var trainer = new Trainer(model, options);
            var result = trainer.Fit(new BatchSource((epoch, _) => CueBatches(lanes, videos, windows, seed: 100 + epoch), videos * windows));
            var losses = result.History.Epochs.Select(e => e.TrainLoss).ToArray();
            var streamed = Accuracy(model, test, carryState: true);
            var windowed = Accuracy(model, test, carryState: false);
            results[stateful] = (losses, streamed, windowed);
            output.WriteLine($"{(stateful ? "stateful" : "stateless")} training: loss per epoch {string.Join(", ", losses.Select(l => l.ToString("F3")))}; " +
                             $"accuracy first window / later windows: streamed with the state carried {streamed.First:F3} / {streamed.Later:F3}, " +
                             $"every window from zero {windowed.First:F3} / {windowed.Later:F3}; {result.History.Epochs.Sum(e => e.Seconds):F1} s");
        }

        var (statefulLosses, statefulStreamed, statefulWindowed) = results[true];
        Assert.True(statefulLosses[^1] < 0.5 * statefulLosses[0], $"the training loss should fall: {string.Join(", ", statefulLosses)}");
        Assert.True(statefulStreamed.First > 0.9, $"first windows (the cue in view): {statefulStreamed.First}");
        Assert.True(statefulStreamed.Later > 0.9, $"later windows with the carried state: {statefulStreamed.Later}");
        // The same model without the carried state cannot know the later windows' labels (3 categories: chance about 1/3).
        Assert.True(statefulWindowed.Later < 0.6, $"later windows from a zero state: {statefulWindowed.Later}");
        // Trained without carrying the state, every window starts from zero and a window that opens with the video's square
        // looks like one that opens with a distractor: the model cannot learn the task, even streamed afterwards.
        var (_, statelessStreamed, _) = results[false];
        Assert.True(statelessStreamed.Later < statefulStreamed.Later - 0.2,
            $"stateless training should not learn the later windows: {statelessStreamed.Later} against {statefulStreamed.Later} with stateful training");
    }
}
