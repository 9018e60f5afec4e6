using Emotion.Testing;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.Video.Tests;

public sealed class VideoReaderTests(TestVideos videos) : IClassFixture<TestVideos>
{
    [Fact]
    public void ProbeReportsSizeRateDurationAndFrameCount()
    {
        var info = VideoProbe.Probe(videos.Lossless);
        Assert.Equal(TestVideos.Width, info.Width);
        Assert.Equal(TestVideos.Height, info.Height);
        Assert.Equal(TestVideos.Fps, info.FrameRate, 6);
        Assert.Equal(TestVideos.FrameCount, info.FrameCount);
        Assert.Equal(TestVideos.FrameCount / TestVideos.Fps, info.Duration, 2);
        Assert.Equal("ffv1", info.Codec);
    }

    [Fact]
    public async Task WebmHasNoRecordedFrameCountButAnEstimate()
    {
        var info = await VideoProbe.ProbeAsync(videos.Webm);
        Assert.Null(info.FrameCount);
        Assert.Equal(TestVideos.FrameCount, info.EstimatedFrameCount);
        Assert.Equal("vp9", info.Codec);
        Assert.Equal((TestVideos.Width, TestVideos.Height), (info.Width, info.Height));
    }

    [Fact]
    public void LosslessVideoDecodesToTheExactFramesWithNumbersAndTimestamps()
    {
        var frames = new List<(int Number, double Time)>();
        foreach (var frame in VideoReader.Read(videos.Lossless))
        {
            Assert.Equal(TestVideos.Width, frame.Image.Width);
            Assert.Equal(TestVideos.Height, frame.Image.Height);
            int n = frame.FrameNumber;
            foreach (var (x, y) in new[] { (0, 0), (63, 0), (17, 29), (63, 47) })
                Assert.Equal(TestVideos.Pixel(n, x, y), frame.Image[x, y]);
            frames.Add((n, frame.TimeSeconds));
        }
        Assert.Equal(TestVideos.FrameCount, frames.Count);
        for (int i = 0; i < frames.Count; i++)
        {
            Assert.Equal(i + 1, frames[i].Number);
            Assert.Equal(i / TestVideos.Fps, frames[i].Time, 4);
        }
    }

    [Theory]
    [InlineData("h264.mp4", 3)]
    [InlineData("vp9.webm", 3)]
    [InlineData("ffv1.mkv", 0)]
    public void EveryContainerDecodesEveryFrame(string file, int tolerance)
    {
        var path = Path.Combine(videos.Root, file);
        int count = 0;
        foreach (var frame in VideoReader.Read(path))
        {
            count++;
            Assert.Equal(count, frame.FrameNumber);
            var expected = TestVideos.Pixel(count, 20, 20);
            var actual = frame.Image[20, 20];
            Assert.InRange(Math.Abs(actual.R - expected.R), 0, tolerance);
            Assert.InRange(Math.Abs(actual.G - expected.G), 0, tolerance);
            Assert.InRange(Math.Abs(actual.B - expected.B), 0, tolerance);
        }
        Assert.Equal(TestVideos.FrameCount, count);
    }

    [Fact]
    public void EveryKthFrameKeepsFrames1PlusMultiplesOfK()
    {
        var reader = new VideoReader(videos.Lossless, new VideoReaderOptions { Sampling = FrameSampling.EveryNth(4) });
        var numbers = reader.ReadFrames().Select(f => f.FrameNumber).ToList();
        Assert.Equal([1, 5, 9, 13, 17, 21, 25, 29], numbers);
    }

    [Fact]
    public void TargetRateSelectsFramesByTimestamp()
    {
        // 25 fps sampled at 5 fps: one frame per 0.2 s interval, the first in each: frames 1, 6, 11, ...
        var reader = new VideoReader(videos.Lossless, new VideoReaderOptions { Sampling = FrameSampling.TargetRate(5) });
        var frames = reader.ReadFrames().Select(f => (f.FrameNumber, f.TimeSeconds)).ToList();
        Assert.Equal([1, 6, 11, 16, 21, 26], frames.Select(f => f.FrameNumber));
        for (int i = 0; i < frames.Count; i++) Assert.Equal(0.2 * i, frames[i].TimeSeconds, 4);
        // 10 fps from 25 fps: intervals of 0.1 s hold frames at 0, 0.04, 0.08 | 0.12, 0.16 | 0.2, ... -> 1, 4, 6, 9, 11, ...
        var ten = new VideoReader(videos.Lossless, new VideoReaderOptions { Sampling = FrameSampling.TargetRate(10) })
            .ReadFrames().Select(f => f.FrameNumber).ToList();
        Assert.Equal([1, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 29], ten);
        // A rate above the video's keeps every frame.
        Assert.Equal(TestVideos.FrameCount, new VideoReader(videos.Lossless, new VideoReaderOptions { Sampling = FrameSampling.TargetRate(60) }).ReadFrames().Count());
    }

