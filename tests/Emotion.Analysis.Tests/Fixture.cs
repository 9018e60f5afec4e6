using System.Text.Json;

namespace Emotion.Analysis.Tests;

/// <summary>Reads the JSON fixtures written by Fixtures/generate_fixtures.py (numpy / scikit-learn references).</summary>
internal static class Fixture
{
    public static JsonElement Load(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", name);
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.Clone();
    }

    public static IEnumerable<JsonElement> Cases(string name) => Load(name).GetProperty("cases").EnumerateArray();

    public static float[] Floats(this JsonElement e, string property) =>
        e.GetProperty(property).EnumerateArray().Select(x => x.GetSingle()).ToArray();

    public static double[] Doubles(this JsonElement e, string property) =>
        e.GetProperty(property).EnumerateArray().Select(x => x.GetDouble()).ToArray();

    public static double Double(this JsonElement e, string property) => e.GetProperty(property).GetDouble();

    public static int Int(this JsonElement e, string property) => e.GetProperty(property).GetInt32();
}
