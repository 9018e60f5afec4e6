namespace Emotion.Core.IO;

/// <summary>
/// The folder that holds third-party files fetched by <c>./build.sh setup</c> (<c>assets/fetch.sh</c>): pretrained weights,
/// the face detector, sample photos and videos. It is <c>$EMOTION_ASSETS</c>, else <c>$XDG_CACHE_HOME/emotion-core/assets</c>,
/// else <c>~/.cache/emotion-core/assets</c>. Nothing in it is shipped inside the library's packages.
/// </summary>
public static class AssetCache
{
    /// <summary>The environment variable that overrides the cache folder.</summary>
    public const string EnvironmentVariable = "EMOTION_ASSETS";

    /// <summary>The command that fills the cache from a clone of the repository.</summary>
    public const string FetchCommand = "./build.sh setup (or assets/fetch.sh)";

    /// <summary>The cache folder (it may not exist yet).</summary>
    public static string DefaultDirectory
    {
        get
        {
            string? configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
            if (!string.IsNullOrEmpty(configured)) return configured;
            string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            string cache = string.IsNullOrEmpty(xdg)
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache")
                : xdg;
            return Path.Combine(cache, "emotion-core", "assets");
        }
    }
}
