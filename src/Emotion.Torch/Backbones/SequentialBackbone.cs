using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Torch.Backbones;

/// <summary>
/// A backbone whose forward pass calls its registered steps in order (the usual shape: convolutional blocks, global
/// pooling, flatten). Subclasses register steps with <see cref="AddStep"/> and declare stages; the base class exposes
/// them by name. A convenient base for custom backbones (see docs/models.md).
/// </summary>
public abstract class SequentialBackbone : Backbone
{
    private readonly List<nn.Module<Tensor, Tensor>> steps = [];

    /// <summary>Creates an empty backbone.</summary>
    protected SequentialBackbone(string name) : base(name) { }

    /// <summary>Registers a submodule under <paramref name="name"/> (its state-dict prefix) and appends it to the forward pass.</summary>
    protected void AddStep(string name, nn.Module<Tensor, Tensor> module)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(module);
        register_module(name, module);
        steps.Add(module);
    }

    /// <summary>Runs the steps in order: <c>[N, 3, H, W]</c> to <c>[N, FeatureWidth]</c>.</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input;
        foreach (var step in steps) x = step.call(x);
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Measures the feature width by running a zero batch of <paramref name="size"/> x <paramref name="size"/> frames in
    /// evaluation mode without gradients (the training mode is restored).
    /// </summary>
    protected int ProbeFeatureWidth(int size)
    {
        bool wasTraining = training;
        eval();
        try
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var y = forward(zeros(1, 3, size, size));
            if (y.dim() != 2) throw new InvalidOperationException($"Backbone {GetName()} returned a {y.dim()}-D tensor; expected [N, F].");
            return checked((int)y.shape[1]);
        }
        finally
        {
            train(wasTraining);
        }
    }

    /// <summary>Throws when a frame size is below <paramref name="minimum"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The size is too small.</exception>
    protected static void RequireMinimumSize(string backbone, int inputSize, int minimum)
    {
        if (inputSize < minimum)
            throw new ArgumentOutOfRangeException(nameof(inputSize), inputSize,
                $"Backbone '{backbone}' needs frames of at least {minimum} x {minimum} pixels; use WithInput(size: {minimum}) or larger.");
    }
}
