using Emotion.Core;
using Emotion.Preprocessing.Frames;
using Emotion.Preprocessing.Transforms;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Emotion.Testing;
using Emotion.Core.Faces;

namespace Emotion.Preprocessing.Tests;

public class FramePipelineTests
{
    private static FramePipeline Pipeline(int w, int h, Normalization? n = null, CropMode crop = CropMode.Center) =>
        new(new FrameTransformOptions { Width = w, Height = h, Normalization = n ?? Normalization.ZeroToOne, Crop = crop });

    [Fact]
    public void ImageNetNormalisationOfAKnownPixel()
    {
        var pipeline = new FramePipeline(new FrameTransformOptions { Width = 1, Height = 1 });
        using var img = new Image<Rgb24>(1, 1, new Rgb24(255, 0, 128));
        var dest = new float[3];
        pipeline.ProcessForEvaluation(img, dest);
        // (1 - 0.485) / 0.229, (0 - 0.456) / 0.224, (128/255 - 0.406) / 0.225
        Assert.Equal(2.2489083f, dest[0], 5);
        Assert.Equal(-2.0357143f, dest[1], 5);
        Assert.Equal(0.4264924f, dest[2], 5);
        Assert.Equal(dest[0], pipeline.Normalize(0, 255));
    }

    [Fact]
    public void OutputIsChwPlanes()
    {
        var pipeline = Pipeline(2, 1);
        var frame = new RgbFrame([10, 20, 30, 40, 50, 60], 2, 1);
        var dest = new float[6];
        pipeline.Write(frame, FrameAugmentation.None, dest);
        float[] expected = [10 / 255f, 40 / 255f, 20 / 255f, 50 / 255f, 30 / 255f, 60 / 255f];
        for (int i = 0; i < 6; i++) Assert.Equal(expected[i], dest[i], 6);
    }

    [Fact]
    public void HorizontalFlipReversesEachRow()
    {
        var pipeline = Pipeline(3, 2);
        // R channel = x + 10 y.
        var pixels = new byte[3 * 2 * 3];
        for (int y = 0; y < 2; y++)
            for (int x = 0; x < 3; x++)
                pixels[(y * 3 + x) * 3] = (byte)(x + 10 * y);
        var dest = new float[18];
        pipeline.Write(new RgbFrame(pixels, 3, 2), FrameAugmentation.None with { Flip = true }, dest);
        float[] expectedR = [2, 1, 0, 12, 11, 10];
        for (int i = 0; i < 6; i++) Assert.Equal(expectedR[i] / 255f, dest[i], 6);
    }

    [Fact]
    public void CenterAndRandomCropUseTheDocumentedOffsets()
    {
        var pixels = new byte[6 * 6 * 3];
        for (int y = 0; y < 6; y++)
            for (int x = 0; x < 6; x++)
                pixels[(y * 6 + x) * 3] = (byte)(x + 10 * y);
        var frame = new RgbFrame(pixels, 6, 6);
        var dest = new float[3 * 16];
        Pipeline(4, 4).Write(frame, FrameAugmentation.None, dest);
        Assert.Equal(11 / 255f, dest[0], 6); // offset (1, 1)
        var random = Pipeline(4, 4, crop: CropMode.Random);
        random.Write(frame, FrameAugmentation.None with { CropX = 0.999f, CropY = 0f }, dest);
        Assert.Equal(2 / 255f, dest[0], 6); // offset (2, 0)
        random.Write(frame, FrameAugmentation.None with { CropX = 0f, CropY = 0.5f }, dest);
        Assert.Equal(10 / 255f, dest[0], 6); // offset (0, floor(0.5 * 3) = 1)
    }

