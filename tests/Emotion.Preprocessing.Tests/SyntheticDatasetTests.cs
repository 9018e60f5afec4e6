using Emotion.Core;
using Emotion.Preprocessing.Datasets;
using Emotion.Synthetic;
using Emotion.Preprocessing.Transforms;
using SixLabors.ImageSharp.PixelFormats;
using Emotion.Testing;

namespace Emotion.Preprocessing.Tests;

public class SyntheticDatasetTests
{
    private static readonly SyntheticDatasetOptions Small = new() { Videos = 4, FramesPerVideo = 30, FrameSize = 48, Seed = 11, MissingFrameRate = 0.1, UnlabeledRate = 0.1 };

    [Fact]
    public void SameSeedGivesByteIdenticalFilesDifferentSeedDoesNot()
    {
        using var a = new TempFolder("emotion-pre-");
        using var b = new TempFolder("emotion-pre-");
        using var c = new TempFolder("emotion-pre-");
        SyntheticDatasetGenerator.Generate(a.Path, Small);
        SyntheticDatasetGenerator.Generate(b.Path, Small);
        SyntheticDatasetGenerator.Generate(c.Path, Small with { Seed = 12 });
        var files = Directory.GetFiles(a.Path, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(a.Path, f)).Order().ToList();
        Assert.Equal(files, Directory.GetFiles(b.Path, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(b.Path, f)).Order());
        Assert.True(files.Count > 100);
        foreach (var f in files)
            Assert.True(File.ReadAllBytes(Path.Combine(a.Path, f)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(b.Path, f))), f);
        Assert.Contains(files, f => File.Exists(Path.Combine(c.Path, f))
            && !File.ReadAllBytes(Path.Combine(a.Path, f)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(c.Path, f))));
    }

    [Fact]
    public void WrittenLayoutLoadsBackWithThePlannedLabels()
    {
        using var dir = new TempFolder("emotion-pre-");
        var info = SyntheticDatasetGenerator.Generate(dir.Path, Small);
        Assert.Equal(["synth_000", "synth_001", "synth_002"], info.TrainingVideos);
        Assert.Equal(["synth_003"], info.ValidationVideos);
        var plans = SyntheticDatasetGenerator.Plan(Small).ToDictionary(p => p.Id);
        int missing = 0;
        foreach (var split in new[] { AffWild2Layout.TrainingSplit, AffWild2Layout.ValidationSplit })
        {
            var ds = AffWild2Dataset.Load(dir.Path, split);
            Assert.Empty(ds.Issues);
            foreach (var video in ds.Videos)
            {
                var plan = plans[video.Id];
                Assert.Equal(split, plan.Split);
                var present = plan.Frames.Where(f => f.HasImage).ToList();
                missing += plan.Frames.Count - present.Count;
                Assert.Equal(present.Select(f => f.Number), video.Frames.Select(f => f.Number));
                Assert.Equal(present.Select(f => f.Label), video.Frames.Select(f => f.Label));
            }
        }
        Assert.Equal(info.MissingFrames, missing);
        Assert.True(missing > 0, "some frame numbers must be missing");
        Assert.Equal(Small.Videos * Small.FramesPerVideo - missing, info.FramesWritten);
        // a second run into the same root replaces it; a foreign folder is refused
        SyntheticDatasetGenerator.Generate(dir.Path, Small);
        using var foreign = new TempFolder("emotion-pre-");
        Directory.CreateDirectory(foreign.File("cropped_aligned"));
        Assert.Throws<IOException>(() => SyntheticDatasetGenerator.Generate(foreign.Path, Small));
    }

    [Fact]
    public void LabelsFollowRussellsCircumplex()
    {
        var plans = SyntheticDatasetGenerator.Plan(new SyntheticDatasetOptions());
        var frames = plans.SelectMany(p => p.Frames).ToList();
        float MeanV(EmotionCategory c) => frames.Where(f => f.Label.Category == c && f.Label.Valence.HasValue).Average(f => f.Label.Valence!.Value);
        float MeanA(EmotionCategory c) => frames.Where(f => f.Label.Category == c && f.Label.Arousal.HasValue).Average(f => f.Label.Arousal!.Value);
        Assert.True(MeanV(EmotionCategory.Happiness) > 0.3f);
        Assert.True(MeanV(EmotionCategory.Sadness) < -0.3f);
        Assert.True(MeanV(EmotionCategory.Anger) < -0.3f);
        Assert.True(MeanV(EmotionCategory.Fear) < -0.3f);
        Assert.InRange(MeanV(EmotionCategory.Neutral), -0.2f, 0.2f);
        Assert.InRange(MeanA(EmotionCategory.Neutral), -0.2f, 0.25f);
        float sad = MeanA(EmotionCategory.Sadness);
        Assert.True(sad < 0f);
        foreach (var c in new[] { EmotionCategory.Surprise, EmotionCategory.Fear, EmotionCategory.Anger })
            Assert.True(MeanA(c) > sad + 0.5f, c.ToString());
        // every category occurs, and some labels are missing on purpose
        foreach (var c in EmotionCategories.Basic)
            Assert.True(frames.Count(f => f.Label.Category == c) > 150, c.ToString());
        Assert.Contains(frames, f => f.Label.Category is null);
        Assert.Contains(frames, f => f.Label.Valence is null);
        Assert.Contains(frames, f => !f.HasImage);
    }

    [Fact]
    public void ExpressionsRampOverTime()
    {
        var plan = SyntheticDatasetGenerator.Plan(new SyntheticDatasetOptions { Videos = 1 })[0];
        // within an expression segment the intensity rises from near zero to the apex and falls back
        var segment = plan.Frames.SkipWhile(f => f.Category == EmotionCategory.Neutral).TakeWhile(f => f.Category != EmotionCategory.Neutral).ToList();
        Assert.True(segment.Count > 3);
        var intensities = plan.Frames.Select(f => f.Intensity).ToList();
        Assert.Contains(intensities, i => i > 0.65f);
        Assert.Contains(intensities, i => i > 0.05f && i < 0.5f);
    }

    [Theory]
    [InlineData(EmotionCategory.Anger)]
    [InlineData(EmotionCategory.Disgust)]
    [InlineData(EmotionCategory.Fear)]
    [InlineData(EmotionCategory.Happiness)]
    [InlineData(EmotionCategory.Sadness)]
    [InlineData(EmotionCategory.Surprise)]
    public void EachCategoryChangesOnlyItsRegion(EmotionCategory category)
    {
        var region = SyntheticFaces.RegionOf(category)!.Value;
        Assert.InRange(region.Area, 0.02f, 0.3f);
        var plans = SyntheticDatasetGenerator.Plan(new SyntheticDatasetOptions { Videos = 12 });
        const int size = 96;
        foreach (var plan in plans)
        {
            // extreme placements are allowed: identity offset plus the largest per-frame shift
            foreach (var shift in new[] { -0.008f, 0.008f })
            {
                var r1 = new FrameRandom(7);
                var r2 = new FrameRandom(7);
                using var neutral = SyntheticFaceRenderer.Render(size, plan.Identity, FaceParameters.Neutral, shift, shift, ref r1);
                using var apex = SyntheticFaceRenderer.Render(size, plan.Identity, SyntheticFaces.ApexParameters(category), shift, shift, ref r2);
                double inside = 0, total = 0;
                for (int y = 0; y < size; y++)
                    for (int x = 0; x < size; x++)
                    {
                        Rgb24 a = neutral[x, y], b = apex[x, y];
                        double d = Math.Abs(a.R - b.R) + Math.Abs(a.G - b.G) + Math.Abs(a.B - b.B);
                        total += d;
                        if (region.ContainsPixel(x, y, size, size)) inside += d;
                    }
                Assert.True(total > 500, $"{category} must change the face");
                Assert.Equal(total, inside);
            }
        }
        Assert.Null(SyntheticFaces.RegionOf(EmotionCategory.Neutral));
        var pixels = region.ToPixels(size, size);
        Assert.True(region.ContainsPixel(pixels.Left, pixels.Top, size, size));
        Assert.False(region.ContainsPixel(pixels.Left - 1, pixels.Top, size, size));
        Assert.True(region.ContainsPixel(pixels.Right - 1, pixels.Bottom - 1, size, size));
        Assert.False(region.ContainsPixel(pixels.Right, pixels.Bottom - 1, size, size));
    }

    [Fact]
    public void OptionsAreValidated()
    {
        Assert.Equal("FrameSize", Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticDatasetGenerator.Plan(new SyntheticDatasetOptions { FrameSize = 8 })).ParamName);
        Assert.Equal("ValidationFraction", Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticDatasetGenerator.Plan(new SyntheticDatasetOptions { ValidationFraction = 1 })).ParamName);
        Assert.Equal(8, new SyntheticDatasetOptions().ValidationVideos);
    }
}