    [Fact]
    public void SelectorOnVariableFrameRateTimestampsKeepsTheFirstFrameOfEachInterval()
    {
        var selector = FrameSampling.TargetRate(2).CreateSelector(); // intervals of 0.5 s from the first frame at 0.1 s
        double[] times = [0.1, 0.3, 0.55, 0.61, 0.62, 1.2, 1.25, 2.9];
        var kept = times.Select((t, i) => selector.Keep(i + 1, t)).ToArray();
        Assert.Equal([true, false, false, true, false, true, false, true], kept);
    }

    [Fact]
    public async Task AsyncEnumerationGivesTheSameFrames()
    {
        var reader = new VideoReader(videos.Lossless, new VideoReaderOptions { Sampling = FrameSampling.EveryNth(3), MaxFrames = 5 });
        var numbers = new List<int>();
        var pixels = new List<Rgb24>();
        await foreach (var frame in reader.ReadFramesAsync())
        {
            numbers.Add(frame.FrameNumber);
            pixels.Add(frame.Image[10, 10]);
        }
        Assert.Equal([1, 4, 7, 10, 13], numbers);
        Assert.Equal(numbers.Select(n => TestVideos.Pixel(n, 10, 10)), pixels);
    }

    [Fact]
    public void MaxFramesStopsEarly()
    {
        var reader = new VideoReader(videos.Lossless, new VideoReaderOptions { MaxFrames = 3 });
        Assert.Equal([1, 2, 3], reader.ReadFrames().Select(f => f.FrameNumber));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void StoppingEarlyKillsFfmpeg()
    {
        // A long video, so that ffmpeg is still running when the consumer stops.
        var dir = videos.NewFolder();
        var path = Path.Combine(dir, "long.avi");
        FFmpegTestTool.Run($"-f lavfi -i testsrc=size=320x240:rate=25 -t 20 -c:v mpeg4 -q:v 31 \"{path}\"");
        var reader = new VideoReader(path);
        foreach (var frame in reader.ReadFrames())
        {
            Assert.NotEmpty(FFmpegTestTool.ProcessesMentioning(path));
            if (frame.FrameNumber == 2) break;
        }
        AssertGone(path);

        using var cancel = new CancellationTokenSource();
        int last = 0;
        var ex = Assert.ThrowsAny<OperationCanceledException>(() =>
        {
            foreach (var frame in reader.ReadFrames(cancel.Token))
            {
                last = frame.FrameNumber;
                if (frame.FrameNumber == 3) cancel.Cancel();
            }
        });
        AssertGone(path);
        // The next frame is not delivered: the enumeration stops at once, for the caller's own token.
        Assert.Equal(3, last);
        Assert.Equal(cancel.Token, ex.CancellationToken);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void MegamindProbesAndDecodes270Frames()
    {
        var path = TestAssets.Path("Megamind.avi");
        var reader = new VideoReader(path, new VideoReaderOptions { Sampling = FrameSampling.EveryNth(30) });
        Assert.Equal(720, reader.Info.Width);
        Assert.Equal(528, reader.Info.Height);
        Assert.Equal(270, reader.Info.FrameCount);
        Assert.Equal(2997.0 / 125.0, reader.Info.FrameRate, 3);
        var frames = reader.ReadFrames().Select(f => (f.FrameNumber, f.TimeSeconds, Mean: MeanBrightness(f.Image))).ToList();
        Assert.Equal([1, 31, 61, 91, 121, 151, 181, 211, 241], frames.Select(f => f.FrameNumber));
        // The first packet has pts 1 in this file (packed B-frames): frame n is shown at n / 23.976 s.
        for (int i = 0; i < frames.Count; i++) Assert.Equal(frames[i].FrameNumber * 125.0 / 2997.0, frames[i].TimeSeconds, 3);
        Assert.True(frames.Skip(1).All(f => f.Mean > 10), "frames after the first should not be black");
        var full = new VideoReader(path);
        int warnings = 0;
        full.EndedEarly += (_, _) => warnings++;
        Assert.Equal(270, full.ReadFrames().Count());
        Assert.Equal(0, warnings);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task MegamindCutInHalfWarnsHowManyFramesWereReadOfHowManyDeclared()
    {
        var bytes = File.ReadAllBytes(TestAssets.Path("Megamind.avi"));
        var path = Path.Combine(videos.NewFolder(), "half.avi");
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var reader = new VideoReader(path);
        var events = new List<VideoEndedEarlyEventArgs>();
        reader.EndedEarly += (sender, e) => { Assert.Same(reader, sender); events.Add(e); };

        int read = reader.ReadFrames().Count();
        var e = Assert.Single(events);
        Assert.Equal(read, e.FramesRead);
        Assert.InRange(read, 100, 160); // 128 with ffmpeg 7
        Assert.Equal(270, e.FramesDeclared);
        Assert.Equal(path, e.Path);
        Assert.Contains($"video '{path}' ended early: ffmpeg read {read} of the 270 frames the file declares", e.Message);

        int asyncRead = 0;
        await foreach (var _ in reader.ReadFramesAsync()) asyncRead++;
        Assert.Equal(2, events.Count);
        Assert.Equal(asyncRead, events[1].FramesRead);

        int limited = new VideoReader(path, new VideoReaderOptions { MaxFrames = 5 }).ReadFrames().Count();
        Assert.Equal(5, limited);
        Assert.Equal(2, events.Count); // another reader; and a limited read never warns
    }

    [Theory]
    [InlineData(128, 270, true)]
    [InlineData(265, 270, false)]
    [InlineData(264, 270, true)]
    [InlineData(47, 50, true)]
    [InlineData(980, 1000, false)]
    [InlineData(979, 1000, true)]
    [InlineData(5, 0, false)]
    public void IsShortAllowsASmallTolerance(long read, long declared, bool expected) =>
        Assert.Equal(expected, VideoReader.IsShort(read, declared));

    [Fact]
    public void CorruptFileNamesTheFileAndQuotesFfmpeg()
    {
        var path = Path.Combine(videos.NewFolder(), "broken.mp4");
        var bytes = new byte[4096];
        new Random(3).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<VideoDecodeException>(() => new VideoReader(path));
        Assert.Contains("broken.mp4", e.Message);
        Assert.Contains("Invalid data", e.Message);
    }

    [Fact]
    public void TruncatedVideoNamesTheFile()
    {
        var path = Path.Combine(videos.NewFolder(), "truncated.avi");
        var bytes = File.ReadAllBytes(videos.Mp4);
        File.WriteAllBytes(path, bytes.AsSpan(0, 600).ToArray());
        var e = Assert.ThrowsAny<IOException>(() => new VideoReader(path).ReadFrames().Count());
        Assert.Contains("truncated.avi", e.Message);
    }

    [Fact]
    public void MissingFfmpegSaysWhatToInstall()
    {
        var empty = videos.NewFolder();
        var e = Assert.Throws<FFmpegNotFoundException>(() => new VideoReader(videos.Lossless, new VideoReaderOptions { BinaryFolder = empty }));
        Assert.Contains("apt-get install ffmpeg", e.Message);
        Assert.Contains("brew install ffmpeg", e.Message);
        Assert.Contains(empty, e.Message);
    }

    [Fact]
    public void MissingFileNamesThePath()
    {
        var path = Path.Combine(videos.Root, "nowhere.mp4");
        var e = Assert.Throws<FileNotFoundException>(() => new VideoReader(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void InvalidOptionsAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => FrameSampling.EveryNth(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => FrameSampling.TargetRate(0));
        Assert.Throws<ArgumentException>(() => new VideoReader(videos.Lossless, new VideoReaderOptions { MaxFrames = 0 }));
    }

    private static void AssertGone(string path)
    {
        for (int i = 0; i < 50 && FFmpegTestTool.ProcessesMentioning(path).Count > 0; i++) Thread.Sleep(100);
        Assert.Empty(FFmpegTestTool.ProcessesMentioning(path));
    }

    private static double MeanBrightness(SixLabors.ImageSharp.Image<Rgb24> image)
    {
        long sum = 0;
        for (int y = 0; y < image.Height; y += 8)
            for (int x = 0; x < image.Width; x += 8)
            {
                var p = image[x, y];
                sum += p.R + p.G + p.B;
            }
        return sum / (3.0 * (image.Height / 8) * (image.Width / 8));
    }
}
