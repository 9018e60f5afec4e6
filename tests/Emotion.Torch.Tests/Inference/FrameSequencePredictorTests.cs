using Emotion.Core;
using Emotion.Preprocessing.Frames;
using Emotion.Torch.Heads;
using Emotion.Torch.Inference;
using Emotion.Torch.Tests.Training;
using static TorchSharp.torch;

namespace Emotion.Torch.Tests.Inference;

/// <summary>The TorchSharp streaming predictor: chunks with the state carried, and the gap rule (FrameGaps).</summary>
public sealed class FrameSequencePredictorTests
{
    private const int Size = 16;

    [Theory]
    [InlineData(3)]
    [InlineData(32)]
    public void AGapInTheFrameNumbersResetsTheStateExactlyAsTwoSeparateStreamsDo(int chunk)
    {
        using var model = SyntheticBatches.Model(EmotionTask.Combined, size: Size, frames: 4, hidden: 8, width: 0.25);
        var video = GapVideos.Video("a", GapVideos.WithGap, Size, seed: 3);
        var predictor = new FrameSequencePredictor(model, chunk);

        var streamed = predictor.Predict(GapVideos.Numbered(video)).ToList();
        var first = predictor.Predict(GapVideos.Numbered(video).Take(5)).ToList();
        var second = predictor.Predict(GapVideos.Numbered(video).Skip(5)).ToList();
        GapVideos.Identical([.. first, .. second], streamed, $"chunk {chunk}");

        // The control: the same frames numbered without the gap keep the state across, and frames 9..12 come out differently.
        var carried = predictor.Predict(video.Frames.Select((f, i) => new NumberedFrame(i + 1, f.Source))).ToList();
        double difference = Enumerable.Range(5, 4).Max(i => GapVideos.Values(carried[i]).Zip(GapVideos.Values(streamed[i]), (x, y) => Math.Abs(x - y)).Max());
        Assert.True(difference > 1e-4, $"the carried state changed the frames after the gap by only {difference}");
    }

    [Theory]
    [InlineData("gru", 2)]
    [InlineData("lstm", 3)]
    [InlineData("gru", 32)]
    public void ChunksWithTheStateCarriedEqualOneForwardPassOverEachRunOfConsecutiveFrames(string head, int chunk)
    {
        using var model = SyntheticBatches.Model(EmotionTask.Combined, size: Size, frames: 4, hidden: 8, width: 0.25,
            head: head == "gru" ? HeadSpec.Gru(hidden: 8) : HeadSpec.Lstm(hidden: 8, layers: 2));
        var video = GapVideos.Video("a", GapVideos.WithGap, Size, seed: 4);
        var streamed = new FrameSequencePredictor(model, chunk).Predict(GapVideos.Numbered(video)).ToList();

        int i = 0;
        foreach (var run in GapVideos.Runs(video))
        {
            var (probabilities, va) = GapVideos.WholeRun(model, run);
            for (int t = 0; t < run.Count; t++, i++)
            {
                Assert.Equal(run[t].Number, streamed[i].FrameNumber);
                for (int k = 0; k < 7; k++) Assert.Equal(probabilities[t * 7 + k], streamed[i].Probabilities[k], 1e-5);
                Assert.Equal(va[2 * t], streamed[i].Valence!.Value, 1e-5);
                Assert.Equal(va[2 * t + 1], streamed[i].Arousal!.Value, 1e-5);
            }
        }
        Assert.Equal(video.FrameCount, i);
    }

    [Fact]
    public void ASequenceToOneModelGivesEveryFrameTheOutputForItsRunSoFar()
    {
        using var model = SyntheticBatches.Model(EmotionTask.Combined, size: Size, frames: 4, hidden: 8, width: 0.25,
            head: HeadSpec.Gru(hidden: 8, output: SequenceOutput.LastStep));
        var video = GapVideos.Video("a", GapVideos.WithGap, Size, seed: 5);
        var streamed = new FrameSequencePredictor(model, chunkSize: 4).Predict(GapVideos.Numbered(video)).ToList();
        Assert.Equal(video.Frames.Select(f => f.Number), streamed.Select(p => p.FrameNumber));

        // Frame t of a run: the last-step output of one forward pass over the run's frames up to t, from a zero state.
        int i = 0;
        foreach (var run in GapVideos.Runs(video))
            for (int t = 0; t < run.Count; t++, i++)
            {
                var (probabilities, va) = GapVideos.WholeRun(model, run.Take(t + 1).ToList());
                for (int k = 0; k < 7; k++) Assert.Equal(probabilities[k], streamed[i].Probabilities[k], 1e-5);
                Assert.Equal(va[0], streamed[i].Valence!.Value, 1e-5);
                Assert.Equal(va[1], streamed[i].Arousal!.Value, 1e-5);
            }
    }

    [Fact]
    public void ABidirectionalHeadPredictsEachChunkOnItsOwn()
    {
        using var model = SyntheticBatches.Model(EmotionTask.Combined, size: Size, frames: 4, hidden: 8, width: 0.25,
            head: HeadSpec.Gru(hidden: 8, bidirectional: true));
        var video = GapVideos.Video("b", [.. Enumerable.Range(1, 7)], Size, seed: 6);
        var streamed = new FrameSequencePredictor(model, chunkSize: 4).Predict(GapVideos.Numbered(video)).ToList();
        int i = 0;
        foreach (var chunk in video.Frames.Chunk(4))
        {
            var (probabilities, _) = GapVideos.WholeRun(model, chunk);
            for (int t = 0; t < chunk.Length; t++, i++)
                for (int k = 0; k < 7; k++) Assert.Equal(probabilities[t * 7 + k], streamed[i].Probabilities[k], 1e-5);
        }
    }
}
