namespace Emotion.Core.Metrics;

/// <summary>
/// The evaluation scores of the Aff-Wild2 / ABAW challenges (Kollias &amp; Zafeiriou, 2019; Kollias et al., "Analysing Affective
/// Behavior in the First ABAW 2020 Competition", FG 2020).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Valence-arousal track: <c>(CCC_valence + CCC_arousal) / 2</c>.</item>
/// <item>Expression track (ABAW 2021 onwards): macro F1 over the categories (7 basic, or 8 with Other).</item>
/// <item>Expression track of the first challenge (ABAW 2020): <c>0.67 * macroF1 + 0.33 * accuracy</c>.</item>
/// </list>
/// </remarks>
public static class AbawScores
{
    /// <summary>Weight of macro F1 in the ABAW 2020 expression score.</summary>
    public const double EarlyF1Weight = 0.67;

    /// <summary>Weight of accuracy in the ABAW 2020 expression score.</summary>
    public const double EarlyAccuracyWeight = 0.33;

    /// <summary>The valence-arousal score: mean of the two CCCs.</summary>
    /// <exception cref="ArgumentException">A CCC is not finite or outside [-1, 1].</exception>
    public static double ValenceArousal(double cccValence, double cccArousal)
    {
        CheckUnit(cccValence, nameof(cccValence));
        CheckUnit(cccArousal, nameof(cccArousal));
        return (cccValence + cccArousal) / 2;
    }

    /// <summary>The expression score: macro F1 over every class of the matrix.</summary>
    /// <exception cref="InvalidOperationException">The matrix is empty.</exception>
    public static double Expression(ConfusionMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        return matrix.MacroF1();
    }

    /// <summary>The ABAW 2020 expression score: 0.67 macro F1 + 0.33 accuracy.</summary>
    /// <exception cref="InvalidOperationException">The matrix is empty.</exception>
    public static double EarlyExpression(ConfusionMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        return EarlyExpression(matrix.MacroF1(), matrix.Accuracy());
    }

    /// <summary>The ABAW 2020 expression score from its parts.</summary>
    /// <exception cref="ArgumentException">A part is not finite or outside [0, 1].</exception>
    public static double EarlyExpression(double macroF1, double accuracy)
    {
        if (!(macroF1 >= 0 && macroF1 <= 1)) throw new ArgumentException($"macroF1 is {macroF1}; expected a value in [0, 1].", nameof(macroF1));
        if (!(accuracy >= 0 && accuracy <= 1)) throw new ArgumentException($"accuracy is {accuracy}; expected a value in [0, 1].", nameof(accuracy));
        return EarlyF1Weight * macroF1 + EarlyAccuracyWeight * accuracy;
    }

    private static void CheckUnit(double value, string name)
    {
        if (!(value >= -1 && value <= 1)) throw new ArgumentException($"{name} is {value}; expected a CCC in [-1, 1].", name);
    }
}
