using System.Globalization;
using System.Text;
using Emotion.Core;

namespace Emotion.Preprocessing.Annotations;

/// <summary>
/// Reads and writes the Aff-Wild2 per-video annotation files.
/// <para>EXPR_Set: header <c>Neutral,Anger,Disgust,Fear,Happiness,Sadness,Surprise,Other</c> (the 7-name header without
/// <c>Other</c> is accepted too), then one integer per frame: 0-6 the basic categories, 7 Other (masked unless
/// <see cref="AnnotationLoadOptions.IncludeOther"/>), -1 unlabeled.</para>
/// <para>VA_Set: header <c>valence,arousal</c>, then <c>v,a</c> per frame, each in [-1, 1]; -5 marks an unlabeled value.</para>
/// Line N after the header (file line N + 1) belongs to frame N. Headers are compared case-insensitively ignoring spaces;
/// trailing empty lines are ignored; numbers use the invariant culture.
/// </summary>
public static class AffWild2Annotations
{
    /// <summary>The EXPR_Set header with Other.</summary>
    public const string ExpressionHeader = "Neutral,Anger,Disgust,Fear,Happiness,Sadness,Surprise,Other";

    /// <summary>The VA_Set header.</summary>
    public const string ValenceArousalHeader = "valence,arousal";

    /// <summary>The EXPR_Set marker of an unlabeled frame.</summary>
    public const int UnlabeledExpression = -1;

    /// <summary>The VA_Set marker of an unlabeled value.</summary>
    public const float UnlabeledValenceArousal = -5f;

    private const string ExpressionHeaderWithoutOther = "Neutral,Anger,Disgust,Fear,Happiness,Sadness,Surprise";