    [Fact]
    public void FaceBoxClampsToTheImage()
    {
        Assert.Equal(new Rectangle(0, 5, 20, 20), new FaceBox(-10, 5, 30, 20).ClampTo(40, 30));
        // margin 0.5: grows by 15 x 10 on each side, then clamps.
        Assert.Equal(new Rectangle(0, 0, 35, 30), new FaceBox(-10, 5, 30, 20).ClampTo(40, 30, 0.5f));
        // fractional boxes round outwards.
        Assert.Equal(new Rectangle(1, 2, 4, 3), new FaceBox(1.5f, 2.2f, 3.2f, 2.1f).ClampTo(40, 30));
        var ex = Assert.Throws<ArgumentException>(() => new FaceBox(50, 50, 10, 10).ClampTo(40, 30));
        Assert.Contains("outside the 40x30 image", ex.Message);
        Assert.Throws<ArgumentException>(() => new FaceBox(0, 0, 0, 10).ClampTo(40, 30));
    }

    [Fact]
    public void FaceCropSelectsTheBoxBeforeResizing()
    {
        using var img = new Image<Rgb24>(8, 8, new Rgb24(0, 0, 255));
        for (int y = 2; y < 6; y++)
            for (int x = 2; x < 6; x++)
                img[x, y] = new Rgb24(255, 0, 0);
        var frame = Pipeline(2, 2).Prepare(img, new FaceBox(2, 2, 4, 4));
        Assert.Equal(2, frame.Width);
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(255, frame.Pixels[i * 3]);
            Assert.Equal(0, frame.Pixels[i * 3 + 2]);
        }
        Assert.Equal(new Rgb24(0, 0, 255), img[0, 0]); // the input is not modified
    }

    [Fact]
    public void AnImageWrittenFromItsRowsEqualsThePreparedFrameBitForBit()
    {
        // ProcessForEvaluation(image) reads the image's rows in place (or a crop/resize of the face region only); it must give
        // exactly the floats of Write(Prepare(image)), which copies the whole image into an RgbFrame first.
        using var image = new Image<Rgb24>(37, 29);
        var random = new Random(5);
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < image.Width; x++)
                image[x, y] = new Rgb24((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
        var exact = new FramePipeline(new FrameTransformOptions { Width = 37, Height = 29, Normalization = Normalization.ImageNet });
        var resized = new FramePipeline(new FrameTransformOptions { Width = 16, Height = 12, Normalization = Normalization.ImageNet });
        var shorter = new FramePipeline(new FrameTransformOptions { Width = 12, Height = 12, Resize = ResizeMode.ShorterSide, ResizeShorterSide = 14 });
        var cases = new (FramePipeline Pipeline, FaceBox? Box)[]
        {
            (exact, null), (resized, null), (resized, new FaceBox(3.5f, 2, 20, 15)), (shorter, new FaceBox(30, 20, 20, 20)), (shorter, null),
        };
        foreach (var (pipeline, box) in cases)
        {
            var expected = new float[pipeline.FrameLength];
            var actual = new float[pipeline.FrameLength];
            pipeline.Write(pipeline.Prepare(image, box), FrameAugmentation.None, expected);
            pipeline.ProcessForEvaluation(image, actual, box);
            Assert.Equal(expected, actual);
        }
        Assert.Null(exact.CropAndResize(image));
        using var face = resized.CropAndResize(image, new FaceBox(3, 2, 20, 15));
        Assert.Equal((16, 12), (face!.Width, face.Height));
    }

    [Fact]
    public void PixelTensorWriterLayoutsHoldTheSameValues()
    {
        var row = new[] { new Rgb24(0, 128, 255), new Rgb24(10, 20, 30) };
        var writer = PixelTensorWriter.Normalizing(Normalization.ImageNet);
        float[] r = new float[2], g = new float[2], b = new float[2], flipped = new float[2], hwc = new float[6], bgr = new float[6], grey = new float[2];
        writer.WritePlanar(row, r, g, b);
        writer.WritePlanar(row, flipped, new float[2], new float[2], flip: true);
        writer.WriteInterleaved(row, hwc);
        writer.WriteInterleaved(row, bgr, bgr: true);
        writer.WriteLuminance(row, grey);
        Assert.Equal((0 / 255f - 0.485f) / 0.229f, r[0], 5);
        Assert.Equal((128 / 255f - 0.456f) / 0.224f, g[0], 5);
        Assert.Equal((255 / 255f - 0.406f) / 0.225f, b[0], 5);
        Assert.Equal([r[1], r[0]], flipped);
        Assert.Equal([r[0], g[0], b[0], r[1], g[1], b[1]], hwc);
        Assert.Equal([b[0], g[0], r[0], b[1], g[1], r[1]], bgr);
        Assert.Equal(0.299f * r[1] + 0.587f * g[1] + 0.114f * b[1], grey[1]);
        var affine = PixelTensorWriter.Affine(1 / 127.5f, -1f);
        Assert.Equal(1f, affine.Normalize(2, 255), 6);
        Assert.Equal(-1f, affine.Normalize(0, 0));
        Assert.Throws<ArgumentException>(() => writer.WriteInterleaved(row, new float[5]));
    }

    [Fact]
    public void ResizeShapes()
    {
        var shorter = new FramePipeline(new FrameTransformOptions { Width = 112, Height = 112, Resize = ResizeMode.ShorterSide, ResizeShorterSide = 128 });
        Assert.Equal(new Size(256, 128), shorter.ResizedSize(200, 100));
        Assert.Equal(new Size(128, 384), shorter.ResizedSize(100, 300));
        var exact = new FramePipeline(new FrameTransformOptions { Width = 64, Height = 48 });
        Assert.Equal(new Size(64, 48), exact.ResizedSize(640, 480));
        using var img = new Image<Rgb24>(200, 100);
        var prepared = shorter.Prepare(img);
        Assert.Equal((256, 128), (prepared.Width, prepared.Height));
        var dest = new float[shorter.FrameLength];
        shorter.Write(prepared, FrameAugmentation.None, dest);
        Assert.Equal(3 * 112 * 112, shorter.FrameLength);
    }

    [Fact]
    public void InvalidOptionsNameTheOption()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new FramePipeline(new FrameTransformOptions { Resize = ResizeMode.ShorterSide, ResizeShorterSide = 100 }));
        Assert.Equal("ResizeShorterSide", ex.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new FramePipeline(new FrameTransformOptions { HorizontalFlipProbability = 1.5f }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FramePipeline(new FrameTransformOptions { Jitter = new ColorJitter(Brightness: -1) }));
        var small = Pipeline(4, 4);
        Assert.Throws<ArgumentException>(() => small.Write(new RgbFrame(new byte[27], 3, 3), FrameAugmentation.None, new float[48]));
        Assert.Throws<ArgumentException>(() => small.Write(new RgbFrame(new byte[48], 4, 4), FrameAugmentation.None, new float[47]));
    }

    [Fact]
    public void BrightnessMultipliesAndClamps()
    {
        var pipeline = Pipeline(2, 1);
        var frame = new RgbFrame([200, 100, 0, 255, 255, 255], 2, 1);
        var dest = new float[6];
        pipeline.Write(frame, FrameAugmentation.None with { Brightness = 0.5f }, dest);
        Assert.Equal(100 / 255f, dest[0], 5);
        Assert.Equal(0.5f, dest[1], 5);
        pipeline.Write(frame, FrameAugmentation.None with { Brightness = 1.5f }, dest);
        Assert.Equal(1f, dest[0], 5); // 300/255 clamped
        Assert.Equal(1f, dest[1], 5);
    }

    [Fact]
    public void ContrastBlendsWithTheMeanGrey()
    {
        var pipeline = Pipeline(2, 1);
        var frame = new RgbFrame([100, 100, 100, 200, 200, 200], 2, 1);
        var dest = new float[6];
        pipeline.Write(frame, FrameAugmentation.None with { Contrast = 2f }, dest);
        // grey(v) = (0.2989 + 0.587 + 0.114) v = 0.9999 v; mean = 0.9999 * 150 / 255 = 0.588176
        // out = clamp(2 x - mean): 2 * 100/255 - 0.588176 = 0.196138, 2 * 200/255 - 0.588176 = 0.980451
        Assert.Equal(0.196138f, dest[0], 4);
        Assert.Equal(0.980451f, dest[1], 4);
    }

    [Fact]
    public void ZeroSaturationGivesGrey()
    {
        var pipeline = Pipeline(1, 1);
        var dest = new float[3];
        pipeline.Write(new RgbFrame([255, 0, 0], 1, 1), FrameAugmentation.None with { Saturation = 0f }, dest);
        Assert.All(dest, v => Assert.Equal(0.2989f, v, 5));
    }

    [Fact]
    public void AugmentationIsDeterministicUnderTheSeed()
    {
        var pipeline = new FramePipeline(FrameTransformOptions.ForTraining(16) with { Normalization = Normalization.ImageNet });
        using var img = new Image<Rgb24>(24, 20);
        for (int y = 0; y < 20; y++)
            for (int x = 0; x < 24; x++)
                img[x, y] = new Rgb24((byte)(x * 10), (byte)(y * 12), (byte)((x * y) % 256));
        var prepared = pipeline.Prepare(img);
        float[] Run(long seed, int epoch, string video, int frame)
        {
            var d = new float[pipeline.FrameLength];
            pipeline.Write(prepared, pipeline.SampleAugmentation(seed, epoch, video, frame), d);
            return d;
        }
        Assert.Equal(Run(5, 0, "v1", 3), Run(5, 0, "v1", 3));
        Assert.NotEqual(Run(5, 0, "v1", 3), Run(6, 0, "v1", 3));
        Assert.NotEqual(Run(5, 0, "v1", 3), Run(5, 1, "v1", 3));
        Assert.NotEqual(Run(5, 0, "v1", 3), Run(5, 0, "v2", 3));
        // Across many frames, every kind of choice occurs.
        var augs = Enumerable.Range(1, 200).Select(f => pipeline.SampleAugmentation(5, 0, "v1", f)).ToList();
        Assert.Contains(augs, a => a.Flip);
        Assert.Contains(augs, a => !a.Flip);
        Assert.All(augs, a => Assert.InRange(a.Brightness, 0.8f, 1.2f));
        Assert.True(augs.Select(a => a.CropX).Distinct().Count() > 100);
        // The evaluation options never augment.
        var eval = new FramePipeline(pipeline.Options.WithoutAugmentation());
        Assert.Equal(FrameAugmentation.None, eval.SampleAugmentation(5, 0, "v1", 3));
    }

    [Fact]
    public void StableHashIsFnv1a()
    {
        // FNV-1a 64 of the empty string is the offset basis; of "a" (0x61) a known constant.
        Assert.Equal(14695981039346656037UL, FrameRandom.StableHash(""));
        Assert.Equal(0xAF63DC4C8601EC8CUL, FrameRandom.StableHash("a"));
    }

    [Fact]
    public void EvaluationPathFromFileMatchesInMemory()
    {
        using var dir = new TempFolder("emotion-pre-");
        using var img = new Image<Rgb24>(40, 30);
        for (int y = 0; y < 30; y++)
            for (int x = 0; x < 40; x++)
                img[x, y] = new Rgb24((byte)(x * 6), (byte)(y * 8), 77);
        img.SaveAsPng(dir.File("f.png"));
        var pipeline = new FramePipeline(new FrameTransformOptions { Width = 20, Height = 20 });
        var a = new float[pipeline.FrameLength];
        var b = new float[pipeline.FrameLength];
        pipeline.ProcessForEvaluation(new FileFrameSource(dir.File("f.png")), a);
        pipeline.ProcessForEvaluation(img, b);
        Assert.Equal(a, b);
    }
}
