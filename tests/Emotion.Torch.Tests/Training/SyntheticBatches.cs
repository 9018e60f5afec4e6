using Emotion.Core;
using Emotion.Core.Data;
using Emotion.Torch.Heads;
using Emotion.Torch.Backbones;
using Emotion.Torch.Models;
using Emotion.Torch.Training;

namespace Emotion.Torch.Tests.Training;

/// <summary>
/// In-test synthetic data: each frame shows a bright square whose position (a 3 x 3 grid, first 7 cells) and colour
/// are set by its category; valence = 0.8 cos(2 pi c / 7), arousal = 0.8 sin(2 pi c / 7) plus small noise. Pixels are in
/// [-1, 1] with background noise.
/// </summary>
internal static class SyntheticBatches
{
    public static List<SequenceBatch> Create(int batches, int batchSize, int frames, int size, int seed, double unlabeled = 0.1, string video = "v")
    {
        var random = new Random(seed);
        var result = new List<SequenceBatch>(batches);
        int cell = size / 3, blob = Math.Max(2, size / 4);
        for (int k = 0; k < batches; k++)
        {
            var batch = new SequenceBatch(batchSize, frames, size, size);
            for (int b = 0; b < batchSize; b++)
            {
                batch.VideoIds[b] = $"{video}{k}_{b}";
                for (int t = 0; t < frames; t++)
                {
                    int c = random.Next(7);
                    int i = batch.Index(b, t);
                    batch.FrameMask[i] = true;
                    batch.FrameNumbers[i] = t + 1;
                    float valence = (float)Math.Clamp(0.8 * Math.Cos(2 * Math.PI * c / 7) + 0.05 * (random.NextDouble() - 0.5), -1, 1);
                    float arousal = (float)Math.Clamp(0.8 * Math.Sin(2 * Math.PI * c / 7) + 0.05 * (random.NextDouble() - 0.5), -1, 1);
                    batch.SetLabel(b, t, random.NextDouble() < unlabeled
                        ? new FrameLabel(null, valence, null)
                        : new FrameLabel((EmotionCategory)c, valence, arousal));
                    var pixels = batch.Frame(b, t);
                    for (int p = 0; p < pixels.Length; p++) pixels[p] = -1f + 0.3f * random.NextSingle();
                    int x0 = (c % 3) * cell + (cell - blob) / 2, y0 = (c / 3) * cell + (cell - blob) / 2;
                    for (int ch = 0; ch < 3; ch++)
                    {
                        float value = ((c + ch) % 3) == 0 ? 1f : 0.2f;
                        for (int y = y0; y < y0 + blob; y++)
                            for (int x = x0; x < x0 + blob; x++)
                                pixels[(ch * size + y) * size + x] = value;
                    }
                }
            }
            result.Add(batch);
        }
        return result;
    }

    /// <summary>A small CNN + GRU model at <paramref name="size"/> px.</summary>
    public static EmotionModel Model(EmotionTask task, int size = 32, int frames = 4, int seed = 7, int hidden = 24, double width = 0.5,
        HeadSpec? head = null) =>
        EmotionModel.Create()
            .WithInput(frames: frames, size: size)
            .WithBackbone(BackboneSpec.SmallCnn(widthMultiplier: width))
            .WithRecurrentHead(head ?? HeadSpec.Gru(hidden: hidden))
            .ForTask(task)
            .WithSeed(seed)
            .Build();

    /// <summary>Records every report synchronously (System.Progress would post them to the thread pool).</summary>
    public sealed class Recorder : IProgress<TrainingProgress>
    {
        public List<TrainingProgress> Reports { get; } = [];
        public Action<TrainingProgress>? OnReport { get; init; }
        public void Report(TrainingProgress value)
        {
            Reports.Add(value);
            OnReport?.Invoke(value);
        }

        public double[] StepLosses => Reports.Where(r => r.Phase == TrainingPhase.Step).Select(r => r.Loss).ToArray();
    }
}
