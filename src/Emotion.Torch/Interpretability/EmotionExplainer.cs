using Emotion.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Torch.Interpretability;

/// <summary>
/// Explains an <see cref="EmotionModel"/>'s predictions with Grad-CAM, Grad-CAM++ or gradient saliency (any
/// <see cref="IExplanationMethod"/>) for any <see cref="IExplanationTarget"/>: one map per input frame, upsampled bilinearly to the
/// frame size between the layer's cell centres (<see cref="LayerGrid"/>) and (by default) normalised to [0, 1]. Works on one frame, a sequence (the gradient flows back through the recurrent
/// head; see <see cref="SequenceTargetMode"/>) or a batch of sequences.
/// </summary>
/// <remarks>
/// Each call puts the model in evaluation mode (restoring its mode afterwards), registers a forward hook on the layer, computes the
/// gradients with <c>torch.autograd.grad</c> (the parameters' <c>.grad</c> are left untouched) and removes the hook and disposes every
/// tensor before returning, so repeated calls leave memory flat. Frames must be normalised as the model expects
/// (<see cref="EmotionModel.Normalize"/>). Not thread-safe with respect to the same model.
/// </remarks>
public sealed class EmotionExplainer
{
    private readonly nn.Module<Tensor, Tensor>? _layer;

    /// <summary>Creates an explainer for a model.</summary>
    /// <param name="model">The model.</param>
    /// <param name="options">Method, layer and modes; null for <see cref="ExplanationOptions.Default"/>.</param>
    /// <exception cref="ArgumentException">The layer does not exist in the backbone (the message lists the valid names) or is not a tensor-to-tensor module.</exception>
    public EmotionExplainer(EmotionModel model, ExplanationOptions? options = null)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        Options = options ?? ExplanationOptions.Default;
        ArgumentNullException.ThrowIfNull(Options.Method, nameof(options));
        if (Options.Method.Source == ExplanationSource.Layer)
        {
            LayerName = Options.Layer ?? model.Backbone.DefaultTargetLayer;
            if (!model.Backbone.TryGetLayer(LayerName, out var layer) || layer is null)
                throw new ArgumentException(
                    $"The backbone has no layer '{LayerName}'. Valid layer names: {string.Join(", ", model.Backbone.LayerNames)} (default: {model.Backbone.DefaultTargetLayer}).",
                    nameof(options));
            _layer = layer as nn.Module<Tensor, Tensor>
                ?? throw new ArgumentException($"Layer '{LayerName}' ({layer.GetType().Name}) does not map a tensor to a tensor; choose a convolutional layer or block.", nameof(options));
            int size = model.Options.FrameSize;
            LayerGrid = FeatureGridTracer.Trace(model.Backbone, LayerName, size, size, model.Device);
        }
    }

    /// <summary>The model explained.</summary>
    public EmotionModel Model { get; }

    /// <summary>The options.</summary>
    public ExplanationOptions Options { get; }

    /// <summary>The resolved layer name, or null for input methods.</summary>
    public string? LayerName { get; }

    /// <summary>
    /// Where the layer's cells sit on the frame, traced from the backbone's convolutions and poolings; maps are upsampled between
    /// these cell centres. Null for input methods, or when the path to the layer cannot be traced (then the cells are taken to
    /// tile the frame evenly, <see cref="FeatureGrid.Tiling"/>).
    /// </summary>
    public FeatureGrid? LayerGrid { get; }

    /// <summary>Explains one frame <c>[3, S, S]</c> (a sequence of length 1).</summary>
    /// <exception cref="ArgumentException">The frame has the wrong shape, size or type, or the target does not fit the model.</exception>
    public ExplanationResult ExplainFrame(Tensor frame, IExplanationTarget target)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (frame.dim() != 3)
            throw new ArgumentException($"Expected one frame [3, {Model.Options.FrameSize}, {Model.Options.FrameSize}], got [{string.Join(", ", frame.shape)}].", nameof(frame));
        using var sequence = frame.unsqueeze(0);
        using var batch = sequence.unsqueeze(0);
        return Explain(batch, target);
    }

    /// <summary>Explains one sequence <c>[T, 3, S, S]</c>: one map per frame.</summary>
    /// <exception cref="ArgumentException">The frames have the wrong shape, size or type, or the target does not fit the model.</exception>
    public ExplanationResult ExplainSequence(Tensor frames, IExplanationTarget target)
    {
        ArgumentNullException.ThrowIfNull(frames);
        if (frames.dim() != 4)
            throw new ArgumentException($"Expected a sequence [T, 3, {Model.Options.FrameSize}, {Model.Options.FrameSize}], got [{string.Join(", ", frames.shape)}].", nameof(frames));
        using var batch = frames.unsqueeze(0);
        return Explain(batch, target);
    }

    /// <summary>Explains a batch of sequences <c>[B, T, 3, S, S]</c>: one map per frame of every sequence.</summary>
    /// <exception cref="ArgumentException">The frames have the wrong shape, size or type, or the target does not fit the model.</exception>
    /// <exception cref="InvalidOperationException">The layer's output is not a 4-D feature map, or the target returned the wrong shape.</exception>
    public ExplanationResult Explain(Tensor frames, IExplanationTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        CheckFrames(frames);
        target.Validate(Model);
        var layout = FrameLayout.Of(frames);
        bool wasTraining = Model.training;
        var capture = new LayerCapture(LayerName);
        try
        {
            Model.eval();
            using var scope = NewDisposeScope();
            using var gradMode = enable_grad();
            var input = ExplainedInput(frames);
            capture.Attach(_layer);
            using var output = Model.forward(input);
            var (source, sourceRoot) = Sources(input, capture, layout);
            var scores = Scores(target, output, layout.Batch, layout.Time);
            var mode = scores.shape[1] == 1 ? SequenceTargetMode.LastFrame : Options.SequenceMode;
            var gradients = SourceGradients(scores, sourceRoot, mode, layout);
            var maps = Maps(source.detach(), gradients, layout.Frames, layout.Height, layout.Width);
            return Result(maps, scores, layout, target, mode);
        }
        finally
        {
            capture.Release();
            Model.train(wasTraining);
        }
    }

    /// <summary>Whether the method reads the input frames rather than a layer.</summary>
    private bool ExplainsInput => Options.Method.Source == ExplanationSource.Input;

    /// <summary>The frames cut from any graph they were in; for input methods a copy that requires gradients.</summary>
    private Tensor ExplainedInput(Tensor frames)
    {
        var input = frames.detach();
        if (ExplainsInput) input = input.clone().requires_grad_(true);
        return input;
    }

    /// <summary>
    /// What the method reads, <c>[B x T, ...]</c>: the layer's captured output, or the input viewed as frames; and the tensor the
    /// gradient is taken with respect to (the same activation, or the input <c>[B, T, 3, H, W]</c>).
    /// </summary>
    private (Tensor Source, Tensor Root) Sources(Tensor input, LayerCapture capture, FrameLayout layout)
    {
        if (capture.Error is not null) throw new InvalidOperationException(capture.Error);
        var source = ExplainsInput ? input.view(layout.Frames, 3, layout.Height, layout.Width) : capture.Activation;
        var sourceRoot = ExplainsInput ? input : capture.Activation;
        if (source is null || sourceRoot is null)
            throw new InvalidOperationException($"Layer '{LayerName}' was not called during the forward pass; choose a layer on the backbone's path.");
        return (source, sourceRoot);
    }

    /// <summary>The target's gradient with respect to <paramref name="sourceRoot"/>, as <c>[B x T, ...]</c> like the source the method reads.</summary>
    private Tensor SourceGradients(Tensor scores, Tensor sourceRoot, SequenceTargetMode mode, FrameLayout layout)
    {
        var gradients = Gradients(scores, sourceRoot, mode, layout.Batch, layout.Time, sourceIsSequences: ExplainsInput);
        if (ExplainsInput) gradients = gradients.view(layout.Frames, 3, layout.Height, layout.Width);
        return gradients;
    }

    /// <summary>Copies the maps and scores to arrays, checks that the maps are finite and wraps them with what was explained.</summary>
    private ExplanationResult Result(Tensor maps, Tensor scores, FrameLayout layout, IExplanationTarget target, SequenceTargetMode mode)
    {
        float[] mapValues = maps.detach().cpu().contiguous().data<float>().ToArray();
        float[] scoreValues = scores.detach().cpu().contiguous().data<float>().ToArray();
        CheckFinite(mapValues, layout.Time, layout.Height, layout.Width);
        return new ExplanationResult(mapValues, layout.Batch, layout.Time, layout.Height, layout.Width, scoreValues, (int)scores.shape[1],
            Options.Method.Name, LayerName, target.Name, mode, Options.Normalize);
    }

    /// <summary>The target's scores of <paramref name="output"/>: <c>[B, T]</c> or <c>[B, 1]</c>, in the graph of the explained source.</summary>
    private Tensor Scores(IExplanationTarget target, EmotionOutput output, int batch, int time)
    {
        var scores = target.Select(output);
        if (!scores.requires_grad)
            throw new InvalidOperationException($"Target '{target.Name}' does not depend on {(LayerName is null ? "the input" : $"layer '{LayerName}'")}, so it has no gradient to explain.");
        if (scores.dim() != 2 || scores.shape[0] != batch || (scores.shape[1] != time && scores.shape[1] != 1))
            throw new InvalidOperationException(
                $"Target '{target.Name}' returned [{string.Join(", ", scores.shape)}]; expected one value per output frame, [{batch}, {time}] or [{batch}, 1].");
        return scores;
    }

    /// <summary>The method's maps <c>[B x T, H, W]</c> at the frame size (upsampled from the layer's grid), scaled to [0, 1] per frame when <see cref="ExplanationOptions.Normalize"/>.</summary>
    private Tensor Maps(Tensor source, Tensor gradients, int frames, int height, int width)
    {
        var maps = Options.Method.Compute(source, gradients);
        if (maps.dim() != 3 || maps.shape[0] != frames)
            throw new InvalidOperationException($"Method '{Options.Method.Name}' returned [{string.Join(", ", maps.shape)}]; expected [{frames}, h, w].");
        if (maps.shape[1] != height || maps.shape[2] != width)
            maps = FeatureMapResampler.Upsample(maps, LayerGrid ?? FeatureGrid.Tiling(height, width, (int)maps.shape[1], (int)maps.shape[2]), height, width);
        if (!Options.Normalize) return maps;
        var flat = maps.view(frames, -1);
        var min = flat.amin([1], keepdim: true);
        var shifted = flat - min;
        return (shifted / (shifted.amax([1], keepdim: true) + 1e-7)).view(frames, height, width);
    }

    private void CheckFinite(float[] mapValues, int time, int height, int width)
    {
        for (int i = 0; i < mapValues.Length; i++)
            if (!float.IsFinite(mapValues[i]))
                throw new InvalidOperationException($"Method '{Options.Method.Name}' produced a non-finite value in the map of frame {i / (height * width) % time} of sequence {i / (height * width) / time}; check the model's outputs for NaN.");
    }

    /// <summary>The gradient of the target with respect to <paramref name="source"/> (a layer's <c>[B x T, ...]</c>, or the input <c>[B, T, ...]</c> when <paramref name="sourceIsSequences"/>), per mode.</summary>
    private static Tensor Gradients(Tensor scores, Tensor source, SequenceTargetMode mode, int batch, int time, bool sourceIsSequences)
    {
        // The forward pass may have run on oneDNN; its backward kernels are wrong on some CPUs (TorchNativeSettings.SafeBackward).
        using var safe = TorchNativeSettings.SafeBackward();
        switch (mode)
        {
            case SequenceTargetMode.AllFrames:
                return autograd.grad([scores.sum()], [source], allow_unused: true)[0] ?? zeros_like(source);
            case SequenceTargetMode.LastFrame:
                return autograd.grad([scores.select(1, scores.shape[1] - 1).sum()], [source], allow_unused: true)[0] ?? zeros_like(source);
            default:
                // Map of frame t from the output at frame t: one backward pass per frame, keeping frame t's rows of each gradient.
                var perFrame = new Tensor[time];
                for (int t = 0; t < time; t++)
                {
                    var g = autograd.grad([scores.select(1, t).sum()], [source], retain_graph: t < time - 1, allow_unused: true)[0] ?? zeros_like(source);
                    var shaped = g.view([batch, time, .. g.shape[(sourceIsSequences ? 2 : 1)..]]);
                    perFrame[t] = shaped.select(1, t);
                }
                var stacked = stack(perFrame, 1);
                return sourceIsSequences ? stacked : stacked.view(source.shape);
        }
    }

    private void CheckFrames(Tensor frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        int s = Model.Options.FrameSize;
        if (frames.dim() != 5 || frames.shape[2] != 3 || frames.shape[3] != s || frames.shape[4] != s || frames.shape[0] == 0 || frames.shape[1] == 0)
            throw new ArgumentException(
                $"The explainer expects normalised frames [B, T, 3, {s}, {s}] (the model's frame size is {s} x {s}), got [{string.Join(", ", frames.shape)}].", nameof(frames));
        if (frames.dtype != ScalarType.Float32)
            throw new ArgumentException($"The explainer expects float32 frames, got {frames.dtype}.", nameof(frames));
    }

    /// <summary>The sizes of a batch of frames <c>[B, T, 3, H, W]</c>.</summary>
    private readonly record struct FrameLayout(int Batch, int Time, int Height, int Width)
    {
        /// <summary>B x T, the number of maps.</summary>
        public int Frames => Batch * Time;

        public static FrameLayout Of(Tensor frames) => new((int)frames.shape[0], (int)frames.shape[1], (int)frames.shape[3], (int)frames.shape[4]);
    }

    /// <summary>
    /// Catches the explained layer's output in one forward pass with a forward hook, or why it cannot be explained; the output is
    /// kept out of the dispose scope until <see cref="Release"/>.
    /// </summary>
    private sealed class LayerCapture(string? layerName)
    {
        private nn.HookableModule<Func<nn.Module<Tensor, Tensor>, Tensor, Tensor>, Func<nn.Module<Tensor, Tensor>, Tensor, Tensor, Tensor>>.HookRemover? _hook;

        /// <summary>The layer's output, or null until the layer ran.</summary>
        public Tensor? Activation { get; private set; }

        /// <summary>Why the captured output cannot be explained, or null.</summary>
        public string? Error { get; private set; }

        /// <summary>Registers the hook on <paramref name="layer"/>; nothing for input methods (null).</summary>
        public void Attach(nn.Module<Tensor, Tensor>? layer)
        {
            if (layer is null) return;
            _hook = layer.register_forward_hook((_, _, output) =>
            {
                if (Activation is not null) Error = $"Layer '{layerName}' ran more than once in one forward pass; choose a layer the backbone calls once.";
                else if (output.dim() != 4) Error = $"Layer '{layerName}' outputs [{string.Join(", ", output.shape)}]; Grad-CAM needs a convolutional layer with output [N, C, h, w].";
                else
                {
                    // A frozen backbone (or a layer no parameter precedes) gives an output outside the graph: make it a leaf
                    // that requires gradients, so the target's gradient with respect to it exists.
                    if (!output.requires_grad) output.requires_grad_(true);
                    Activation = output.DetachFromDisposeScope();
                }
                return output;
            });
        }

        /// <summary>Removes the hook and disposes the captured activation.</summary>
        public void Release()
        {
            _hook?.remove();
            Activation?.Dispose();
        }
    }
}
