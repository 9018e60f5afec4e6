using System.Text.Json;
using System.Text.Json.Serialization;

namespace Emotion.Core.IO;

/// <summary>
/// The library's one JSON convention for the documents it writes and reads (model.json, training.json, metrics.json,
/// history.json, loss and report descriptions, ONNX metadata): camelCase names, enums as camelCase strings, indented;
/// and one way of reading them, in which every malformed or invalid document becomes a <see cref="FormatException"/>
/// that names the document.
/// </summary>
public static class EmotionJson
{
    /// <summary>The serializer options of every document (camelCase, enums as strings, indented).</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>Serialises <paramref name="value"/> with <see cref="Options"/>.</summary>
    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <summary>Parses a document written by <see cref="Serialize{T}"/> and checks it.</summary>
    /// <param name="json">The text.</param>
    /// <param name="document">What the document is, for the messages ("model description", "training history").</param>
    /// <param name="validate">Checks the parsed value and returns it (or a normalised copy); an
    /// <see cref="ArgumentException"/> it throws becomes a <see cref="FormatException"/>, a <see cref="FormatException"/>
    /// passes through.</param>
    /// <exception cref="ArgumentNullException"><paramref name="json"/> is null.</exception>
    /// <exception cref="FormatException">The text is not JSON of that shape, is <c>null</c>, or fails <paramref name="validate"/>;
    /// the message names <paramref name="document"/> and the reason.</exception>
    public static T Deserialize<T>(string json, string document, Func<T, T>? validate = null) where T : class
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentException.ThrowIfNullOrEmpty(document);
        T value;
        try
        {
            value = JsonSerializer.Deserialize<T>(json, Options) ?? throw new FormatException($"The {document} is empty (null).");
        }
        catch (Exception e) when (e is JsonException or ArgumentException) // a constructor's check while reading is the document's fault too
        {
            throw new FormatException($"Not a valid {document}: {e.Message}", e);
        }
        if (validate is null) return value;
        try
        {
            return validate(value);
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"Not a valid {document}: {e.Message}", e);
        }
    }
}
