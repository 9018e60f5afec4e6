using Emotion.Core;
using Emotion.Preprocessing.Annotations;
using Emotion.Testing;

namespace Emotion.Preprocessing.Tests;

public class AffWild2AnnotationTests
{
    private const string ExprHeader = "Neutral,Anger,Disgust,Fear,Happiness,Sadness,Surprise,Other\n";

    [Fact]
    public void ExpressionsWithUnlabeledAndOther()
    {
        using var dir = new TempFolder("emotion-pre-");
        var path = dir.Write("v.txt", ExprHeader + "0\n4\n-1\n7\n6\n\n");
        var labels = AffWild2Annotations.ReadExpressions(path)!;
        Assert.Equal(5, labels.FrameCount);
        Assert.Equal([EmotionCategory.Neutral, EmotionCategory.Happiness, null, null, EmotionCategory.Surprise], labels.Labels);
        var eight = AffWild2Annotations.ReadExpressions(path, new AnnotationLoadOptions { IncludeOther = true })!;
        Assert.Equal(EmotionCategory.Other, eight[4]);
        Assert.Throws<ArgumentOutOfRangeException>(() => labels[6]);
    }

    [Fact]
    public void ExpressionsAcceptTheSevenNameHeaderAndCrLf()
    {
        using var dir = new TempFolder("emotion-pre-");
        var path = dir.Write("v.txt", "Neutral,Anger,Disgust,Fear,Happiness,Sadness,Surprise\r\n1\r\n2\r\n");
        Assert.Equal([EmotionCategory.Anger, EmotionCategory.Disgust], AffWild2Annotations.ReadExpressions(path)!.Labels);
    }

    [Fact]
    public void UnknownLabelNamesFileAndLine()
    {
        using var dir = new TempFolder("emotion-pre-");
        var path = dir.Write("bad.txt", ExprHeader + "0\n9\n");
        var ex = Assert.Throws<AnnotationFormatException>(() => AffWild2Annotations.ReadExpressions(path));
        Assert.Equal(path, ex.FilePath);
        Assert.Equal(3, ex.LineNumber);
        Assert.Contains(path + ":3:", ex.Message);
        Assert.Contains("unknown expression label 9", ex.Message);
    }

    [Fact]
    public void NonNumericLabelNamesFileAndLine()
    {
        using var dir = new TempFolder("emotion-pre-");
        var path = dir.Write("bad.txt", ExprHeader + "0\n1\nhappy\n");
        var ex = Assert.Throws<AnnotationFormatException>(() => AffWild2Annotations.ReadExpressions(path));
        Assert.Equal(4, ex.LineNumber);
        Assert.Contains("'happy' is not an integer", ex.Message);
    }

    [Fact]
    public void BadHeaderIsLine1()
    {
        using var dir = new TempFolder("emotion-pre-");
        var path = dir.Write("h.txt", "Neutral,Anger\n0\n");
        var ex = Assert.Throws<AnnotationFormatException>(() => AffWild2Annotations.ReadExpressions(path));
        Assert.Equal(1, ex.LineNumber);
        Assert.Contains("bad header", ex.Message);
        var va = dir.Write("va.txt", "arousal,valence\n0.1,0.2\n");
        Assert.Equal(1, Assert.Throws<AnnotationFormatException>(() => AffWild2Annotations.ReadValenceArousal(va)).LineNumber);
        var empty = dir.Write("empty.txt", "");
        Assert.Contains("empty", Assert.Throws<AnnotationFormatException>(() => AffWild2Annotations.ReadValenceArousal(empty)).Message);
    }

    [Fact]
    public void ValenceArousalWithUnlabeledMarkers()
    {
        using var dir = new TempFolder("emotion-pre-");
        var path = dir.Write("v.txt", "valence,arousal\n0.5,-0.25\n-5,-5\n-1,1\n0.1,-5\n");
        var va = AffWild2Annotations.ReadValenceArousal(path)!;
        Assert.Equal(4, va.FrameCount);
        Assert.Equal((0.5f, -0.25f), va[1]);
        Assert.Equal((null, null), va[2]);
        Assert.Equal((-1f, 1f), va[3]);
        Assert.Equal((0.1f, (float?)null), va[4]);
    }

