using System.Globalization;

namespace Emotion.Torch;

/// <summary>
/// The outcome of checking one <see cref="ConvolutionShape"/> of a model (<see cref="ModelConvolutionCheck"/>): the forward
/// output, the weight gradient and, where the model needs it, the input gradient, each computed in the check's type on the
/// kernels in use and compared with float64 from the same numbers. An error is <c>max |a - a64| / max |a64|</c> over the worst
/// try (positive infinity for NaN or infinite values).
/// </summary>
/// <param name="Shape">The convolution.</param>
/// <param name="Layers">The model's layers with this shape (module paths).</param>
/// <param name="ForwardError">The forward output's error.</param>
/// <param name="WeightGradientError">The weight gradient's error.</param>
/// <param name="InputGradientError">The input gradient's error; null where the model never needs it (<see cref="ConvolutionShape.InputGradient"/>).</param>
/// <param name="NotRun">Why the shape was not computed (a shape known to crash oneDNN's backward, a convolution the check cannot
/// reproduce); null when it was.</param>
public sealed record ConvolutionShapeCheck(
    ConvolutionShape Shape,
    IReadOnlyList<string> Layers,
    double ForwardError,
    double WeightGradientError,
    double? InputGradientError,
    string? NotRun = null)
{
    /// <summary>The largest gradient error (weight, and input where needed).</summary>
    public double BackwardError => Math.Max(WeightGradientError, InputGradientError ?? 0);

    /// <summary>One line for logs.</summary>
    public override string ToString()
    {
        if (NotRun is not null) return $"{Shape}: not run ({NotRun})";
        static string E(double v) => v.ToString("0.0E+0", CultureInfo.InvariantCulture);
        return $"{Shape}: forward {E(ForwardError)}, weight gradient {E(WeightGradientError)}" +
               (InputGradientError is { } dx ? $", input gradient {E(dx)}" : "");
    }
}
