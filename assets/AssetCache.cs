namespace Emotion.Assets;

/// <summary>
/// Where <c>./build.sh setup</c> (assets/fetch.sh) puts the third-party files of assets/assets.tsv: <c>$EMOTION_ASSETS</c>,
/// else <c>$XDG_CACHE_HOME/emotion-core/assets</c>, else <c>~/.cache/emotion-core/assets</c>.
/// </summary>
internal static class AssetCache
{
    /// <summary>The cache folder (it may not exist yet).</summary>
    public static string DefaultDirectory
    {
        get
        {
            string? configured = Environment.GetEnvironmentVariable("EMOTION_ASSETS");
            if (!string.IsNullOrEmpty(configured)) return configured;
            string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            string cache = string.IsNullOrEmpty(xdg)
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache")
                : xdg;
            return Path.Combine(cache, "emotion-core", "assets");
        }
    }
}
