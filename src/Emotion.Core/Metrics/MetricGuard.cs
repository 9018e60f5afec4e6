namespace Emotion.Core.Metrics;

/// <summary>Argument checks shared by the metrics and the mapping code, with messages that name the argument and index.</summary>
internal static class MetricGuard
{
    /// <summary>Throws unless the two lengths are equal.</summary>
    public static void SameLength(int length, string name, int otherLength, string otherName)
    {
        if (length != otherLength)
            throw new ArgumentException(
                $"{name} has {length} entries but {otherName} has {otherLength}; expected the same length.", otherName);
    }

    /// <summary>Throws unless the mask is empty (no mask: every entry scored) or as long as the data.</summary>
    public static void Mask(ReadOnlySpan<bool> mask, int length, string dataName, string maskName = "mask")
    {
        if (!mask.IsEmpty && mask.Length != length)
            throw new ArgumentException(
                $"{maskName} has {mask.Length} entries but {dataName} has {length}; expected the same length (or an empty mask to score every entry).",
                maskName);
    }

    /// <summary>Whether entry <paramref name="i"/> is scored: no mask, or the mask is true there.</summary>
    public static bool IsScored(ReadOnlySpan<bool> mask, int i) => mask.IsEmpty || mask[i];

    /// <summary>Throws when a scored value is NaN or infinite.</summary>
    public static void Finite(float value, string name, int index)
    {
        if (!float.IsFinite(value))
            throw new ArgumentException($"{name}[{index}] is {value}; scored entries must be finite numbers (mask the entry out if it is unlabeled).", name);
    }

    /// <summary>Throws when a scored value is NaN or infinite.</summary>
    public static void Finite(double value, string name, int index)
    {
        if (!double.IsFinite(value))
            throw new ArgumentException($"{name}[{index}] is {value}; scored entries must be finite numbers (mask the entry out if it is unlabeled).", name);
    }

    /// <summary>Throws when a single scored value is NaN or infinite.</summary>
    public static void Finite(double value, string name)
    {
        if (!double.IsFinite(value))
            throw new ArgumentException($"{name} is {value}; scored values must be finite numbers.", name);
    }

    /// <summary>Throws when no entry is scored.</summary>
    public static void AnyScored(long count, string dataName)
    {
        if (count == 0)
            throw new ArgumentException(
                $"{dataName} has no scored entries (it is empty or its mask is false everywhere); the metric is undefined.", dataName);
    }
}
