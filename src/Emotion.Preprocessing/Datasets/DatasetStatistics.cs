using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Emotion.Core;

namespace Emotion.Preprocessing.Datasets;

/// <summary>Summary of a dataset for printing: sizes, frames per category, and valence/arousal ranges over labelled frames.</summary>
/// <param name="Name">The dataset name.</param>
/// <param name="Videos">Number of videos.</param>
/// <param name="Frames">Number of available frames.</param>
/// <param name="CategoryCounts">Frames per category (index = <see cref="EmotionCategory"/> value, 8 entries including Other).</param>
/// <param name="UnlabeledCategoryFrames">Frames without a category.</param>
/// <param name="Valence">Valence statistics over frames with valence (null when none).</param>
/// <param name="Arousal">Arousal statistics over frames with arousal (null when none).</param>
public sealed record DatasetStatistics(
    string Name,
    int Videos,
    int Frames,
    ImmutableArray<int> CategoryCounts,
    int UnlabeledCategoryFrames,
    ValueStatistics? Valence,
    ValueStatistics? Arousal)
{
    /// <summary>Computes the statistics of a dataset.</summary>
    public static DatasetStatistics Compute(EmotionDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var counts = new int[EmotionCategories.WithOther.Length];
        int frames = 0, unlabeled = 0;
        var valence = new ValueAccumulator();
        var arousal = new ValueAccumulator();
        foreach (var video in dataset.Videos)
        {
            foreach (var frame in video.Frames)
            {
                frames++;
                if (frame.Label.Category is { } c) counts[(int)c]++;
                else unlabeled++;
                if (frame.Label.Valence is { } v) valence.Add(v);
                if (frame.Label.Arousal is { } a) arousal.Add(a);
            }
        }
        return new DatasetStatistics(dataset.Name, dataset.Videos.Count, frames, [.. counts], unlabeled, valence.Result(), arousal.Result());
    }

    /// <summary>Frames labelled with a category.</summary>
    public int CountOf(EmotionCategory category) => CategoryCounts[(int)category];

    /// <summary>A multi-line, human-readable summary.</summary>
    public override string ToString()
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(inv, $"{Name}: {Videos} videos, {Frames} frames\n");
        sb.Append("  categories:");
        foreach (var c in EmotionCategories.WithOther)
            sb.Append(inv, $" {c.ToName()}={CategoryCounts[(int)c]}");
        sb.Append(inv, $" unlabeled={UnlabeledCategoryFrames}\n");
        sb.Append("  valence: ").Append(Valence?.ToString() ?? "none").Append('\n');
        sb.Append("  arousal: ").Append(Arousal?.ToString() ?? "none");
        return sb.ToString();
    }

    private struct ValueAccumulator
    {
        private int _count;
        private double _sum;
        private float _min, _max;

        public void Add(float value)
        {
            if (_count == 0) { _min = value; _max = value; }
            else { _min = Math.Min(_min, value); _max = Math.Max(_max, value); }
            _sum += value;
            _count++;
        }

        public readonly ValueStatistics? Result() =>
            _count == 0 ? null : new ValueStatistics(_count, _min, _max, (float)(_sum / _count));
    }
}