    /// <summary>Reads an EXPR_Set file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="options">Strict or lenient; whether Other is kept (null = strict, 7 classes).</param>
    /// <param name="issues">Receives problems in lenient mode.</param>
    /// <returns>The labels, or null when, in lenient mode, the file is unusable (bad header, empty).</returns>
    /// <exception cref="AnnotationFormatException">Strict mode: bad header, a non-integer, or a label outside -1..7; the message names file and line.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static ExpressionAnnotation? ReadExpressions(string path, AnnotationLoadOptions? options = null, ICollection<AnnotationIssue>? issues = null)
    {
        options ??= AnnotationLoadOptions.Strict;
        var sink = new IssueSink(options, issues);
        var lines = ReadLines(path);
        if (!CheckHeader(path, lines, sink, ExpressionHeader, ExpressionHeaderWithoutOther)) return null;
        var labels = new EmotionCategory?[lines.Count - 1];
        for (int i = 1; i < lines.Count; i++)
        {
            var text = lines[i].Trim();
            if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value))
            {
                sink.Report(path, i + 1, $"'{text}' is not an integer expression label; expected -1 (unlabeled) or 0-7.");
                continue;
            }
            if (value == UnlabeledExpression) continue;
            if (value < 0 || value > (int)EmotionCategory.Other)
            {
                sink.Report(path, i + 1, $"unknown expression label {value}; expected -1 (unlabeled), 0-6 (Neutral..Surprise) or 7 (Other).");
                continue;
            }
            if (value == (int)EmotionCategory.Other && !options.IncludeOther) continue;
            labels[i - 1] = (EmotionCategory)value;
        }
        return new ExpressionAnnotation(path, labels);
    }

    /// <summary>Reads a VA_Set file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="options">Strict or lenient (null = strict).</param>
    /// <param name="issues">Receives problems in lenient mode.</param>
    /// <returns>The labels, or null when, in lenient mode, the file is unusable (bad header, empty).</returns>
    /// <exception cref="AnnotationFormatException">Strict mode: bad header, not two numbers, or a value outside [-1, 1] other than -5; the message names file and line.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static ValenceArousalAnnotation? ReadValenceArousal(string path, AnnotationLoadOptions? options = null, ICollection<AnnotationIssue>? issues = null)
    {
        options ??= AnnotationLoadOptions.Strict;
        var sink = new IssueSink(options, issues);
        var lines = ReadLines(path);
        if (!CheckHeader(path, lines, sink, ValenceArousalHeader)) return null;
        int n = lines.Count - 1;
        var valence = new float?[n];
        var arousal = new float?[n];
        for (int i = 1; i < lines.Count; i++)
        {
            var text = lines[i].AsSpan().Trim();
            int comma = text.IndexOf(',');
            if (comma < 0 || text[(comma + 1)..].Contains(','))
            {
                sink.Report(path, i + 1, $"'{text}' is not a 'valence,arousal' pair.");
                continue;
            }
            if (!TryParseValue(path, i + 1, "valence", text[..comma], sink, out var v) |
                !TryParseValue(path, i + 1, "arousal", text[(comma + 1)..], sink, out var a))
                continue;
            valence[i - 1] = v;
            arousal[i - 1] = a;
        }
        return new ValenceArousalAnnotation(path, valence, arousal);
    }

    /// <summary>Writes an EXPR_Set file (header with Other; null written as -1). Lines end with '\n'.</summary>
    /// <param name="path">The file to create or overwrite.</param>
    /// <param name="labels">Labels of frames 1, 2, ...</param>
    public static void WriteExpressions(string path, IEnumerable<EmotionCategory?> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var sb = new StringBuilder(ExpressionHeader).Append('\n');
        foreach (var label in labels)
            sb.Append(label is { } c ? ((int)c).ToString(CultureInfo.InvariantCulture) : "-1").Append('\n');
        File.WriteAllText(path, sb.ToString());
    }

    /// <summary>Writes a VA_Set file (null written as -5; values with up to 6 decimals). Lines end with '\n'.</summary>
    /// <param name="path">The file to create or overwrite.</param>
    /// <param name="values">Valence and arousal of frames 1, 2, ...</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is outside [-1, 1].</exception>
    public static void WriteValenceArousal(string path, IEnumerable<(float? Valence, float? Arousal)> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var sb = new StringBuilder(ValenceArousalHeader).Append('\n');
        foreach (var (v, a) in values)
            sb.Append(Format(v, "valence")).Append(',').Append(Format(a, "arousal")).Append('\n');
        File.WriteAllText(path, sb.ToString());

        static string Format(float? value, string name)
        {
            if (value is not { } x) return "-5";
            if (!(x >= -1f && x <= 1f)) throw new ArgumentOutOfRangeException(nameof(values), x, $"Expected {name} in [-1, 1] or null.");
            return x.ToString("0.######", CultureInfo.InvariantCulture);
        }
    }

    private static bool TryParseValue(string path, int line, string name, ReadOnlySpan<char> text, IssueSink sink, out float? value)
    {
        value = null;
        text = text.Trim();
        if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float x) || !float.IsFinite(x))
        {
            sink.Report(path, line, $"{name} '{text}' is not a number.");
            return false;
        }
        if (x == UnlabeledValenceArousal) return true;
        if (!(x >= -1f && x <= 1f))
        {
            sink.Report(path, line, $"{name} {x.ToString(CultureInfo.InvariantCulture)} is outside [-1, 1] (and not the unlabeled marker -5).");
            return false;
        }
        value = x;
        return true;
    }

    private static bool CheckHeader(string path, List<string> lines, IssueSink sink, params string[] expected)
    {
        if (lines.Count == 0)
        {
            sink.Report(path, 1, $"the file is empty; expected the header '{expected[0]}'.");
            return false;
        }
        var header = lines[0].Replace(" ", "", StringComparison.Ordinal).Trim().TrimStart('\uFEFF');
        foreach (var e in expected)
            if (string.Equals(header, e, StringComparison.OrdinalIgnoreCase)) return true;
        sink.Report(path, 1, $"bad header '{lines[0]}'; expected '{expected[0]}'.");
        return false;
    }

    private static List<string> ReadLines(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Annotation file '{path}' does not exist.", path);
        var lines = new List<string>(File.ReadAllLines(path));
        while (lines.Count > 0 && string.IsNullOrWhiteSpace(lines[^1])) lines.RemoveAt(lines.Count - 1);
        return lines;
    }
}
