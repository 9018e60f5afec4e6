namespace Emotion.Testing;

/// <summary>
/// Locates the third-party files listed in <c>assets/assets.tsv</c> (real faces, a video, pretrained ONNX models). They are
/// never committed: <c>./build.sh setup</c> (or <c>assets/fetch.sh</c>) downloads them into the cache, which is
/// <c>$EMOTION_ASSETS</c> or <c>~/.cache/emotion-core/assets</c>. Test projects include this file as a link.
/// </summary>
internal static class TestAssets
{
    /// <summary>The cache folder.</summary>
    public static string Directory => Emotion.Core.IO.AssetCache.DefaultDirectory;

    /// <summary>The full path of the asset <paramref name="name"/> (a name from assets.tsv), or a clear failure saying how to fetch it.</summary>
    public static string Path(string name)
    {
        string path = System.IO.Path.Combine(Directory, name);
        if (!File.Exists(path))
            throw new FileNotFoundException(
                $"Test asset '{name}' is missing from {Directory}. Run ./build.sh setup (or assets/fetch.sh) to download it; " +
                "set EMOTION_ASSETS to use another cache folder.", path);
        return path;
    }
}
