namespace Emotion.Testing;

/// <summary>
/// A fresh temporary folder (under the system's temp folder, named with <c>prefix</c> and a random suffix), deleted with
/// everything in it on dispose. The one temp-folder helper of the test projects, which include this file as a link.
/// </summary>
internal sealed class TempFolder : IDisposable
{
    /// <summary>Creates the folder.</summary>
    /// <param name="prefix">The start of the folder's name, saying which tests made it (for example <c>emotion-video-</c>).</param>
    public TempFolder(string prefix = "emotion-tests-")
    {
        Path = Create(prefix);
    }

    /// <summary>
    /// Creates a fresh temporary folder and returns its path, for a fixture or test that deletes it itself (in its own
    /// <c>Dispose</c> or <c>finally</c>); prefer an instance in a <c>using</c>.
    /// </summary>
    public static string Create(string prefix = "emotion-tests-") => Directory.CreateTempSubdirectory(prefix).FullName;

    /// <summary>The folder's full path.</summary>
    public string Path { get; }

    /// <summary>A path inside the folder (nothing is created).</summary>
    public string File(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>Writes <paramref name="text"/> to a file inside the folder (creating its subfolders) and returns its path.</summary>
    public string Write(string relative, string text)
    {
        string file = File(relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
        System.IO.File.WriteAllText(file, text);
        return file;
    }

    /// <summary>Creates a subfolder (and its parents) and returns its path.</summary>
    public string Folder(params string[] parts)
    {
        string folder = File(parts);
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>
    /// Deletes the folder; a file still open elsewhere leaves it behind rather than failing the test. Set
    /// <c>EMOTION_KEEP_TEST_OUTPUT</c> to keep every test's folder (to look at the images and files a test wrote).
    /// </summary>
    public void Dispose()
    {
        if (Environment.GetEnvironmentVariable("EMOTION_KEEP_TEST_OUTPUT") is not null) return;
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
