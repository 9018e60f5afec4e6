using Emotion.Core.IO;
using Emotion.Testing;

namespace Emotion.Core.Tests.IO;

public sealed class AtomicFileTests : IDisposable
{
    private readonly TempFolder temp = new("emotion-atomic-");
    private string _dir => temp.Path;

    public void Dispose() => temp.Dispose();

    [Fact]
    public void FailingWriteNamesTheTargetAndReasonNotTheTempFile()
    {
        var target = Path.Combine(_dir, "metrics.json");
        File.WriteAllText(target, "old");
        var ex = Assert.Throws<IOException>(() => AtomicFile.Write(target, stream =>
            throw new IOException($"No space left on device : '{((FileStream)stream).Name}'")));
        Assert.Contains($"Cannot write '{target}'", ex.Message);
        Assert.Contains("No space left on device", ex.Message);
        Assert.DoesNotContain(".tmp", ex.Message);
        Assert.Equal("old", File.ReadAllText(target));
        Assert.Equal([target], Directory.GetFiles(_dir));
    }

    [Fact]
    public void TargetIsAFolderSaysSo()
    {
        var target = Path.Combine(_dir, "out");
        Directory.CreateDirectory(target);
        var ex = Assert.ThrowsAny<IOException>(() => AtomicFile.WriteAllText(target, "x"));
        Assert.Contains($"Cannot write '{target}'", ex.Message);
        Assert.Contains("the target is a folder", ex.Message);
        Assert.DoesNotContain(".tmp", ex.Message);
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public void FolderCannotBeCreatedNamesTargetAndFolder()
    {
        var blocker = Path.Combine(_dir, "file");
        File.WriteAllText(blocker, "");
        var target = Path.Combine(blocker, "sub", "a.json");
        var ex = Assert.ThrowsAny<IOException>(() => AtomicFile.WriteAllText(target, "x"));
        Assert.Contains($"Cannot write '{target}'", ex.Message);
        Assert.Contains($"cannot create its folder '{Path.GetDirectoryName(target)}'", ex.Message);
    }

    [Fact]
    public void OtherExceptionsPassThroughUnchanged()
    {
        var target = Path.Combine(_dir, "a.json");
        var ex = Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(target, _ => throw new InvalidOperationException("bad")));
        Assert.Equal("bad", ex.Message);
        Assert.Empty(Directory.GetFiles(_dir));
    }
}
