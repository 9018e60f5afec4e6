using Emotion.Core;
using Emotion.Preprocessing.Datasets;
using Emotion.Preprocessing.Frames;
using Emotion.Preprocessing.Transforms;

namespace Emotion.Onnx.Export.Quantization;

/// <summary>
/// The frames <see cref="OnnxQuantizer"/> runs the fp32 model on to observe activation ranges: short sequences of
/// preprocessed frames (<c>[T, 3, H, W]</c> floats each, normalised as the model expects). Build it from a dataset
/// folder (<see cref="FromFolder"/>), an <see cref="EmotionDataset"/> (<see cref="FromDataset"/>) or ready tensors
/// (<see cref="FromSequences"/>). Immutable.
/// </summary>
public sealed class CalibrationData
{
    private CalibrationData(IReadOnlyList<float[]> sequences, int frameLength, string description)
    {
        Sequences = sequences;
        FrameLength = frameLength;
        Description = description;
        FrameCount = sequences.Sum(s => s.Length / frameLength);
    }

    /// <summary>The sequences, each a multiple of <see cref="FrameLength"/> floats (frames in time order).</summary>
    public IReadOnlyList<float[]> Sequences { get; }

    /// <summary>Floats per frame (3 x H x W).</summary>
    public int FrameLength { get; }

    /// <summary>Frames over all sequences.</summary>
    public int FrameCount { get; }

    /// <summary>Where the frames come from (for reports and errors).</summary>
    public string Description { get; }

    /// <summary>Calibration data from preprocessed sequences (each a whole number of frames of <paramref name="frameLength"/> floats).</summary>
    /// <exception cref="ArgumentException">No sequence, an empty or ragged sequence, or a non-finite value.</exception>
    public static CalibrationData FromSequences(IEnumerable<float[]> sequences, int frameLength, string description = "in-memory frames")
    {
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentOutOfRangeException.ThrowIfLessThan(frameLength, 1);
        var list = sequences.ToList();
        if (list.Count == 0) throw new ArgumentException("Calibration needs at least one sequence of frames; none was given.", nameof(sequences));
        for (int i = 0; i < list.Count; i++)
        {
            var s = list[i] ?? throw new ArgumentException($"Calibration sequence {i} is null.", nameof(sequences));
            if (s.Length == 0 || s.Length % frameLength != 0)
                throw new ArgumentException($"Calibration sequence {i} has {s.Length} floats; expected a positive multiple of {frameLength} (3 x H x W per frame).", nameof(sequences));
            int bad = Array.FindIndex(s, v => !float.IsFinite(v));
            if (bad >= 0) throw new ArgumentException($"Calibration sequence {i} has the non-finite value {s[bad]} at {bad}.", nameof(sequences));
        }
        return new CalibrationData(list, frameLength, description);
    }

    /// <summary>
    /// Calibration frames from a dataset: up to <paramref name="maxFrames"/> frames in windows of
    /// <paramref name="sequenceLength"/> consecutive frames, spread evenly over the videos (round robin) and within each
    /// video, preprocessed by the evaluation pipeline (resize to the model's size, <paramref name="info"/>'s normalisation).
    /// </summary>
    /// <exception cref="ArgumentException">The dataset has no frame.</exception>
    /// <exception cref="FrameDecodeException">A frame cannot be decoded (the message names it).</exception>
    public static CalibrationData FromDataset(EmotionDataset dataset, EmotionModelInfo info, int maxFrames = 256, int? sequenceLength = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return FromVideos(dataset.Videos.Select(v => (v.Id, (IReadOnlyList<IFrameSource>)v.Frames.Select(f => f.Source).ToList())).ToList(),
            info, maxFrames, sequenceLength, $"{dataset.Name} ({dataset.Videos.Count} videos)");
    }

