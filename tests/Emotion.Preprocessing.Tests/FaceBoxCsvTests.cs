using Emotion.Preprocessing.Annotations;
using Emotion.Testing;
using Emotion.Core.Faces;

namespace Emotion.Preprocessing.Tests;

public sealed class FaceBoxCsvTests : IDisposable
{
    private readonly TempFolder temp = new("emotion-facebox-tests-");
    private string root => temp.Path;

    public void Dispose() => temp.Dispose();

    private string Write(string text)
    {
        var path = Path.Combine(root, Guid.NewGuid().ToString("N") + ".csv");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void ReadsBoxesByVideoAndFrameInAnyColumnOrder()
    {
        var table = FaceBoxCsv.Read(Write("frame,video,x,y,w,h,score\n1,clip,10,20,30,40,0.9\n3,clip,11.5,21,31,41,0.8\n1,other,0,0,5,6,1\n"));
        Assert.Equal(3, table.Count);
        Assert.Equal(new FaceBox(10, 20, 30, 40), table.Find("clip", 1));
        Assert.Equal(new FaceBox(11.5f, 21, 31, 41), table.Find("clip", 3));
        Assert.Null(table.Find("clip", 2));
        Assert.Equal(["clip", "other"], table.Videos);
        Assert.True(table.HasVideo("other"));
        Assert.False(table.HasVideo("missing"));
    }

    [Theory]
    [InlineData("video,frame,x,y,w\nclip,1,0,0,5\n", 1, "missing column(s) h")]
    [InlineData("clip,1,0,0,5,5\n", 1, "missing column(s)")]
    [InlineData("video,frame,x,y,w,h\nclip,1,0,0,5,5\nclip,zero,0,0,5,5\n", 3, "frame 'zero'")]
    [InlineData("video,frame,x,y,w,h\nclip,1,0,0,5,5\nclip,2,0,abc,5,5\n", 3, "y 'abc' is not a number")]
    [InlineData("video,frame,x,y,w,h\nclip,1,0,0,0,5\n", 2, "must be positive")]
    [InlineData("video,frame,x,y,w,h\nclip,1,0,0,5,5\nclip,1,1,1,5,5\n", 3, "already has a box on line 2")]
    public void BadRowsNameTheFileAndLine(string text, int line, string message)
    {
        var path = Write(text);
        var e = Assert.Throws<AnnotationFormatException>(() => FaceBoxCsv.Read(path));
        Assert.Equal(line, e.LineNumber);
        Assert.Contains(path, e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void MissingFileNamesThePath()
    {
        var path = Path.Combine(root, "none.csv");
        var e = Assert.Throws<FileNotFoundException>(() => FaceBoxCsv.Read(path));
        Assert.Contains(path, e.Message);
    }
}
