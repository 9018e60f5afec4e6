using Emotion.Core;
using Emotion.Preprocessing.Annotations;
using Emotion.Preprocessing.Datasets;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Emotion.Testing;

namespace Emotion.Preprocessing.Tests;

public class AffWild2DatasetTests
{
    private const string ExprHeader = "Neutral,Anger,Disgust,Fear,Happiness,Sadness,Surprise,Other\n";

    private static void Frames(TempFolder dir, string video, params int[] numbers)
    {
        var folder = dir.File("cropped_aligned", video);
        Directory.CreateDirectory(folder);
        foreach (var n in numbers)
            using (var img = new Image<Rgb24>(4, 4, new Rgb24((byte)n, 0, 0))) img.SaveAsJpeg(Path.Combine(folder, $"{n:D5}.jpg"));
    }

    [Fact]
    public void MissingFramesAreSkippedNotShifted()
    {
        using var dir = new TempFolder("emotion-pre-");
        Frames(dir, "a", 1, 2, 4, 5);
        dir.Write("annotations/EXPR_Set/Training_Set/a.txt", ExprHeader + "0\n1\n2\n3\n4\n");
        dir.Write("annotations/VA_Set/Training_Set/a.txt", "valence,arousal\n0.1,0.1\n0.2,0.2\n0.3,0.3\n0.4,0.4\n-5,-5\n");
        var ds = AffWild2Dataset.Load(dir.Path);
        var video = Assert.Single(ds.Videos);
        Assert.Equal("a", video.Id);
        Assert.Equal([1, 2, 4, 5], video.Frames.Select(f => f.Number));
        Assert.Equal([EmotionCategory.Neutral, EmotionCategory.Anger, EmotionCategory.Fear, EmotionCategory.Happiness],
            video.Frames.Select(f => f.Label.Category));
        Assert.Equal([0.1f, 0.2f, 0.4f, null], video.Frames.Select(f => f.Label.Valence));
        Assert.EndsWith("00004.jpg", video.Frames[2].Source.Name);
        Assert.Empty(ds.Issues);
    }

    [Fact]
    public void EitherSetMayBeAbsentAndVideosWithoutFramesAreReported()
    {
        using var dir = new TempFolder("emotion-pre-");
        Frames(dir, "a", 1, 2);
        dir.Write("annotations/VA_Set/Validation_Set/a.txt", "valence,arousal\n0.5,0.5\n-0.5,0.25\n");
        dir.Write("annotations/VA_Set/Validation_Set/ghost.txt", "valence,arousal\n0.5,0.5\n");
        var ds = AffWild2Dataset.Load(dir.Path, AffWild2Layout.ValidationSplit);
        var video = Assert.Single(ds.Videos);
        Assert.All(video.Frames, f => Assert.Null(f.Label.Category));
        Assert.Equal(0.25f, video.Frames[1].Label.Arousal);
        var issue = Assert.Single(ds.Issues);
        Assert.Contains("ghost", issue.File);
        Assert.Contains("no frame folder", issue.Message);
        var ex = Assert.Throws<DirectoryNotFoundException>(() => AffWild2Dataset.Load(dir.Path, AffWild2Layout.TrainingSplit));
        Assert.Contains("Training_Set", ex.Message);
    }

    [Fact]
    public void ShortAnnotationStrictThrowsNamingFileAndLineLenientUnlabels()
    {
        using var dir = new TempFolder("emotion-pre-");
        Frames(dir, "c", 1, 2, 3, 5);
        var expr = dir.Write("annotations/EXPR_Set/Training_Set/c.txt", ExprHeader + "0\n1\n2\n");
        var ex = Assert.Throws<AnnotationFormatException>(() => AffWild2Dataset.Load(dir.Path));
        Assert.Equal(expr, ex.FilePath);
        Assert.Equal(5, ex.LineNumber); // header + 3 lines; line 5 (frame 4) is the first missing
        Assert.Contains("frame 5", ex.Message);
        var ds = AffWild2Dataset.Load(dir.Path, annotations: AnnotationLoadOptions.LenientDefault);
        Assert.Equal([EmotionCategory.Neutral, EmotionCategory.Anger, EmotionCategory.Disgust, null], ds.Videos[0].Frames.Select(f => f.Label.Category));
        Assert.Equal(expr, Assert.Single(ds.Issues).File);
    }

    [Fact]
    public void MalformedLineStrictNamesFileAndLineLenientReports()
    {
        using var dir = new TempFolder("emotion-pre-");
        Frames(dir, "d", 1, 2, 3);
        dir.Write("annotations/EXPR_Set/Training_Set/d.txt", ExprHeader + "0\n9\n7\n");
        var va = dir.Write("annotations/VA_Set/Training_Set/d.txt", "valence,arousal\n0,0\n1.5,0\n0,0\n");
        var ex = Assert.Throws<AnnotationFormatException>(() => AffWild2Dataset.Load(dir.Path));
        Assert.Equal(3, ex.LineNumber);
        var ds = AffWild2Dataset.Load(dir.Path, annotations: AnnotationLoadOptions.LenientDefault);
        Assert.Equal(2, ds.Issues.Count);
        Assert.Contains(ds.Issues, i => i.File == va && i.Line == 3);
        // label 7 (Other) is masked in 7-class mode, kept in 8-class mode
        Assert.Null(ds.Videos[0].Frames[2].Label.Category);
        var eight = AffWild2Dataset.Load(dir.Path, annotations: new AnnotationLoadOptions { Lenient = true, IncludeOther = true });
        Assert.Equal(EmotionCategory.Other, eight.Videos[0].Frames[2].Label.Category);
    }

    [Fact]
    public void StatisticsCountCategoriesAndVaRanges()
    {
        using var dir = new TempFolder("emotion-pre-");
        Frames(dir, "a", 1, 2, 3);
        Frames(dir, "b", 2);
        dir.Write("annotations/EXPR_Set/Training_Set/a.txt", ExprHeader + "4\n4\n-1\n");
        dir.Write("annotations/EXPR_Set/Training_Set/b.txt", ExprHeader + "1\n5\n");
        dir.Write("annotations/VA_Set/Training_Set/a.txt", "valence,arousal\n0.5,0.2\n-0.5,0.4\n-5,-5\n");
        var stats = AffWild2Dataset.Load(dir.Path).ComputeStatistics();
        Assert.Equal(2, stats.Videos);
        Assert.Equal(4, stats.Frames);
        Assert.Equal(2, stats.CountOf(EmotionCategory.Happiness));
        Assert.Equal(1, stats.CountOf(EmotionCategory.Sadness)); // b's frame 2 -> line 2 = 5
        Assert.Equal(0, stats.CountOf(EmotionCategory.Anger));   // b's frame 1 is missing
        Assert.Equal(1, stats.UnlabeledCategoryFrames);
        Assert.Equal(new ValueStatistics(2, -0.5f, 0.5f, 0f), stats.Valence);
        Assert.Equal(0.3f, stats.Arousal!.Mean, 5);
        Assert.Contains("happiness=2", stats.ToString());
    }
}
