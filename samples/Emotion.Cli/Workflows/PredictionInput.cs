using Emotion.Onnx.Video;
using Emotion.Preprocessing.Frames;
using Emotion.Video;

namespace Emotion.Cli.Workflows;

/// <summary>
/// The frames of <c>emotion predict</c>'s <c>--input</c>: an image, a folder of numbered frames, or a video file decoded
/// with ffmpeg (streamed, one frame in memory at a time).
/// </summary>
public sealed class PredictionInput
{
    private readonly IReadOnlyList<NumberedFrame>? files;
    private readonly VideoReader? video;

    private PredictionInput(string path, IReadOnlyList<NumberedFrame>? files, VideoReader? video)
    {
        Path = path;
        this.files = files;
        this.video = video;
        if (video is not null) video.EndedEarly += (_, e) => EndedEarly = e;
        VideoId = System.IO.Path.GetFileNameWithoutExtension(path.TrimEnd(System.IO.Path.DirectorySeparatorChar, System.IO.Path.AltDirectorySeparatorChar));
    }

    /// <summary>The input path.</summary>
    public string Path { get; }

    /// <summary>Set when the video ended before the frames its container declares (a truncated file); null otherwise.</summary>
    public VideoEndedEarlyEventArgs? EndedEarly { get; private set; }

    /// <summary>The id written in the CSV's <c>video</c> column and looked up in a face box file: the file or folder name without extension.</summary>
    public string VideoId { get; }

    /// <summary>The decoder when the input is a video; null for images and frame folders.</summary>
    public VideoReader? Video => video;

    /// <summary>Whether the input is a video (its rows get a <c>time_s</c>).</summary>
    public bool IsVideo => video is not null;

    /// <summary>The supported extensions, for messages.</summary>
    public static string SupportedFormats =>
        $"an image ({string.Join(", ", FrameSources.ImageExtensions)}), a video ({string.Join(", ", VideoFormats.Extensions)}) or a folder of frames named by number";

    /// <summary>Opens the input: lists a folder's frames, or locates ffmpeg and probes a video.</summary>
    /// <exception cref="UsageException">The extension is not a supported image or video format.</exception>
    /// <exception cref="CommandFailedException">The folder holds no frames.</exception>
    /// <exception cref="FFmpegNotFoundException">The input is a video and ffmpeg is not installed.</exception>
    /// <exception cref="VideoDecodeException">The video is corrupt or not a video.</exception>
    public static PredictionInput Open(string path, VideoReaderOptions videoOptions)
    {
        if (Directory.Exists(path))
        {
            var frames = FrameSources.FromFolder(path);
            return frames.Count > 0 ? new PredictionInput(path, frames, null)
                : throw new CommandFailedException($"--input: folder '{path}' holds no jpg or png frames named by number.");
        }
        if (FrameSources.IsImageFile(path)) return new PredictionInput(path, FrameSources.FromFiles([path]), null);
        if (VideoFormats.IsVideoFile(path)) return new PredictionInput(path, null, new VideoReader(path, videoOptions));
        throw new UsageException($"--input: '{path}' is not a supported input; expected {SupportedFormats}.");
    }

    /// <summary>
    /// The frames in order, decoded lazily; each image is valid until the enumeration moves on. A video's kept frames are
    /// numbered 1, 2, ... in <see cref="PredictionFrame.SequenceNumber"/>, so that sampling (<c>--every</c>, <c>--fps</c>)
    /// is not a gap for the recurrent state; a folder's frames keep their file numbers, whose gaps are gaps.
    /// </summary>
    public IEnumerable<PredictionFrame> Frames(CancellationToken cancellationToken)
    {
        if (video is not null)
        {
            int kept = 0;
            foreach (var frame in video.ReadFrames(cancellationToken))
                yield return new PredictionFrame(frame.FrameNumber, frame.TimeSeconds, frame.Image) { SequenceNumber = ++kept };
            yield break;
        }
        foreach (var frame in files!)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var image = frame.Source.Decode();
            yield return new PredictionFrame(frame.Number, null, image);
        }
    }
}
