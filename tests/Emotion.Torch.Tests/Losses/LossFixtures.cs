using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Emotion.Torch.Tests.Losses;

/// <summary>Reads Fixtures/Losses/loss_fixtures.json (written by make_loss_fixtures.py with PyTorch 1.13 and scikit-learn).</summary>
internal static class LossFixtures
{
    private static readonly Lazy<JsonDocument> Document = new(() => JsonDocument.Parse(File.ReadAllText(FindFile())));

    public static JsonElement Root => Document.Value.RootElement;

    public static IEnumerable<JsonElement> Cases(string section) => Root.GetProperty(section).EnumerateArray();

    public static JsonElement Case(string section, string name) =>
        Cases(section).Single(c => c.GetProperty("name").GetString() == name);

    public static float[] Floats(this JsonElement e, string property) =>
        e.GetProperty(property).EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();

    public static long[] Longs(this JsonElement e, string property) =>
        e.GetProperty(property).EnumerateArray().Select(v => v.GetInt64()).ToArray();

    public static long[] Shape(this JsonElement e) => e.Longs("shape");

    private static string FindFile([CallerFilePath] string source = "")
    {
        const string relative = "Fixtures/Losses/loss_fixtures.json";
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate)) return candidate;
        }
        string fromSource = Path.Combine(Path.GetDirectoryName(source)!, "..", relative);
        return File.Exists(fromSource) ? fromSource
            : throw new FileNotFoundException($"Loss fixtures not found: looked for {relative} above {AppContext.BaseDirectory} and at {fromSource}.");
    }
}
