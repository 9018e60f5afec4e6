using Emotion.Torch.Backbones;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Emotion.Torch.Interpretability;

/// <summary>
/// Computes a layer's <see cref="FeatureGrid"/> from the backbone's modules: one forward pass of a zero frame records, for every
/// module call, its input and output map sizes; then the path from the input to the layer is followed through the calls that
/// continue the main map (a call whose input has another size, such as a residual shortcut or a squeeze-and-excitation branch, is
/// a side branch and skipped), and the kernel, stride, padding and dilation of each convolution and pooling that changes the map
/// size are composed. A call that keeps the map size is taken as centred (symmetric padding), which holds for the standard
/// backbones. Returns null when the path holds a size-changing module it cannot read (a transposed convolution, an adaptive
/// pooling, a custom module), so that the caller falls back to <see cref="FeatureGrid.Tiling"/>.
/// </summary>
internal static class FeatureGridTracer
{
    private sealed record Call(string Path, nn.Module Module, long InH, long InW, long OutH, long OutW);

    private struct Axes
    {
        public long H, W;
        public double StrideY, OffsetY, StrideX, OffsetX;
    }

    public static FeatureGrid? Trace(Backbone backbone, string layer, int height, int width, Device device)
    {
        var calls = Record(backbone, height, width, device);
        var axes = new Axes { H = height, W = width, StrideY = 1, StrideX = 1 };
        return Walk(calls, "", layer, ref axes) == Outcome.Found
            ? new FeatureGrid(axes.StrideY, axes.OffsetY, axes.StrideX, axes.OffsetX, Traced: true)
            : null;
    }

    private static List<Call> Record(Backbone backbone, int height, int width, Device device)
    {
        var calls = new List<Call>();
        var hooks = new List<nn.HookableModule<Func<nn.Module<Tensor, Tensor>, Tensor, Tensor>, Func<nn.Module<Tensor, Tensor>, Tensor, Tensor, Tensor>>.HookRemover>();
        bool wasTraining = backbone.training;
        try
        {
            foreach (var (path, module) in backbone.named_modules())
            {
                if (path.Length == 0 || module is not nn.Module<Tensor, Tensor> hookable) continue;
                hooks.Add(hookable.register_forward_hook((_, input, output) =>
                {
                    bool maps = input.dim() == 4 && output.dim() == 4;
                    calls.Add(new Call(path, module, maps ? input.shape[2] : -1, maps ? input.shape[3] : -1, maps ? output.shape[2] : -1, maps ? output.shape[3] : -1));
                    return output;
                }));
            }
            backbone.eval();
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            backbone.forward(zeros(1, 3, height, width, device: device));
        }
        finally
        {
            foreach (var hook in hooks) hook.remove();
            backbone.train(wasTraining);
        }
        return calls;
    }

    private enum Outcome { Passed, Found, Failed }

    /// <summary>Follows the main map through the direct children of <paramref name="parent"/>, in call order (hooks fire children first).</summary>
    private static Outcome Walk(List<Call> calls, string parent, string target, ref Axes axes)
    {
        string prefix = parent.Length == 0 ? "" : parent + ".";
        foreach (var call in calls)
        {
            if (!call.Path.StartsWith(prefix, StringComparison.Ordinal) || call.Path.IndexOf('.', prefix.Length) >= 0) continue;
            bool isTarget = call.Path == target, holdsTarget = target.StartsWith(call.Path + ".", StringComparison.Ordinal);
            if (call.InH != axes.H || call.InW != axes.W)
            {
                if (isTarget || holdsTarget) return Outcome.Failed; // the layer is not on the main path
                continue;
            }
            if (holdsTarget) return Walk(calls, call.Path, target, ref axes);
            if (call.OutH != call.InH || call.OutW != call.InW)
            {
                if (Geometry(call.Module) is { } g)
                {
                    axes.OffsetY += axes.StrideY * g.BiasY;
                    axes.StrideY *= g.StrideY;
                    axes.OffsetX += axes.StrideX * g.BiasX;
                    axes.StrideX *= g.StrideX;
                }
                else if (call.Module.named_children().Any())
                {
                    var inner = axes;
                    if (Walk(calls, call.Path, target, ref inner) == Outcome.Failed || inner.H != call.OutH || inner.W != call.OutW) return Outcome.Failed;
                    axes = inner;
                }
                else return Outcome.Failed;
                axes.H = call.OutH;
                axes.W = call.OutW;
            }
            if (isTarget) return Outcome.Found;
        }
        return Outcome.Passed;
    }

    /// <summary>Stride and centre shift <c>-p + d (k - 1) / 2</c> per axis of a convolution, pooling or 2-D pad; null for anything else.</summary>
    private static (double StrideY, double BiasY, double StrideX, double BiasX)? Geometry(nn.Module module)
    {
        long[]? kernel, stride, padding, dilation;
        bool samePadding = false;
        switch (module)
        {
            case Convolution conv when !conv.transposed && conv.kernel_size.Length == 2:
                (kernel, stride, padding, dilation) = (conv.kernel_size, conv.stride, conv.padding, conv.dilation);
                samePadding = conv.padding is null && conv.padding_type == Padding.Same;
                break;
            case MaxPool2d pool:
                (kernel, stride, padding, dilation) = (pool.kernel_size, pool.stride ?? pool.kernel_size, pool.padding, pool.dilation);
                break;
            case AvgPool2d pool:
                (kernel, stride, padding, dilation) = (pool.kernel_size, pool.stride ?? pool.kernel_size, pool.padding, null);
                break;
            // An explicit pad (for example TensorFlow's asymmetric SAME padding): output j is input j - left / top.
            case PadBase pad when pad.padding is { Length: 4 } p:
                return (1, -p[2], 1, -p[0]);
            case PadBase pad when pad.padding is { Length: 1 } p:
                return (1, -p[0], 1, -p[0]);
            default:
                return null;
        }
        kernel = Pair(kernel, 1);
        stride = Pair(stride, 1);
        padding = Pair(padding, 0);
        dilation = Pair(dilation, 1);
        if (kernel is null || stride is null || padding is null || dilation is null) return null;
        if (samePadding) padding = [dilation[0] * (kernel[0] - 1) / 2, dilation[1] * (kernel[1] - 1) / 2];
        return (stride[0], -padding[0] + dilation[0] * (kernel[0] - 1) / 2.0, stride[1], -padding[1] + dilation[1] * (kernel[1] - 1) / 2.0);
    }

    /// <summary>A per-axis pair: null gives the default for both axes, one value is used for both, two are kept, more is unreadable (null).</summary>
    private static long[]? Pair(long[]? values, long fallback) => values switch
    {
        null or [] => [fallback, fallback],
        [var v] => [v, v],
        [_, _] => values,
        _ => null,
    };
}
