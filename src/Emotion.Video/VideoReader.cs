using System.Runtime.CompilerServices;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.Video;

/// <summary>
/// Decodes a video file (mp4, avi, mkv, webm, or anything else ffmpeg reads) into RGB frames, streamed: ffmpeg writes
/// raw rgb24 frames to a pipe, each frame is read into one reused <see cref="Image{Rgb24}"/>, nothing is written to
/// disk, and memory stays flat for a video of any length. Frames come with their 1-based frame number and timestamp;
/// <see cref="VideoReaderOptions.Sampling"/> keeps every frame, every k-th frame, or a target rate.
/// </summary>
/// <remarks>
/// <para>Each enumeration of <see cref="ReadFrames"/> or <see cref="ReadFramesAsync"/> runs its own ffmpeg process, which
/// is killed when the enumeration stops early (break, <see cref="VideoReaderOptions.MaxFrames"/>, an exception, or
/// cancellation). A reader can be enumerated several times, also concurrently.</para>
/// <para>The <see cref="DecodedFrame.Image"/> of a frame is overwritten by the next frame: clone it to keep it.</para>
/// </remarks>
public sealed class VideoReader
{
    private readonly string ffmpeg;

    /// <summary>Locates ffmpeg and ffprobe and probes the video.</summary>
    /// <param name="path">The video file.</param>
    /// <param name="options">Sampling, frame limit and binary folder (defaults when null).</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FFmpegNotFoundException">ffmpeg or ffprobe is not installed; the message says what to install.</exception>
    /// <exception cref="VideoDecodeException">The file is not a readable video; the message names it and quotes ffprobe.</exception>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public VideoReader(string path, VideoReaderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Options = (options ?? VideoReaderOptions.Default).Validate();
        Path = path;
        if (!File.Exists(path))
            throw new FileNotFoundException(Directory.Exists(path)
                ? $"Video '{path}' is a folder, not a video file."
                : $"Video file '{path}' does not exist.", path);
        var binaries = FFmpegBinaries.Locate(Options.BinaryFolder);
        ffmpeg = binaries.FFmpegPath;
        Info = VideoProbe.Probe(path, binaries.FFprobeFolder);
    }

    /// <summary>The video file.</summary>
    public string Path { get; }

    /// <summary>The options in use.</summary>
    public VideoReaderOptions Options { get; }

    /// <summary>What ffprobe reported about the video.</summary>
    public VideoInfo Info { get; }

    /// <summary>
    /// Raised at the end of an enumeration that read the whole stream (not stopped by
    /// <see cref="VideoReaderOptions.MaxFrames"/>, a break or cancellation) when ffmpeg decoded fewer frames than the
    /// container declares, beyond a small tolerance (<see cref="IsShort"/>): a truncated file otherwise ends silently.
    /// </summary>
    public event EventHandler<VideoEndedEarlyEventArgs>? EndedEarly;

    /// <summary>
    /// Whether <paramref name="read"/> frames fall short of <paramref name="declared"/>: more than 2 frames and more than
    /// 2 % missing (declared counts from a duration are estimates, and some containers count a frame or two more than
    /// ffmpeg outputs). Always false when nothing is declared.
    /// </summary>
    public static bool IsShort(long read, long declared) => declared > 0 && declared - read > Math.Max(2, declared * 0.02);

    /// <summary>Decodes every frame of <paramref name="path"/> with the default options (see <see cref="ReadFrames"/>).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FFmpegNotFoundException">ffmpeg or ffprobe is not installed.</exception>
    /// <exception cref="VideoDecodeException">The file is not a readable video.</exception>
    public static IEnumerable<DecodedFrame> Read(string path, VideoReaderOptions? options = null) => new VideoReader(path, options).ReadFrames();

    /// <summary>The kept frames, in order, decoded lazily as the enumeration advances.</summary>
    /// <param name="cancellationToken">Stops decoding (ffmpeg is killed) and throws <see cref="OperationCanceledException"/>.</param>
    /// <exception cref="VideoDecodeException">ffmpeg failed part-way or decoded no frame; the message quotes it.</exception>
    public IEnumerable<DecodedFrame> ReadFrames(CancellationToken cancellationToken = default)
    {
        using var pass = new DecodingPass(this, cancellationToken);
        while (!pass.Complete)
        {
            var header = pass.Decoder.ReadHeader(cancellationToken);
            if (header is null) break;
            var target = pass.Begin(header.Value);
            if (!pass.Decoder.ReadPixels(target.Span)) pass.ThrowTruncated(header.Value);
            if (pass.Produce() is { } frame) yield return frame;
        }
        if (!pass.Complete) pass.FinishDecoding(() => pass.Decoder.Finish());
    }

    /// <summary>The kept frames, in order, decoded as the asynchronous enumeration advances.</summary>
    /// <param name="cancellationToken">Stops decoding (ffmpeg is killed) and throws <see cref="OperationCanceledException"/>.</param>
    /// <exception cref="VideoDecodeException">ffmpeg failed part-way or decoded no frame; the message quotes it.</exception>
    public async IAsyncEnumerable<DecodedFrame> ReadFramesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var pass = new DecodingPass(this, cancellationToken);
        while (!pass.Complete)
        {
            var header = await pass.Decoder.ReadHeaderAsync(cancellationToken).ConfigureAwait(false);
            if (header is null) break;
            var target = pass.Begin(header.Value);
            if (!await pass.Decoder.ReadPixelsAsync(target, cancellationToken).ConfigureAwait(false)) pass.ThrowTruncated(header.Value);
            if (pass.Produce() is { } frame) yield return frame;
        }
        if (!pass.Complete)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                await pass.Decoder.FinishAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                pass.CheckDecodedAny();
            }
            pass.CheckEndedEarly();
        }
    }

    /// <summary>
    /// The state of one enumeration: the ffmpeg process, the frame selector, and the reused pixel buffer wrapped by the
    /// frame image (reallocated only if the frame size changes mid-stream).
    /// </summary>
    private sealed class DecodingPass : IDisposable
    {
        private readonly VideoReader reader;
        private readonly CancellationToken cancellationToken;
        private readonly CancellationTokenRegistration registration;
        private FrameSelector selector;
        private byte[] buffer = [];
        private Image<Rgb24>? image;
        private FrameHeader current;
        private bool keep;
        private int decoded;
        private int kept;

        public DecodingPass(VideoReader reader, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            this.reader = reader;
            this.cancellationToken = cancellationToken;
            selector = reader.Options.Sampling.CreateSelector();
            Decoder = FFmpegFrameDecoder.Start(reader.ffmpeg, reader.Path);
            registration = cancellationToken.Register(static d => ((FFmpegFrameDecoder)d!).Kill(), Decoder);
        }

        public FFmpegFrameDecoder Decoder { get; }

        /// <summary>Whether the frame limit was reached (the rest of the video is not decoded).</summary>
        public bool Complete => reader.Options.MaxFrames is { } max && kept >= max;

        /// <summary>Starts a frame: decides whether it is kept and returns where its pixels go.</summary>
        public Memory<byte> Begin(FrameHeader header)
        {
            cancellationToken.ThrowIfCancellationRequested();
            current = header;
            decoded++;
            double time = double.IsNaN(header.TimeSeconds)
                ? reader.Info.FrameRate > 0 ? header.Index / reader.Info.FrameRate : 0
                : header.TimeSeconds;
            current = header with { TimeSeconds = time };
            keep = selector.Keep(header.Index + 1, time);
            int length = checked(header.Width * header.Height * 3);
            if (buffer.Length != length || image is null || image.Width != header.Width || image.Height != header.Height)
            {
                image?.Dispose();
                buffer = new byte[length];
                image = Image.WrapMemory<Rgb24>(buffer.AsMemory(), header.Width, header.Height);
            }
            return buffer;
        }

        /// <summary>The frame just read, or null when it is skipped.</summary>
        public DecodedFrame? Produce()
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!keep) return null;
            kept++;
            return new DecodedFrame(current.Index + 1, current.TimeSeconds, image!);
        }

        public void ThrowTruncated(FrameHeader header)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Decoder.Kill();
            throw new VideoDecodeException(reader.Path,
                $"ffmpeg's output ended in the middle of frame {header.Index + 1} ({header.Width}x{header.Height}): {Decoder.Said()}");
        }

        public void FinishDecoding(Action finish)
        {
            cancellationToken.ThrowIfCancellationRequested();
            finish();
            CheckDecodedAny();
            CheckEndedEarly();
        }

        /// <summary>Raises <see cref="EndedEarly"/> when the whole stream was read and it is short of the declared frames.</summary>
        public void CheckEndedEarly()
        {
            long declared = reader.Info.EstimatedFrameCount;
            if (IsShort(decoded, declared))
                reader.EndedEarly?.Invoke(reader, new VideoEndedEarlyEventArgs(reader.Path, decoded, declared, reader.Info.Duration));
        }

        public void CheckDecodedAny()
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (decoded == 0)
                throw new VideoDecodeException(reader.Path, $"ffmpeg decoded no frames: {Decoder.Said()}");
        }

        public void Dispose()
        {
            registration.Dispose();
            Decoder.Dispose();
            image?.Dispose();
        }
    }
}
