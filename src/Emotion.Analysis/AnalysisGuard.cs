namespace Emotion.Analysis;

/// <summary>Checks shared by the feature-space analyses.</summary>
internal static class AnalysisGuard
{
    /// <summary>Throws unless <paramref name="data"/> is a finite row-major rows x columns matrix.</summary>
    public static void Matrix(ReadOnlySpan<float> data, int rows, int columns, string name = "data")
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        if (data.Length != (long)rows * columns)
            throw new ArgumentException($"{name} has {data.Length} values; expected rows x columns = {rows} x {columns} = {(long)rows * columns}.", name);
        for (int i = 0; i < data.Length; i++)
            if (!float.IsFinite(data[i]))
                throw new ArgumentException($"{name} row {i / columns}, column {i % columns} is {data[i]}; expected finite values.", name);
    }
}
