using System.Globalization;

namespace Emotion.Cli.Tests;

/// <summary>A predictions CSV read back for comparisons: the header and each row's cells by column name.</summary>
public sealed class PredictionTable
{
    private PredictionTable(string[] header, List<string[]> rows)
    {
        Header = header;
        Rows = rows;
    }

    public string[] Header { get; }
    public IReadOnlyList<string[]> Rows { get; }

    public static PredictionTable Read(string path)
    {
        var lines = File.ReadAllLines(path);
        return new PredictionTable(lines[0].Split(','), [.. lines.Skip(1).Select(l => l.Split(','))]);
    }

    public int Column(string name)
    {
        int i = Array.IndexOf(Header, name);
        return i >= 0 ? i : throw new KeyNotFoundException($"No column '{name}' in {string.Join(",", Header)}.");
    }

    public string Cell(int row, string column) => Rows[row][Column(column)];

    public double Number(int row, string column) => double.Parse(Cell(row, column), CultureInfo.InvariantCulture);

    /// <summary>The probability and valence/arousal columns.</summary>
    public IReadOnlyList<string> ValueColumns => [.. Header.Where(h => h.StartsWith("p_", StringComparison.Ordinal) || h is "valence" or "arousal")];

    /// <summary>The largest absolute difference between the value columns of two tables, row by row.</summary>
    public static double MaxDifference(PredictionTable a, PredictionTable b)
    {
        Assert.Equal(a.Rows.Count, b.Rows.Count);
        double max = 0;
        for (int r = 0; r < a.Rows.Count; r++)
            foreach (var column in a.ValueColumns)
                max = Math.Max(max, Math.Abs(a.Number(r, column) - b.Number(r, column)));
        return max;
    }

    /// <summary>The fraction of rows whose top category agrees.</summary>
    public static double CategoryAgreement(PredictionTable a, PredictionTable b)
    {
        Assert.Equal(a.Rows.Count, b.Rows.Count);
        int same = 0;
        for (int r = 0; r < a.Rows.Count; r++)
            if (a.Cell(r, "category") == b.Cell(r, "category")) same++;
        return (double)same / a.Rows.Count;
    }
}