    /// <summary>
    /// Calibration frames from a folder or manifest, like the CLI's training data: an Aff-Wild2 root (the videos of the
    /// <c>Training_Set</c> split when <c>annotations/</c> names them, otherwise every folder of <c>cropped_aligned/</c>);
    /// a CSV manifest file; or any folder of face crops (<c>.jpg</c>, <c>.jpeg</c>, <c>.png</c>, searched recursively,
    /// each folder one sequence in file-name order). Sampled as in <see cref="FromDataset"/>.
    /// </summary>
    /// <exception cref="FileNotFoundException">Nothing exists at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The folder has no image file.</exception>
    /// <exception cref="FrameDecodeException">A frame cannot be decoded.</exception>
    public static CalibrationData FromFolder(string path, EmotionModelInfo info, int maxFrames = 256, int? sequenceLength = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = Path.GetFullPath(path);
        if (File.Exists(full))
        {
            if (!string.Equals(Path.GetExtension(full), ".csv", StringComparison.OrdinalIgnoreCase))
                throw new InvalidDataException($"Calibration data '{path}' is a file but not a CSV manifest; give a folder of face crops, an Aff-Wild2 root or a .csv manifest.");
            return FromDataset(CsvManifestDataset.Load(full), info, maxFrames, sequenceLength);
        }
        if (!Directory.Exists(full)) throw new FileNotFoundException($"Calibration data '{path}' does not exist.", full);

        var videos = new List<(string Id, IReadOnlyList<IFrameSource> Frames)>();
        string framesRoot = AffWild2Layout.FramesRoot(full);
        if (Directory.Exists(framesRoot))
        {
            var ids = TrainingVideoIds(full) ?? Directory.EnumerateDirectories(framesRoot).Select(Path.GetFileName).OfType<string>();
            foreach (var id in ids.Order(StringComparer.Ordinal))
            {
                string folder = AffWild2Layout.VideoFramesFolder(framesRoot, id);
                if (!Directory.Exists(folder)) continue;
                var frames = FrameSources.FromFolder(folder);
                if (frames.Count > 0) videos.Add((id, frames.Select(f => f.Source).ToList()));
            }
        }
        if (videos.Count == 0)
        {
            foreach (var group in Directory.EnumerateFiles(full, "*", SearchOption.AllDirectories)
                         .Where(FrameSources.IsImageFile)
                         .GroupBy(f => Path.GetDirectoryName(f) ?? "")
                         .OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var files = group.Order(StringComparer.Ordinal).ToList();
                videos.Add((Path.GetRelativePath(full, group.Key), FrameSources.FromFiles(files).Select(f => f.Source).ToList()));
            }
        }
        if (videos.Count == 0)
            throw new InvalidDataException(
                $"Calibration folder '{path}' has no face images ({string.Join(", ", FrameSources.ImageExtensions)}), neither in {AffWild2Layout.FramesFolder}/ nor in any subfolder.");
        return FromVideos(videos, info, maxFrames, sequenceLength, $"{path} ({videos.Count} {(videos.Count == 1 ? "folder" : "videos")})");
    }

    /// <summary>The videos of the training split named by annotation files, or null when there is no annotation folder.</summary>
    private static IEnumerable<string>? TrainingVideoIds(string root)
    {
        string annotations = AffWild2Layout.AnnotationsRoot(root);
        if (!Directory.Exists(annotations)) return null;
        var ids = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var set in new[] { AffWild2Layout.ExpressionSet, AffWild2Layout.ValenceArousalSet })
        {
            string folder = AffWild2Layout.SplitFolder(annotations, set, AffWild2Layout.TrainingSplit);
            if (!Directory.Exists(folder)) continue;
            foreach (var file in Directory.EnumerateFiles(folder, "*.txt")) ids.Add(Path.GetFileNameWithoutExtension(file));
        }
        return ids.Count > 0 ? ids : null;
    }

    private static CalibrationData FromVideos(IReadOnlyList<(string Id, IReadOnlyList<IFrameSource> Frames)> videos, EmotionModelInfo info,
        int maxFrames, int? sequenceLength, string description)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFrames, 1);
        int length = Math.Clamp(sequenceLength ?? info.SequenceLength, 1, 16);
        var windows = SelectWindows(videos.Select(v => v.Frames.Count).ToList(), length, maxFrames);
        if (windows.Count == 0) throw new ArgumentException($"Calibration data {description} has no frame.");
        var pipeline = new FramePipeline(new FrameTransformOptions { Width = info.FrameSize, Height = info.FrameSize, Normalization = info.Normalization });
        int frameLength = pipeline.FrameLength;
        var sequences = new List<float[]>(windows.Count);
        foreach (var (video, start, count) in windows)
        {
            var data = new float[count * frameLength];
            for (int t = 0; t < count; t++)
                pipeline.ProcessForEvaluation(videos[video].Frames[start + t], data.AsSpan(t * frameLength, frameLength));
            sequences.Add(data);
        }
        return new CalibrationData(sequences, frameLength, description);
    }

    /// <summary>
    /// Windows of <paramref name="length"/> consecutive frames (shorter for a shorter video): one more window per video
    /// in turn until <paramref name="maxFrames"/> frames are chosen or every video is used up; each video's windows are
    /// then spread evenly over it. The last window is cut so that the total is at most <paramref name="maxFrames"/>.
    /// </summary>
    internal static List<(int Video, int Start, int Count)> SelectWindows(IReadOnlyList<int> frameCounts, int length, int maxFrames)
    {
        var capacity = frameCounts.Select(n => n <= 0 ? 0 : Math.Max(1, n / length)).ToArray();
        var quota = new int[frameCounts.Count];
        int total = 0;
        bool added = true;
        while (total < maxFrames && added)
        {
            added = false;
            for (int v = 0; v < frameCounts.Count && total < maxFrames; v++)
            {
                if (quota[v] >= capacity[v]) continue;
                quota[v]++;
                total += Math.Min(length, frameCounts[v]);
                added = true;
            }
        }
        var windows = new List<(int, int, int)>();
        int remaining = maxFrames;
        for (int v = 0; v < frameCounts.Count; v++)
        {
            int n = frameCounts[v], q = quota[v];
            int size = Math.Min(length, n);
            for (int k = 0; k < q && remaining > 0; k++)
            {
                // Starts spread evenly over [0, n - size].
                int start = q == 1 ? (n - size) / 2 : (int)((long)k * (n - size) / (q - 1));
                int count = Math.Min(size, remaining);
                windows.Add((v, start, count));
                remaining -= count;
            }
        }
        return windows;
    }
}
