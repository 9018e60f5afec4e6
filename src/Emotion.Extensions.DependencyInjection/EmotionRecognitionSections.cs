using System.Collections.Concurrent;

namespace Emotion.Extensions.DependencyInjection;

/// <summary>
/// The configuration section each registered model was bound from (by options name), so that validation messages name a
/// setting by the key an operator types (<c>EmotionRecognition:Video:Margin</c>). One instance per service collection.
/// </summary>
internal sealed class EmotionRecognitionSections
{
    private readonly ConcurrentDictionary<string, string> paths = new(StringComparer.Ordinal);

    /// <summary>Records that model <paramref name="name"/> is bound from the section at <paramref name="path"/> ("" for the root).</summary>
    public void Bound(string name, string path) => paths[name] = path;

    /// <summary>The section model <paramref name="name"/> is bound from, or null when it is configured in code only.</summary>
    public string? Find(string name) => paths.TryGetValue(name, out var path) ? path : null;
}
