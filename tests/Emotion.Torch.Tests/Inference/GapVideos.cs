using Emotion.Core;
using Emotion.Preprocessing.Datasets;
using Emotion.Preprocessing.Frames;
using Emotion.Preprocessing.Transforms;
using Emotion.Torch.Models;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using static TorchSharp.torch;

namespace Emotion.Torch.Tests.Inference;

/// <summary>
/// Small in-memory videos with gaps in their frame numbers (Aff-Wild2 leaves out the frames where no face was found),
/// random pixels and labels, and the independent reference for streaming: one zero-state forward pass over each run of
/// consecutive frames.
/// </summary>
internal static class GapVideos
{
    /// <summary>Video "a": frames 1..5 and 9..12 (a gap of three frames).</summary>
    public static readonly int[] WithGap = [1, 2, 3, 4, 5, 9, 10, 11, 12];

    /// <summary>A video of random <paramref name="size"/> px frames with the given numbers and random labels (some missing).</summary>
    public static VideoRecord Video(string id, IReadOnlyList<int> numbers, int size, int seed)
    {
        var random = new Random(seed);
        var frames = new List<VideoFrame>(numbers.Count);
        foreach (int number in numbers)
        {
            var image = new Image<Rgb24>(size, size);
            for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++)
                    image[x, y] = new Rgb24((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
            var label = new FrameLabel(
                random.NextDouble() < 0.2 ? null : (EmotionCategory)random.Next(7),
                random.NextDouble() < 0.1 ? null : (float)(random.NextDouble() * 2 - 1),
                (float)(random.NextDouble() * 2 - 1));
            frames.Add(new VideoFrame(number, new InMemoryFrameSource(image, $"{id} frame {number}"), label));
        }
        return new VideoRecord(id, frames);
    }

    /// <summary>Video "a" with the gap and video "b" (frames 1..7), at the model's size.</summary>
    public static EmotionDataset Dataset(int size) =>
        new("gaps", [Video("a", WithGap, size, 1), Video("b", [.. Enumerable.Range(1, 7)], size, 2)]);

    /// <summary>The frames of a video as the predictors take them.</summary>
    public static IEnumerable<NumberedFrame> Numbered(VideoRecord video) => video.Frames.Select(f => new NumberedFrame(f.Number, f.Source));

    /// <summary>
    /// The reference outputs of one run of frames: a single forward pass from a zero state over all of them (no chunking,
    /// no carried state), as (probabilities [n x C], valence/arousal [n x 2]).
    /// </summary>
    public static (float[] Probabilities, float[] Va) WholeRun(EmotionModel model, IReadOnlyList<VideoFrame> frames)
    {
        int size = model.Info.FrameSize;
        var pipeline = new FramePipeline(new FrameTransformOptions { Width = size, Height = size, Normalization = model.Info.Normalization });
        var data = new float[frames.Count * pipeline.FrameLength];
        for (int t = 0; t < frames.Count; t++) pipeline.ProcessForEvaluation(frames[t].Source, data.AsSpan(t * pipeline.FrameLength, pipeline.FrameLength));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        model.eval();
        using var output = model.Forward(tensor(data).reshape(1, frames.Count, 3, size, size), null);
        return (output.Logits!.softmax(-1).data<float>().ToArray(), output.ValenceArousal!.data<float>().ToArray());
    }

    /// <summary>The runs of consecutive frame numbers of a video.</summary>
    public static List<List<VideoFrame>> Runs(VideoRecord video)
    {
        var runs = new List<List<VideoFrame>>();
        foreach (var frame in video.Frames)
        {
            if (runs.Count == 0 || runs[^1][^1].Number + 1 != frame.Number) runs.Add([]);
            runs[^1].Add(frame);
        }
        return runs;
    }

    /// <summary>Every value of a prediction: the probabilities, then valence and arousal.</summary>
    public static float[] Values(FramePrediction p) => [.. p.Probabilities, p.Valence ?? float.NaN, p.Arousal ?? float.NaN];

    /// <summary>Asserts that two prediction lists have the same frames and bit-identical values.</summary>
    public static void Identical(IReadOnlyList<FramePrediction> expected, IReadOnlyList<FramePrediction> actual, string what)
    {
        Assert.Equal(expected.Select(p => p.FrameNumber), actual.Select(p => p.FrameNumber));
        for (int i = 0; i < expected.Count; i++)
            Assert.True(Values(expected[i]).SequenceEqual(Values(actual[i])),
                $"{what}, frame {expected[i].FrameNumber}: expected [{string.Join(", ", Values(expected[i]))}], got [{string.Join(", ", Values(actual[i]))}]");
    }

    /// <summary>The largest absolute difference between the values of two prediction lists of the same frames.</summary>
    public static double MaxDifference(IReadOnlyList<FramePrediction> a, IReadOnlyList<FramePrediction> b)
    {
        Assert.Equal(a.Select(p => p.FrameNumber), b.Select(p => p.FrameNumber));
        double max = 0;
        for (int i = 0; i < a.Count; i++)
            max = Math.Max(max, Values(a[i]).Zip(Values(b[i]), (x, y) => Math.Abs((double)x - y)).Max());
        return max;
    }
}
