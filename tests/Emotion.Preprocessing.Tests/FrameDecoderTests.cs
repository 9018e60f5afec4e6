using Emotion.Preprocessing.Frames;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using Emotion.Testing;

namespace Emotion.Preprocessing.Tests;

public class FrameDecoderTests
{
    [Fact]
    public void GrayscalePngBecomesEqualRgb()
    {
        using var dir = new TempFolder("emotion-pre-");
        using (var img = new Image<L8>(3, 2))
        {
            img[0, 0] = new L8(0); img[1, 0] = new L8(77); img[2, 1] = new L8(255);
            img.SaveAsPng(dir.File("g.png"), new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit8 });
        }
        using var rgb = FrameDecoder.Decode(dir.File("g.png"));
        Assert.Equal(new Rgb24(0, 0, 0), rgb[0, 0]);
        Assert.Equal(new Rgb24(77, 77, 77), rgb[1, 0]);
        Assert.Equal(new Rgb24(255, 255, 255), rgb[2, 1]);
    }

    [Fact]
    public void RgbaPngDropsAlphaKeepsColour()
    {
        using var dir = new TempFolder("emotion-pre-");
        using (var img = new Image<Rgba32>(2, 1))
        {
            img[0, 0] = new Rgba32(10, 20, 30, 255);
            img[1, 0] = new Rgba32(200, 100, 50, 255);
            img.SaveAsPng(dir.File("a.png"), new PngEncoder { ColorType = PngColorType.RgbWithAlpha });
        }
        using var rgb = FrameDecoder.Decode(dir.File("a.png"));
        Assert.Equal(new Rgb24(10, 20, 30), rgb[0, 0]);
        Assert.Equal(new Rgb24(200, 100, 50), rgb[1, 0]);
    }

    [Fact]
    public void SixteenBitPngIsScaledTo8Bits()
    {
        using var dir = new TempFolder("emotion-pre-");
        using (var img = new Image<Rgb48>(2, 1))
        {
            img[0, 0] = new Rgb48(65535, 0, 257 * 128);
            img[1, 0] = new Rgb48(257 * 7, 257 * 250, 65535);
            img.SaveAsPng(dir.File("d.png"), new PngEncoder { ColorType = PngColorType.Rgb, BitDepth = PngBitDepth.Bit16 });
        }
        using var rgb = FrameDecoder.Decode(dir.File("d.png"));
        // 16-bit v = 257 * b maps back to the byte b exactly.
        Assert.Equal(new Rgb24(255, 0, 128), rgb[0, 0]);
        Assert.Equal(new Rgb24(7, 250, 255), rgb[1, 0]);
    }

    [Fact]
    public void Grayscale16PngIsScaledTo8Bits()
    {
        using var dir = new TempFolder("emotion-pre-");
        using (var img = new Image<L16>(1, 1))
        {
            img[0, 0] = new L16(257 * 99);
            img.SaveAsPng(dir.File("l16.png"), new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit16 });
        }
        using var rgb = FrameDecoder.Decode(dir.File("l16.png"));
        Assert.Equal(new Rgb24(99, 99, 99), rgb[0, 0]);
    }

    [Theory]
    [InlineData(JpegColorType.Luminance)]
    [InlineData(JpegColorType.YCbCrRatio444)]
    public void FlatColourJpegDecodesToRgbCloseToOriginal(JpegColorType colorType)
    {
        using var dir = new TempFolder("emotion-pre-");
        var colour = colorType == JpegColorType.Luminance ? new Rgb24(120, 120, 120) : new Rgb24(200, 60, 30);
        using (var img = new Image<Rgb24>(16, 16, colour))
            img.SaveAsJpeg(dir.File("c.jpg"), new JpegEncoder { Quality = 95, ColorType = colorType });
        // the file really is stored in the requested colour model
        Assert.Equal(colorType, Image.Identify(dir.File("c.jpg")).Metadata.GetJpegMetadata().ColorType);
        using var rgb = FrameDecoder.Decode(dir.File("c.jpg"));
        Assert.Equal(16, rgb.Width);
        var p = rgb[8, 8];
        Assert.InRange(p.R, colour.R - 6, colour.R + 6);
        Assert.InRange(p.G, colour.G - 6, colour.G + 6);
        Assert.InRange(p.B, colour.B - 6, colour.B + 6);
    }

    [Fact]
    public void CmykJpegDecodesToTheRgbPillowDecodes()
    {
        // ImageSharp 2.1 cannot encode CMYK, so the file comes from Fixtures/make_cmyk_jpeg.py (Pillow), with Pillow's RGB.
        var dir = Path.Combine(AppContext.BaseDirectory, "Fixtures");
        var path = Path.Combine(dir, "cmyk.jpg");
        Assert.Equal(JpegColorType.Cmyk, Image.Identify(path).Metadata.GetJpegMetadata().ColorType);
        using var rgb = FrameDecoder.Decode(path);
        foreach (var line in File.ReadAllLines(Path.Combine(dir, "cmyk_expected.txt")))
        {
            var v = line.Split(',').Select(int.Parse).ToArray();
            var p = rgb[v[0], v[1]];
            Assert.InRange(p.R, v[2] - 4, v[2] + 4);
            Assert.InRange(p.G, v[3] - 4, v[3] + 4);
            Assert.InRange(p.B, v[4] - 4, v[4] + 4);
        }
    }

    [Fact]
    public void CorruptFileThrowsNamingTheFile()
    {
        using var dir = new TempFolder("emotion-pre-");
        var path = dir.Write("broken.jpg", "this is not a jpeg");
        var ex = Assert.Throws<FrameDecodeException>(() => FrameDecoder.Decode(path));
        Assert.Contains(path, ex.Message);
        Assert.Equal(path, ex.Source);
    }

    [Fact]
    public void MissingFileThrowsNamingTheFile()
    {
        var path = Path.Combine(Path.GetTempPath(), "does-not-exist-" + Guid.NewGuid() + ".png");
        var ex = Assert.Throws<FrameDecodeException>(() => FrameDecoder.Decode(path));
        Assert.Contains(path, ex.Message);
        Assert.Contains("does not exist", ex.Message);
    }

    [Fact]
    public void InMemoryAndEncodedSourcesConvertAnyPixelFormat()
    {
        using var la = new Image<La16>(1, 1);
        la[0, 0] = new La16(42, 128);
        using var fromMemory = new InMemoryFrameSource(la).Decode();
        Assert.Equal(new Rgb24(42, 42, 42), fromMemory[0, 0]);

        using var png = new MemoryStream();
        using (var img = new Image<Rgb24>(1, 1, new Rgb24(1, 2, 3))) img.SaveAsPng(png);
        using var fromBytes = new EncodedFrameSource(png.ToArray(), "bytes").Decode();
        Assert.Equal(new Rgb24(1, 2, 3), fromBytes[0, 0]);
        Assert.Throws<FrameDecodeException>(() => new EncodedFrameSource(new byte[] { 1, 2, 3 }, "junk").Decode());
    }

    [Fact]
    public void FromFolderReadsNumbersSortsAndIgnoresOtherFiles()
    {
        using var dir = new TempFolder("emotion-pre-");
        foreach (var name in new[] { "00010.jpg", "00002.png", "00001.jpg", "notes.txt", "cover.jpg" })
            dir.Write(name, "x");
        var frames = FrameSources.FromFolder(dir.Path);
        Assert.Equal([1, 2, 10], frames.Select(f => f.Number));
        Assert.EndsWith("00002.png", frames[1].Source.Name);

        dir.Write("0001.png", "x"); // duplicate number 1
        var ex = Assert.Throws<InvalidDataException>(() => FrameSources.FromFolder(dir.Path));
        Assert.Contains("frame 1 exists twice", ex.Message);
        Assert.Throws<DirectoryNotFoundException>(() => FrameSources.FromFolder(dir.File("nope")));
    }
}
