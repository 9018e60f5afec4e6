using System.Diagnostics;
using Emotion.Preprocessing.Annotations;
using Emotion.Preprocessing.Datasets;
using Emotion.Preprocessing.Frames;
using Emotion.Testing;
using Xunit.Abstractions;

namespace Emotion.Preprocessing.Tests;

public class ImageIntegrityTests(ITestOutputHelper output)
{
    public static TheoryData<string, int> Truncations()
    {
        var data = new TheoryData<string, int>();
        foreach (var asset in new[] { "grace_hopper.jpg", "astronaut.png" })
            for (int percent = 5; percent <= 95; percent += 5) data.Add(asset, percent);
        return data;
    }

    [Theory]
    [MemberData(nameof(Truncations))]
    public void TruncatedImageIsAnErrorNamingTheFile(string asset, int percent)
    {
        using var dir = new TempFolder("emotion-pre-");
        var bytes = File.ReadAllBytes(TestAssets.Path(asset));
        var path = dir.File($"cut{percent}-{asset}");
        File.WriteAllBytes(path, bytes[..(int)(bytes.LongLength * percent / 100)]);
        var ex = Assert.Throws<FrameDecodeException>(() => FrameDecoder.Decode(path));
        Assert.Contains(path, ex.Message);
        Assert.Contains("truncated", ex.Message);
        Assert.Equal(path, ex.Source);
    }

    [Theory]
    [InlineData("grace_hopper.jpg")]
    [InlineData("astronaut.png")]
    public void CompleteImagePassesTheCheckAndDecodes(string asset)
    {
        var path = TestAssets.Path(asset);
        Assert.Null(ImageIntegrity.CheckFile(path));
        using var image = FrameDecoder.Decode(path);
        Assert.True(image.Width > 0);
    }

    [Fact]
    public void BitFlipInPngChunkIsDamagedNamingChunkAndCrc()
    {
        using var dir = new TempFolder("emotion-pre-");
        var bytes = File.ReadAllBytes(TestAssets.Path("astronaut.png"));
        int idat = IndexOf(bytes, "IDAT"u8);
        bytes[idat + 4 + 100] ^= 0x10; // a bit inside the first IDAT chunk's data
        var path = dir.File("flipped.png");
        File.WriteAllBytes(path, bytes);
        var ex = Assert.Throws<FrameDecodeException>(() => FrameDecoder.Decode(path));
        Assert.Contains(path, ex.Message);
        Assert.Contains("damaged", ex.Message);
        Assert.Contains("IDAT", ex.Message);
        Assert.Contains("CRC", ex.Message);
    }

    [Fact]
    public void JpegWithoutEndMarkerIsTruncated()
    {
        var bytes = File.ReadAllBytes(TestAssets.Path("grace_hopper.jpg"));
        var reason = ImageIntegrity.Check(bytes.AsSpan(0, bytes.Length - 2));
        Assert.NotNull(reason);
        Assert.Contains("truncated", reason);
        Assert.Contains("FF D9", reason);
    }

    [Theory]
    [InlineData("empty.jpg")]
    [InlineData("empty.png")]
    public void EmptyFileSaysItIsEmpty(string name)
    {
        using var dir = new TempFolder("emotion-pre-");
        var path = dir.File(name);
        File.WriteAllBytes(path, []);
        var ex = Assert.Throws<FrameDecodeException>(() => FrameDecoder.Decode(path));
        Assert.Contains(path, ex.Message);
        Assert.Contains("is empty (0 bytes)", ex.Message);
        Assert.DoesNotContain("Decoder", ex.Message);
    }

    [Fact]
    public void InMemoryTruncatedImageIsAnErrorNamingTheSource()
    {
        var bytes = File.ReadAllBytes(TestAssets.Path("grace_hopper.jpg"));
        var source = new EncodedFrameSource(bytes.AsMemory(0, bytes.Length / 2), "camera frame 7");
        var ex = Assert.Throws<FrameDecodeException>(() => source.Decode());
        Assert.Contains("camera frame 7", ex.Message);
        Assert.Contains("truncated", ex.Message);
    }

    [Fact]
    public void DatasetSkipAndReportListsEverySkippedFile()
    {
        using var dir = new TempFolder("emotion-pre-");
        var jpeg = File.ReadAllBytes(TestAssets.Path("grace_hopper.jpg"));
        File.WriteAllBytes(dir.File("00001.jpg"), jpeg);
        File.WriteAllBytes(dir.File("00002.jpg"), jpeg[..(jpeg.Length / 3)]);
        File.WriteAllBytes(dir.File("00003.jpg"), []);
        File.WriteAllBytes(dir.File("00004.jpg"), jpeg);
        var video = VideoRecord.FromFrames("clip", FrameSources.FromFolder(dir.Path));
        var other = VideoRecord.FromFrames("broken", [new NumberedFrame(1, new FileFrameSource(dir.File("00003.jpg")))]);
        var dataset = new EmotionDataset("set", [video, other], [new AnnotationIssue("a.txt", 3, "earlier issue")]);

        var clean = dataset.WithoutDamagedFrames(out int skipped);

        Assert.Equal(3, skipped);
        Assert.Equal(["clip"], clean.Videos.Select(v => v.Id));
        Assert.Equal([1, 4], clean.Videos[0].Frames.Select(f => f.Number));
        var messages = clean.Issues.Select(i => i.ToString()).ToList();
        Assert.Contains(messages, m => m.StartsWith("a.txt:3:"));
        Assert.Contains(messages, m => m.Contains(dir.File("00002.jpg")) && m.Contains("frame 2 of video 'clip'") && m.Contains("truncated"));
        Assert.Contains(messages, m => m.Contains(dir.File("00003.jpg")) && m.Contains("frame 3 of video 'clip'") && m.Contains("empty"));
        Assert.Contains(messages, m => m.Contains(dir.File("00003.jpg")) && m.Contains("video 'broken'"));
        Assert.Contains(messages, m => m.Contains("'broken' has no undamaged frames"));
        Assert.Same(clean, clean.WithoutDamagedFrames(out int none));
        Assert.Equal(0, none);
    }

    /// <summary>Measures the check against decoding (printed; asserts only that the check is well under the decode time).</summary>
    [Trait("Category", "Slow")]
    [Theory]
    [InlineData("grace_hopper.jpg")]
    [InlineData("astronaut.png")]
    public void CheckCostIsSmallAgainstDecoding(string asset)
    {
        var bytes = File.ReadAllBytes(TestAssets.Path(asset));
        const int n = 40;
        for (int i = 0; i < 3; i++) { ImageIntegrity.Check(bytes); using var warm = SixLabors.ImageSharp.Image.Load<SixLabors.ImageSharp.PixelFormats.Rgb24>(FrameDecoder.Configuration, bytes); }
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < n; i++) Assert.Null(ImageIntegrity.Check(bytes));
        double check = sw.Elapsed.TotalMilliseconds / n;
        sw.Restart();
        for (int i = 0; i < n; i++) { using var image = SixLabors.ImageSharp.Image.Load<SixLabors.ImageSharp.PixelFormats.Rgb24>(FrameDecoder.Configuration, bytes); }
        double decode = sw.Elapsed.TotalMilliseconds / n;
        output.WriteLine($"{asset} ({bytes.Length} bytes): check {check:F3} ms, decode {decode:F3} ms, ratio {check / decode:P2}");
        Assert.True(check < decode / 5, $"check {check:F3} ms vs decode {decode:F3} ms");
    }

    private static int IndexOf(byte[] data, ReadOnlySpan<byte> pattern) => data.AsSpan().IndexOf(pattern);
}
