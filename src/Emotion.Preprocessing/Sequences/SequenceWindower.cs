using Emotion.Core.Sequences;
using Emotion.Preprocessing.Datasets;

namespace Emotion.Preprocessing.Sequences;

/// <summary>
/// Cuts videos into fixed-length windows (<see cref="WindowOptions"/>). A window never spans missing frames
/// (<see cref="FrameGaps"/>): each video is first split into segments of consecutive frame numbers, and every segment
/// is windowed on its own. Within a segment of n frames after subsampling, window k covers positions
/// [k·stride, k·stride + T). With <see cref="TailMode.Pad"/>, windows are produced while the start is inside the
/// segment and the previous window did not already reach its end, so the last window of a segment is padded and a
/// segment shorter than T gives exactly one padded window; with <see cref="TailMode.Drop"/> only full windows are kept.
/// Labels travel with the frames (aligned by frame number when the dataset was loaded).
/// </summary>
public static class SequenceWindower
{
    /// <summary>The windows of one video, in time order.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The options are invalid (length, stride or subsampling below 1).</exception>
    public static IReadOnlyList<SequenceWindow> Windows(VideoRecord video, WindowOptions options)
    {
        ArgumentNullException.ThrowIfNull(video);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var windows = new List<SequenceWindow>();
        AddWindows(video, options, windows);
        return windows;
    }

    /// <summary>The windows of all videos of a dataset, video by video in dataset order.</summary>
    public static IReadOnlyList<SequenceWindow> Windows(EmotionDataset dataset, WindowOptions options)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return Windows(dataset.Videos, options);
    }

    /// <summary>The windows of several videos, video by video.</summary>
    public static IReadOnlyList<SequenceWindow> Windows(IEnumerable<VideoRecord> videos, WindowOptions options)
    {
        ArgumentNullException.ThrowIfNull(videos);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var windows = new List<SequenceWindow>();
        foreach (var video in videos) AddWindows(video, options, windows);
        return windows;
    }

    private static void AddWindows(VideoRecord video, WindowOptions options, List<SequenceWindow> windows)
    {
        int k = options.Subsample, length = options.Length, stride = options.EffectiveStride;
        var numbers = new int[video.FrameCount];
        for (int i = 0; i < numbers.Length; i++) numbers[i] = video.Frames[i].Number;
        var segments = FrameGaps.Segments(numbers);
        for (int s = 0; s < segments.Count; s++)
        {
            var (offset, count) = segments[s].GetOffsetAndLength(numbers.Length);
            int n = (count + k - 1) / k; // positions after subsampling
            for (int start = 0; start < n; start += stride)
            {
                int end = Math.Min(start + length, n);
                if (end - start < length && options.Tail == TailMode.Drop) break;
                var indices = new int[end - start];
                for (int p = start; p < end; p++) indices[p - start] = offset + p * k;
                windows.Add(new SequenceWindow(video, indices, length, s, followsPrevious: start > 0 && stride == length));
                if (start + length >= n) break;
            }
        }
    }
}
