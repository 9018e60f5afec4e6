using Emotion.Core;
using Emotion.Preprocessing.Annotations;
using Emotion.Preprocessing.Datasets;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Emotion.Testing;

namespace Emotion.Preprocessing.Tests;

public class CsvManifestTests
{
    [Fact]
    public void WriteThenReadRoundTrips()
    {
        using var dir = new TempFolder("emotion-pre-");
        ManifestEntry[] entries =
        [
            new("clip, one", 1, new FrameLabel(EmotionCategory.Happiness, 0.75f, 0.1f), "frames/a.png"),
            new("clip, one", 2, new FrameLabel(null, -0.3333333f, null), "frames/b.png"),
            new("v2", 7, FrameLabel.Unlabeled, "b.png"),
        ];
        CsvManifest.Write(dir.File("m.csv"), entries);
        var lines = File.ReadAllLines(dir.File("m.csv"));
        Assert.Equal("video,frame,category,valence,arousal,path", lines[0]);
        Assert.Equal("\"clip, one\",1,happiness,0.75,0.1,frames/a.png", lines[1]);
        Assert.Equal(entries, CsvManifest.Read(dir.File("m.csv")));
    }

    [Fact]
    public void ManifestWithPathsRowMissingAFieldNamesTheLineAndTheMissingField()
    {
        using var dir = new TempFolder("emotion-pre-");
        var path = dir.Write("m.csv", "video,frame,category,valence,arousal,path\nv,1,happiness,0.5,0.1,a.png\nv,2,happiness,0.5,b.png\n");
        var ex = Assert.Throws<AnnotationFormatException>(() => CsvManifestDataset.Load(path));
        Assert.Equal(3, ex.LineNumber);
        Assert.Contains($"{path}:3:", ex.Message);
        Assert.Contains("a field is missing", ex.Message);
        Assert.DoesNotContain("no path", ex.Message);
    }

    [Fact]
    public void ManifestWithPathsEmptyPathNamesTheLine()
    {
        using var dir = new TempFolder("emotion-pre-");
        dir.Write("a.png", "");
        var path = dir.Write("m.csv", "video,frame,category,valence,arousal,path\nv,1,happiness,0.5,0.1,a.png\nv,2,happiness,0.5,0.1,\n");
        var ex = Assert.Throws<AnnotationFormatException>(() => CsvManifestDataset.Load(path));
        Assert.Equal(3, ex.LineNumber);
        Assert.Contains("frame 2 has an empty path", ex.Message);
    }

    [Fact]
    public void ReadAcceptsIndicesNamesAndEmptyFields()
    {
        using var dir = new TempFolder("emotion-pre-");
        var path = dir.Write("m.csv", "Video, Frame ,category,valence,arousal\nv,1,4,,\nv,2,Sadness,-0.5,-5\nv,3,-1,0,0\nv,4,other,,\n");
        var rows = CsvManifest.Read(path);
        Assert.Equal([EmotionCategory.Happiness, EmotionCategory.Sadness, null, null], rows.Select(r => r.Label.Category));
        Assert.Equal(-0.5f, rows[1].Label.Valence);
        Assert.Null(rows[1].Label.Arousal);
        Assert.Equal(EmotionCategory.Other, CsvManifest.Read(path, new AnnotationLoadOptions { IncludeOther = true })[3].Label.Category);
    }

    [Theory]
    [InlineData("v,1,joy,,", 3, "unknown category 'joy'")]
    [InlineData("v,1,9,,", 3, "unknown category index 9")]
    [InlineData("v,x,1,,", 3, "frame 'x'")]
    [InlineData("v,1,1,1.5,0", 3, "valence 1.5 is outside")]
    [InlineData("v,1,1,0,abc", 3, "arousal 'abc' is not a number")]
    [InlineData("v,2,1,0,0", 3, "appears twice")]
    [InlineData("v,1,1,0", 3, "the row has 4 field(s) but the header has 5 (video,frame,category,valence,arousal); a field is missing")]
    [InlineData("v,1,1,0,0,x", 3, "the row has 6 field(s) but the header has 5")]
    public void BadRowsNameFileAndLine(string row, int line, string message)
    {
        using var dir = new TempFolder("emotion-pre-");
        var path = dir.Write("m.csv", "video,frame,category,valence,arousal\nv,2,0,0,0\n" + row + "\n");
        var ex = Assert.Throws<AnnotationFormatException>(() => CsvManifest.Read(path));
        Assert.Equal(path, ex.FilePath);
        Assert.Equal(line, ex.LineNumber);
        Assert.Contains(message, ex.Message);
        var issues = new List<AnnotationIssue>();
        CsvManifest.Read(path, AnnotationLoadOptions.LenientDefault, issues);
        Assert.Single(issues);
    }

    [Fact]
    public void MissingColumnIsReported()
    {
        using var dir = new TempFolder("emotion-pre-");
        var path = dir.Write("m.csv", "video,frame,valence\nv,1,0\n");
        var ex = Assert.Throws<AnnotationFormatException>(() => CsvManifest.Read(path));
        Assert.Contains("missing column(s) category, arousal", ex.Message);
    }

    [Fact]
    public void DatasetFromFrameFoldersAlignsByNumber()
    {
        using var dir = new TempFolder("emotion-pre-");
        Directory.CreateDirectory(dir.File("v"));
        foreach (var n in new[] { 1, 2, 4 })
            using (var img = new Image<Rgb24>(4, 4)) img.SaveAsPng(dir.File("v", $"{n:D5}.png"));
        var manifest = dir.Write("m.csv", "video,frame,category,valence,arousal\nv,2,anger,,\nv,3,fear,,\nv,4,5,-0.5,-0.5\n");
        var ds = CsvManifestDataset.Load(manifest);
        var video = Assert.Single(ds.Videos);
        Assert.Equal([1, 2, 4], video.Frames.Select(f => f.Number));
        Assert.Equal([null, EmotionCategory.Anger, EmotionCategory.Sadness], video.Frames.Select(f => f.Label.Category));
        Assert.Equal(-0.5f, video.Frames[2].Label.Valence);
    }

    [Fact]
    public void DatasetWithPathsMissingImageIsAnError()
    {
        using var dir = new TempFolder("emotion-pre-");
        using (var img = new Image<Rgb24>(4, 4)) img.SaveAsPng(dir.File("a.png"));
        var manifest = dir.Write("m.csv", "video,frame,category,valence,arousal,path\nv,1,0,,,a.png\nv,2,0,,,missing.png\n");
        var ex = Assert.Throws<AnnotationFormatException>(() => CsvManifestDataset.Load(manifest));
        Assert.Contains("missing.png", ex.Message);
        var lenient = CsvManifestDataset.Load(manifest, options: AnnotationLoadOptions.LenientDefault);
        Assert.Single(lenient.Videos[0].Frames);
        Assert.Single(lenient.Issues);
    }
}
