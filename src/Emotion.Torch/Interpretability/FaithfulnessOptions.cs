namespace Emotion.Torch.Interpretability;

/// <summary>Settings of a deletion/insertion curve (<see cref="FaithfulnessCurve"/>).</summary>
public sealed record FaithfulnessOptions
{
    /// <summary>The default options: 20 steps, blurred baseline with an 11-pixel kernel.</summary>
    public static FaithfulnessOptions Default { get; } = new();

    /// <summary>Number of steps k: the curve has k + 1 points, at fractions 0, 1/k, ..., 1 of the pixels (default 20).</summary>
    public int Steps { get; init; } = 20;

    /// <summary>What removed pixels become (default <see cref="FaithfulnessBaseline.Blur"/>).</summary>
    public FaithfulnessBaseline Baseline { get; init; } = FaithfulnessBaseline.Blur;

    /// <summary>Side of the box blur's kernel in pixels, odd (default 11).</summary>
    public int BlurKernel { get; init; } = 11;

    /// <summary>Checks the values and returns this instance.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public FaithfulnessOptions Validate()
    {
        if (Steps is < 1 or > 1000) throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "Expected between 1 and 1000 steps.");
        if (BlurKernel < 1 || BlurKernel % 2 == 0) throw new ArgumentOutOfRangeException(nameof(BlurKernel), BlurKernel, "Expected an odd blur kernel of at least 1 pixel.");
        return this;
    }
}
