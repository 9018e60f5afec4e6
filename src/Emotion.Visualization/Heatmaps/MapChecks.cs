namespace Emotion.Visualization.Heatmaps;

/// <summary>Argument checks shared by the heatmap types.</summary>
internal static class MapChecks
{
    public static void CheckSize(int height, int width, string argument)
    {
        if (height <= 0 || width <= 0)
            throw new ArgumentException($"Map size {height} x {width} is invalid; expected a positive height and width.", argument);
    }

    public static void CheckMap(int length, int height, int width, string argument)
    {
        CheckSize(height, width, argument);
        if (length != (long)height * width)
            throw new ArgumentException($"Map '{argument}' has {length} values; expected height x width = {height} x {width} = {(long)height * width}.", argument);
    }

    public static void CheckFinite(ReadOnlySpan<float> map, string argument)
    {
        for (int i = 0; i < map.Length; i++)
            if (!float.IsFinite(map[i]))
                throw new ArgumentException($"Map '{argument}' has a non-finite value ({map[i]}) at index {i}; expected finite values in [0, 1].", argument);
    }
}
