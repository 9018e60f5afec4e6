namespace Emotion.Core.Metrics;

/// <summary>
/// The evaluation scores of the Aff-Wild2 / ABAW challenges, as defined in the challenge papers:
/// ABAW1: Kollias, Schulc, Hajiyev &amp; Zafeiriou, "Analysing Affective Behavior in the First ABAW 2020 Competition", FG 2020;
/// ABAW2: Kollias &amp; Zafeiriou, "Analysing Affective Behavior in the Second ABAW2 Competition", ICCV 2021 Workshops (arXiv:2106.15318);
/// ABAW3: Kollias, "ABAW: Valence-Arousal Estimation, Expression Recognition, Action Unit Detection &amp; Multi-Task Learning
/// Challenges", CVPR 2022 Workshops (arXiv:2202.10659).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Valence-arousal track (every edition): <c>(CCC_valence + CCC_arousal) / 2</c> (<see cref="ValenceArousal"/>).</item>
/// <item>Expression track of ABAW1 (2020) and ABAW2 (2021), 7 basic expressions: <c>0.67 * macroF1 + 0.33 * accuracy</c>
/// (<see cref="F1AccuracyExpression(ConfusionMatrix)"/>).</item>
/// <item>Expression track from ABAW3 (2022) on: macro F1 averaged over the 8 classes, the 7 basic expressions and Other
/// (<see cref="Expression"/> on an 8-class matrix).</item>
/// </list>
/// </remarks>
public static class AbawScores
{
    /// <summary>Weight of macro F1 in the ABAW1 (2020) and ABAW2 (2021) expression score.</summary>
    public const double ExpressionF1Weight = 0.67;

    /// <summary>Weight of accuracy in the ABAW1 (2020) and ABAW2 (2021) expression score.</summary>
    public const double ExpressionAccuracyWeight = 0.33;

    /// <summary>The valence-arousal score: mean of the two CCCs.</summary>
    /// <exception cref="ArgumentException">A CCC is not finite or outside [-1, 1].</exception>
    public static double ValenceArousal(double cccValence, double cccArousal)
    {
        CheckUnit(cccValence, nameof(cccValence));
        CheckUnit(cccArousal, nameof(cccArousal));
        return (cccValence + cccArousal) / 2;
    }

    /// <summary>
    /// The expression score from ABAW3 (2022) on: macro F1 over every class of the matrix (the challenge's 8 classes with
    /// Other; on a 7-class matrix, the macro F1 over the basic expressions, which is not the challenge score).
    /// </summary>
    /// <exception cref="InvalidOperationException">The matrix is empty.</exception>
    public static double Expression(ConfusionMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        return matrix.MacroF1();
    }

    /// <summary>The ABAW1 (2020) and ABAW2 (2021) expression score: 0.67 macro F1 + 0.33 accuracy.</summary>
    /// <exception cref="InvalidOperationException">The matrix is empty.</exception>
    public static double F1AccuracyExpression(ConfusionMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        return F1AccuracyExpression(matrix.MacroF1(), matrix.Accuracy());
    }

    /// <summary>The ABAW1 (2020) and ABAW2 (2021) expression score from its parts.</summary>
    /// <exception cref="ArgumentException">A part is not finite or outside [0, 1].</exception>
    public static double F1AccuracyExpression(double macroF1, double accuracy)
    {
        if (!(macroF1 >= 0 && macroF1 <= 1)) throw new ArgumentException($"macroF1 is {macroF1}; expected a value in [0, 1].", nameof(macroF1));
        if (!(accuracy >= 0 && accuracy <= 1)) throw new ArgumentException($"accuracy is {accuracy}; expected a value in [0, 1].", nameof(accuracy));
        return ExpressionF1Weight * macroF1 + ExpressionAccuracyWeight * accuracy;
    }

    private static void CheckUnit(double value, string name)
    {
        if (!(value >= -1 && value <= 1)) throw new ArgumentException($"{name} is {value}; expected a CCC in [-1, 1].", name);
    }
}
