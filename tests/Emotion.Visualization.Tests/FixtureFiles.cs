using System.Text.Json;

namespace Emotion.Visualization.Tests;

/// <summary>Reads the JSON fixtures written by Fixtures/make_fixtures.py.</summary>
internal static class FixtureFiles
{
    public static JsonDocument Load(string name) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", name)));

    public static float[] Floats(JsonElement array) => array.EnumerateArray().Select(e => e.GetSingle()).ToArray();
}