    [Fact]
    public void ValenceOutOfRangeNamesFileAndLine()
    {
        using var dir = new TempFolder("emotion-pre-");
        var path = dir.Write("v.txt", "valence,arousal\n0.5,0.5\n1.5,0.2\n");
        var ex = Assert.Throws<AnnotationFormatException>(() => AffWild2Annotations.ReadValenceArousal(path));
        Assert.Equal(3, ex.LineNumber);
        Assert.Contains(path, ex.Message);
        Assert.Contains("valence 1.5 is outside [-1, 1]", ex.Message);
        var notPair = dir.Write("p.txt", "valence,arousal\n0.5\n");
        Assert.Contains("not a 'valence,arousal' pair", Assert.Throws<AnnotationFormatException>(() => AffWild2Annotations.ReadValenceArousal(notPair)).Message);
        var nan = dir.Write("n.txt", "valence,arousal\nNaN,0\n");
        Assert.Contains("not a number", Assert.Throws<AnnotationFormatException>(() => AffWild2Annotations.ReadValenceArousal(nan)).Message);
    }

    [Fact]
    public void LenientModeReportsAndUnlabels()
    {
        using var dir = new TempFolder("emotion-pre-");
        var expr = dir.Write("e.txt", ExprHeader + "0\n9\nx\n5\n");
        var va = dir.Write("va.txt", "valence,arousal\n1.5,0.2\n0.3,0.4\n");
        var issues = new List<AnnotationIssue>();
        var labels = AffWild2Annotations.ReadExpressions(expr, AnnotationLoadOptions.LenientDefault, issues)!;
        Assert.Equal([EmotionCategory.Neutral, null, null, EmotionCategory.Sadness], labels.Labels);
        var values = AffWild2Annotations.ReadValenceArousal(va, AnnotationLoadOptions.LenientDefault, issues)!;
        Assert.Equal((null, null), values[1]);
        Assert.Equal((0.3f, 0.4f), values[2]);
        Assert.Equal([(expr, 3), (expr, 4), (va, 2)], issues.Select(i => (i.File, i.Line)));
        var badHeader = dir.Write("h.txt", "nonsense\n1\n");
        Assert.Null(AffWild2Annotations.ReadExpressions(badHeader, AnnotationLoadOptions.LenientDefault, issues));
        Assert.Equal((badHeader, 1), (issues[^1].File, issues[^1].Line));
    }

    [Fact]
    public void WriteThenReadRoundTrips()
    {
        using var dir = new TempFolder("emotion-pre-");
        EmotionCategory?[] labels = [EmotionCategory.Fear, null, EmotionCategory.Other];
        AffWild2Annotations.WriteExpressions(dir.File("e.txt"), labels);
        Assert.Equal("Neutral,Anger,Disgust,Fear,Happiness,Sadness,Surprise,Other\n3\n-1\n7\n", File.ReadAllText(dir.File("e.txt")));
        Assert.Equal(labels, AffWild2Annotations.ReadExpressions(dir.File("e.txt"), new AnnotationLoadOptions { IncludeOther = true })!.Labels);
        (float?, float?)[] va = [(0.25f, -0.5f), (null, null), (-1f, 0.123456f)];
        AffWild2Annotations.WriteValenceArousal(dir.File("va.txt"), va);
        Assert.Equal("valence,arousal\n0.25,-0.5\n-5,-5\n-1,0.123456\n", File.ReadAllText(dir.File("va.txt")));
        var back = AffWild2Annotations.ReadValenceArousal(dir.File("va.txt"))!;
        Assert.Equal(va, Enumerable.Range(1, 3).Select(i => back[i]));
    }
}
