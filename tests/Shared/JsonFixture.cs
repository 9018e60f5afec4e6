using System.Text.Json;

namespace Emotion.Testing;

/// <summary>
/// Reads the JSON fixtures a test project's Fixtures/generate_fixtures.py writes (numpy / scipy / scikit-learn references),
/// copied next to the test assembly. The one fixture reader of the test projects, which include this file as a link.
/// </summary>
internal static class Fixture
{
    public static JsonElement Load(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", name);
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.Clone();
    }

    public static IEnumerable<JsonElement> Cases(string name) => Load(name).GetProperty("cases").EnumerateArray();

    /// <summary>Floats; JSON null becomes NaN (used for garbage in unscored entries).</summary>
    public static float[] Floats(this JsonElement e, string property) =>
        e.GetProperty(property).EnumerateArray().Select(x => x.ValueKind == JsonValueKind.Null ? float.NaN : x.GetSingle()).ToArray();

    public static double[] Doubles(this JsonElement e, string property) =>
        e.GetProperty(property).EnumerateArray().Select(x => x.GetDouble()).ToArray();

    public static int[] Ints(this JsonElement e, string property) =>
        e.GetProperty(property).EnumerateArray().Select(x => x.GetInt32()).ToArray();

    public static bool[] Bools(this JsonElement e, string property) =>
        e.GetProperty(property).EnumerateArray().Select(x => x.GetBoolean()).ToArray();

    public static double Double(this JsonElement e, string property) => e.GetProperty(property).GetDouble();

    public static int Int(this JsonElement e, string property) => e.GetProperty(property).GetInt32();
}
