using Emotion.Core.IO;

namespace Emotion.Core.Tests.IO;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "emotion-atomic-" + Guid.NewGuid().ToString("N"));

    public AtomicFileTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void FailingWrite_NamesTheTargetAndReason_NotTheTempFile()
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
    public void TargetIsAFolder_SaysSo()
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
    public void FolderCannotBeCreated_NamesTargetAndFolder()
    {
        var blocker = Path.Combine(_dir, "file");
        File.WriteAllText(blocker, "");
        var target = Path.Combine(blocker, "sub", "a.json");
        var ex = Assert.ThrowsAny<IOException>(() => AtomicFile.WriteAllText(target, "x"));
        Assert.Contains($"Cannot write '{target}'", ex.Message);
        Assert.Contains($"cannot create its folder '{Path.GetDirectoryName(target)}'", ex.Message);
    }

    [Fact]
    public void OtherExceptions_PassThroughUnchanged()
    {
        var target = Path.Combine(_dir, "a.json");
        var ex = Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(target, _ => throw new InvalidOperationException("bad")));
        Assert.Equal("bad", ex.Message);
        Assert.Empty(Directory.GetFiles(_dir));
    }
}
