using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Torch.Backbones;

/// <summary>
/// A fixed (parameter-free) input step that turns RGB frames into the one-channel input of a grayscale network:
/// <c>gray = R * RedWeight + G * GreenWeight + B * BlueWeight</c>, then <c>(gray - Shift) * Scale</c>; <c>[N, 3, H, W]</c>
/// to <c>[N, 1, H, W]</c>. The weights are plain numbers, not tensors, so the step adds nothing to a state dictionary.
/// </summary>
/// <remarks>
/// The defaults are @vladmandic/human's preprocessing of its emotion network (MATLAB's <c>rgb2gray</c> weights 0.2989,
/// 0.5870, 0.1140 on pixels in [0, 1], then <c>(gray - 0.5) * 2</c>, giving [-1, 1]); feed frames with pixels in [0, 1]
/// (<see cref="Emotion.Core.Normalization.ZeroToOne"/>).
/// </remarks>
public sealed class GrayscaleInput : nn.Module<Tensor, Tensor>
{
    /// <summary>Creates the step.</summary>
    /// <param name="redWeight">The weight of the red channel.</param>
    /// <param name="greenWeight">The weight of the green channel.</param>
    /// <param name="blueWeight">The weight of the blue channel.</param>
    /// <param name="shift">Subtracted from the weighted sum.</param>
    /// <param name="scale">Multiplies the shifted sum.</param>
    /// <exception cref="ArgumentOutOfRangeException">A weight, shift or scale that is not finite.</exception>
    public GrayscaleInput(float redWeight = 0.2989f, float greenWeight = 0.5870f, float blueWeight = 0.1140f, float shift = 0.5f, float scale = 2f)
        : base(nameof(GrayscaleInput))
    {
        foreach (var (value, name) in new[] { (redWeight, nameof(redWeight)), (greenWeight, nameof(greenWeight)), (blueWeight, nameof(blueWeight)), (shift, nameof(shift)), (scale, nameof(scale)) })
            if (!float.IsFinite(value)) throw new ArgumentOutOfRangeException(name, value, "Must be a finite number.");
        RedWeight = redWeight;
        GreenWeight = greenWeight;
        BlueWeight = blueWeight;
        Shift = shift;
        Scale = scale;
    }

    /// <summary>The weight of the red channel.</summary>
    public float RedWeight { get; }

    /// <summary>The weight of the green channel.</summary>
    public float GreenWeight { get; }

    /// <summary>The weight of the blue channel.</summary>
    public float BlueWeight { get; }

    /// <summary>Subtracted from the weighted sum.</summary>
    public float Shift { get; }

    /// <summary>Multiplies the shifted sum.</summary>
    public float Scale { get; }

    /// <summary>Converts <c>[N, 3, H, W]</c> to <c>[N, 1, H, W]</c> (in human's order: three products, their sum, shift, scale).</summary>
    /// <exception cref="ArgumentException">The input is not <c>[N, 3, H, W]</c>.</exception>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 4 || input.shape[1] != 3)
            throw new ArgumentException($"GrayscaleInput expects RGB frames [N, 3, H, W], got [{string.Join(", ", input.shape)}].", nameof(input));
        using var scope = NewDisposeScope();
        var gray = input.narrow(1, 0, 1) * RedWeight + input.narrow(1, 1, 1) * GreenWeight + input.narrow(1, 2, 1) * BlueWeight;
        return ((gray - Shift) * Scale).MoveToOuterDisposeScope();
    }
}
