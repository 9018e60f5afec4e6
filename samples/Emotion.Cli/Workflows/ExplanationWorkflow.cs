using Emotion.Core.Data;
using Emotion.Preprocessing.Frames;
using Emotion.Preprocessing.Transforms;
using Emotion.Torch.Interpretability;
using Emotion.Torch.Models;
using Emotion.Torch.Training;
using Emotion.Visualization.Heatmaps;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Emotion.Cli.Workflows;

/// <summary>
/// Explains a model's outputs on the frames of one video: frames go through the model in sequences of its training length
/// (so the gradient flows back through the recurrent head), and each frame's map is drawn over the frame.
/// </summary>
public static class ExplanationWorkflow
{
    /// <summary>One explained sequence: the frames (resized to the model's input) and their maps.</summary>
    /// <param name="Frames">The frames as the model saw them (square, the model's size).</param>
    /// <param name="Result">The maps, one per frame, normalised to [0, 1] unless the options said otherwise.</param>
    public sealed record ExplainedSequence(IReadOnlyList<Image<Rgb24>> Frames, ExplanationResult Result) : IDisposable
    {
        /// <inheritdoc />
        public void Dispose()
        {
            foreach (var frame in Frames) frame.Dispose();
        }
    }

    /// <summary>Explains <paramref name="frames"/> (one sequence) for <paramref name="target"/>.</summary>
    public static ExplainedSequence ExplainSequence(EmotionExplainer explainer, IReadOnlyList<NumberedFrame> frames, IExplanationTarget target)
    {
        var info = explainer.Model.Info;
        var pipeline = new FramePipeline(new FrameTransformOptions { Width = info.FrameSize, Height = info.FrameSize, Normalization = info.Normalization });
        var batch = new SequenceBatch(1, frames.Count, info.FrameSize, info.FrameSize);
        var images = new List<Image<Rgb24>>(frames.Count);
        for (int t = 0; t < frames.Count; t++)
        {
            using var image = frames[t].Source.Decode();
            pipeline.ProcessForEvaluation(image, batch.Frame(0, t));
            images.Add(image.Clone(c => c.Resize(info.FrameSize, info.FrameSize)));
        }
        using var input = SequenceBatchTensors.Frames(batch, explainer.Model.Device);
        return new ExplainedSequence(images, explainer.Explain(input, target));
    }

    /// <summary>
    /// Explains every frame of a video for <paramref name="target"/> and writes one overlay PNG per frame into
    /// <paramref name="outputDirectory"/> (named <c>NNNNN_TARGET.png</c> after the frame number). Returns the files written.
    /// </summary>
    public static IReadOnlyList<string> WriteOverlays(EmotionExplainer explainer, IReadOnlyList<NumberedFrame> frames, IExplanationTarget target,
        string outputDirectory, HeatmapOverlayOptions? overlay = null, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(outputDirectory);
        var written = new List<string>();
        int length = Math.Max(1, explainer.Model.Info.SequenceLength);
        foreach (var chunk in frames.Chunk(length))
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var explained = ExplainSequence(explainer, chunk, target);
            for (int t = 0; t < chunk.Length; t++)
            {
                using var image = HeatmapOverlay.Render(explained.Frames[t], explained.Result.Map(0, t), explained.Result.Height, explained.Result.Width, overlay);
                string path = Path.Combine(outputDirectory, $"{chunk[t].Number:D5}_{explained.Result.Target}.png");
                image.SaveAsPng(path);
                written.Add(path);
            }
        }
        return written;
    }
}
