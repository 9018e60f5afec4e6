using Emotion.Onnx.Export.Graph;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Emotion.Onnx.Export.Emitters;

/// <summary>ONNX equivalents of TorchSharp's basic layers (eval mode).</summary>
internal static class LayerEmitters
{
    /// <summary>
    /// <c>Conv2d</c>, optionally with a following <c>BatchNorm2d</c> folded in:
    /// <c>W' = W * g / sqrt(v + eps)</c>, <c>b' = (b - m) * g / sqrt(v + eps) + beta</c> per output channel.
    /// </summary>
    public static OnnxValue Conv(OnnxModuleEmitter e, Conv2d conv, (BatchNorm2d norm, string path)? folded, OnnxValue x, string path)
    {
        RequireRank(x, 3, path, "Conv2d");
        if (conv.transposed) throw new NotSupportedException($"Module '{path}' is a transposed convolution; only Conv2d is supported.");
        if (conv.padding_mode != PaddingModes.Zeros)
            throw new NotSupportedException($"Conv2d '{path}' uses padding mode {conv.padding_mode}; only zero padding is supported.");
        long outC = conv.out_channels, inC = conv.in_channels, groups = conv.groups;
        if (x.Shape[0] != inC)
            throw new InvalidOperationException($"Conv2d '{path}' expects {inC} input channels but receives {x.Shape[0]} ({x}).");
        long[] k = conv.kernel_size, s = conv.stride, d = conv.dilation;
        long[] pads = ConvPads(conv, x, path);

        var weight = TensorData.ToFiniteFloats(conv.weight!, path + ".weight");
        float[]? bias = conv.bias is { } b && !b.IsInvalid ? TensorData.ToFiniteFloats(b, path + ".bias") : null;
        if (folded is { } bn)
        {
            var (scale, shift) = NormScaleShift(bn.norm, bn.path, outC);
            long perChannel = weight.Length / outC;
            var foldedBias = new float[outC];
            for (long o = 0; o < outC; o++)
            {
                double sc = scale[o];
                for (long j = 0; j < perChannel; j++) weight[o * perChannel + j] = (float)(weight[o * perChannel + j] * sc);
                foldedBias[o] = (float)((bias?[o] ?? 0.0) * sc + shift[o]);
            }
            bias = foldedBias;
        }

        string w = e.Initializer(path + ".weight", weight, outC, inC / groups, k[0], k[1]);
        var inputs = new List<string> { x.Name, w };
        if (bias is not null) inputs.Add(e.Initializer(path + ".bias", bias, outC));
        string y = e.Node("Conv", path, inputs,
            OnnxAttribute.Ints("kernel_shape", k[0], k[1]),
            OnnxAttribute.Ints("strides", s[0], s[1]),
            OnnxAttribute.Ints("pads", pads),
            OnnxAttribute.Ints("dilations", d[0], d[1]),
            OnnxAttribute.Int("group", groups));
        long h = PooledSize(x.Shape[1], k[0], s[0], pads[0], pads[2], d[0], ceil: false);
        long wd = PooledSize(x.Shape[2], k[1], s[1], pads[1], pads[3], d[1], ceil: false);
        CheckPositive(path, h, wd);
        return new OnnxValue(y, [outC, h, wd]);
    }

    /// <summary>A stand-alone batch norm (not directly after a convolution) as a per-channel <c>Mul</c> + <c>Add</c>.</summary>
    public static OnnxValue BatchNorm(OnnxModuleEmitter e, BatchNorm norm, OnnxValue x, string path)
    {
        long c = norm.num_features;
        if (x.Shape.Count == 0 || x.Shape[0] != c)
            throw new InvalidOperationException($"Batch norm '{path}' expects {c} channels but receives {x}.");
        var (scale, shift) = NormScaleShift(norm, path, c);
        // y = x * scale + shift with per-channel constants broadcast over the trailing axes.
        var dims = new long[x.Shape.Count];
        dims[0] = c;
        for (int i = 1; i < dims.Length; i++) dims[i] = 1;
        string sc = e.Initializer(path + ".scale", Array.ConvertAll(scale, v => (float)v), dims);
        string sh = e.Initializer(path + ".shift", Array.ConvertAll(shift, v => (float)v), dims);
        string mul = e.Node("Mul", path + ".mul", [x.Name, sc]);
        return x with { Name = e.Node("Add", path, [mul, sh]) };
    }

    /// <summary><c>Linear</c> as <c>Gemm</c> (transB = 1) on <c>[N, F]</c>.</summary>
    public static OnnxValue Linear(OnnxModuleEmitter e, Linear linear, OnnxValue x, string path)
    {
        RequireRank(x, 1, path, "Linear");
        if (x.Shape[0] != linear.in_features)
            throw new InvalidOperationException($"Linear '{path}' expects {linear.in_features} input features but receives {x}.");
        string w = e.Initializer(path + ".weight", TensorData.ToFiniteFloats(linear.weight!, path + ".weight"), linear.out_features, linear.in_features);
        var inputs = new List<string> { x.Name, w };
        if (linear.bias is { } b && !b.IsInvalid) inputs.Add(e.Initializer(path + ".bias", TensorData.ToFiniteFloats(b, path + ".bias"), linear.out_features));
        string y = e.Node("Gemm", path, inputs, OnnxAttribute.Int("transB", 1));
        return new OnnxValue(y, [linear.out_features]);
    }

    /// <summary>Element-wise activations; false when <paramref name="module"/> is not one.</summary>
    public static bool TryActivation(OnnxModuleEmitter e, nn.Module module, OnnxValue x, string path, out OnnxValue output)
    {
        string? y = module switch
        {
            ReLU => e.Node("Relu", path, [x.Name]),
            ReLU6 => e.Node("Clip", path, [x.Name, e.Scalar(0f), e.Scalar(6f)]),
            Hardtanh t => e.Node("Clip", path, [x.Name, e.Scalar((float)t.min_val), e.Scalar((float)t.max_val)]),
            LeakyReLU l => e.Node("LeakyRelu", path, [x.Name], OnnxAttribute.Float("alpha", (float)l.negative_slope)),
            Hardswish => e.Node("HardSwish", path, [x.Name]),
            // PyTorch's hardsigmoid is relu6(x + 3) / 6 = max(0, min(1, x / 6 + 0.5)).
            Hardsigmoid => e.Node("HardSigmoid", path, [x.Name], OnnxAttribute.Float("alpha", 1f / 6f), OnnxAttribute.Float("beta", 0.5f)),
            Sigmoid => e.Node("Sigmoid", path, [x.Name]),
            Tanh => e.Node("Tanh", path, [x.Name]),
            SiLU => e.Node("Mul", path, [x.Name, e.Node("Sigmoid", path + ".sigmoid", [x.Name])]),
            _ => null,
        };
        output = y is null ? x : x with { Name = y };
        return y is not null;
    }

    /// <summary><c>MaxPool2d</c> (with padding, dilation and ceil mode).</summary>
    public static OnnxValue MaxPool(OnnxModuleEmitter e, MaxPool2d pool, OnnxValue x, string path)
    {
        RequireRank(x, 3, path, "MaxPool2d");
        long[] k = Pair(pool.kernel_size, path, "kernel_size")!;
        long[] s = Pair(pool.stride, path, "stride") ?? k;
        long[] p = Pair(pool.padding, path, "padding") ?? [0, 0];
        long[] d = Pair(pool.dilation, path, "dilation") ?? [1, 1];
        string y = e.Node("MaxPool", path, [x.Name],
            OnnxAttribute.Ints("kernel_shape", k[0], k[1]),
            OnnxAttribute.Ints("strides", s[0], s[1]),
            OnnxAttribute.Ints("pads", p[0], p[1], p[0], p[1]),
            OnnxAttribute.Ints("dilations", d[0], d[1]),
            OnnxAttribute.Int("ceil_mode", pool.ceil_mode ? 1 : 0));
        long h = PooledSize(x.Shape[1], k[0], s[0], p[0], p[0], d[0], pool.ceil_mode);
        long w = PooledSize(x.Shape[2], k[1], s[1], p[1], p[1], d[1], pool.ceil_mode);
        CheckPositive(path, h, w);
        return new OnnxValue(y, [x.Shape[0], h, w]);
    }

    /// <summary><c>AvgPool2d</c>.</summary>
    public static OnnxValue AvgPool(OnnxModuleEmitter e, AvgPool2d pool, OnnxValue x, string path)
    {
        RequireRank(x, 3, path, "AvgPool2d");
        if (pool.divisor_override is not null) throw new NotSupportedException($"AvgPool2d '{path}' uses divisor_override, which ONNX has no equivalent for.");
        long[] k = Pair(pool.kernel_size, path, "kernel_size")!;
        long[] s = Pair(pool.stride, path, "stride") ?? k;
        long[] p = Pair(pool.padding, path, "padding") ?? [0, 0];
        string y = e.Node("AveragePool", path, [x.Name],
            OnnxAttribute.Ints("kernel_shape", k[0], k[1]),
            OnnxAttribute.Ints("strides", s[0], s[1]),
            OnnxAttribute.Ints("pads", p[0], p[1], p[0], p[1]),
            OnnxAttribute.Int("ceil_mode", pool.ceil_mode ? 1 : 0),
            OnnxAttribute.Int("count_include_pad", pool.count_include_pad ? 1 : 0));
        long h = PooledSize(x.Shape[1], k[0], s[0], p[0], p[0], 1, pool.ceil_mode);
        long w = PooledSize(x.Shape[2], k[1], s[1], p[1], p[1], 1, pool.ceil_mode);
        CheckPositive(path, h, w);
        return new OnnxValue(y, [x.Shape[0], h, w]);
    }

    /// <summary>
    /// <c>AdaptiveAvgPool2d</c>: <c>GlobalAveragePool</c> for output 1x1, nothing when the size is unchanged, a plain
    /// <c>AveragePool</c> when the input divides evenly, and otherwise (for example VGG's 7x7 pool on a small input) an
    /// exact linear map: <c>MatMul</c> of the flattened spatial axes by PyTorch's window-averaging matrix.
    /// </summary>
    public static OnnxValue AdaptiveAvgPool(OnnxModuleEmitter e, long[] outputSize, OnnxValue x, string path)
    {
        RequireRank(x, 3, path, "AdaptiveAvgPool2d");
        long c = x.Shape[0], h = x.Shape[1], w = x.Shape[2];
        long oh = outputSize.Length > 0 && outputSize[0] > 0 ? outputSize[0] : h;
        long ow = outputSize.Length > 1 ? (outputSize[1] > 0 ? outputSize[1] : w) : oh;
        if (oh == h && ow == w) return x;
        if (oh == 1 && ow == 1) return new OnnxValue(e.Node("GlobalAveragePool", path, [x.Name]), [c, 1, 1]);
        if (h % oh == 0 && w % ow == 0)
        {
            long kh = h / oh, kw = w / ow;
            string pooled = e.Node("AveragePool", path, [x.Name],
                OnnxAttribute.Ints("kernel_shape", kh, kw), OnnxAttribute.Ints("strides", kh, kw));
            return new OnnxValue(pooled, [c, oh, ow]);
        }
        // out[i, j] = mean of x[rows start(i, h, oh)..end(i, h, oh), cols start(j, w, ow)..end(j, w, ow)].
        var matrix = new float[h * w * oh * ow];
        for (long i = 0; i < oh; i++)
        {
            long r0 = i * h / oh, r1 = ((i + 1) * h + oh - 1) / oh;
            for (long j = 0; j < ow; j++)
            {
                long c0 = j * w / ow, c1 = ((j + 1) * w + ow - 1) / ow;
                float weight = 1f / ((r1 - r0) * (c1 - c0));
                for (long r = r0; r < r1; r++)
                    for (long q = c0; q < c1; q++)
                        matrix[(r * w + q) * (oh * ow) + i * ow + j] = weight;
            }
        }
        string flat = e.Node("Reshape", path + ".flatten", [x.Name, e.Int64s(0, c, h * w)]);
        string pool = e.Node("MatMul", path + ".pool", [flat, e.Initializer(path + ".pooling_matrix", matrix, h * w, oh * ow)]);
        return new OnnxValue(e.Node("Reshape", path, [pool, e.Int64s(0, c, oh, ow)]), [c, oh, ow]);
    }

    /// <summary>
    /// <c>ZeroPad2d</c> / <c>ConstantPad2d</c> as a constant-mode <c>Pad</c>; the pads may differ per side (for example
    /// TensorFlow's <c>SAME</c> padding, (0, 1, 0, 1)) and may be negative (cropping), as in PyTorch.
    /// </summary>
    public static OnnxValue Pad(OnnxModuleEmitter e, PadBase pad, OnnxValue x, string path)
    {
        RequireRank(x, 3, path, pad.GetType().Name);
        long[] p = pad.padding switch
        {
            { Length: 1 } one => [one[0], one[0], one[0], one[0]],
            { Length: 4 } four => four,
            var other => throw new NotSupportedException($"{pad.GetType().Name} '{path}' has {other?.Length ?? 0} pads; expected 4 (left, right, top, bottom)."),
        };
        long left = p[0], right = p[1], top = p[2], bottom = p[3];
        long h = x.Shape[1] + top + bottom, w = x.Shape[2] + left + right;
        CheckPositive(path, h, w);
        float value = pad is ConstantPad2d constant ? (float)constant.value : 0f;
        // ONNX pads: [begin of each axis (N, C, H, W), end of each axis].
        string y = e.Node("Pad", path, [x.Name, e.Int64s(0, 0, top, left, 0, 0, bottom, right), e.Scalar(value)],
            OnnxAttribute.String("mode", "constant"));
        return new OnnxValue(y, [x.Shape[0], h, w]);
    }

    /// <summary><c>Flatten(start_dim, end_dim)</c> on a batched value; start_dim must be 1 (keep the batch axis).</summary>
    public static OnnxValue Flatten(OnnxModuleEmitter e, long startDim, long endDim, OnnxValue x, string path)
    {
        int rank = x.Rank + 1;
        long end = endDim < 0 ? endDim + rank : endDim;
        if (startDim != 1 || end != rank - 1)
            throw new NotSupportedException($"Flatten '{path}' flattens axes {startDim}..{endDim}; only flattening everything after the batch axis (1..-1) is supported.");
        if (x.Rank == 1) return x;
        return new OnnxValue(e.Node("Flatten", path, [x.Name], OnnxAttribute.Int("axis", 1)), [x.Size]);
    }

    /// <summary>The per-channel affine map of an eval-mode batch norm: <c>scale = g / sqrt(v + eps)</c>, <c>shift = beta - m * scale</c>.</summary>
    public static (double[] Scale, double[] Shift) NormScaleShift(BatchNorm norm, string path, long channels)
    {
        if (norm.num_features != channels)
            throw new InvalidOperationException($"Batch norm '{path}' has {norm.num_features} features but follows a layer with {channels} channels.");
        if (!norm.track_running_stats || norm.running_mean is null || norm.running_var is null)
            throw new NotSupportedException($"Batch norm '{path}' does not track running statistics, so its eval-mode output depends on the batch; it cannot be exported.");
        double[] mean = TensorData.ToDoubles(norm.running_mean), variance = TensorData.ToDoubles(norm.running_var);
        double[]? gamma = norm.affine && norm.weight is not null ? TensorData.ToDoubles(norm.weight) : null;
        double[]? beta = norm.affine && norm.bias is not null ? TensorData.ToDoubles(norm.bias) : null;
        var scale = new double[channels];
        var shift = new double[channels];
        for (long i = 0; i < channels; i++)
        {
            if (!(variance[i] >= 0) || !double.IsFinite(mean[i]))
                throw new InvalidOperationException($"Batch norm '{path}' has an invalid running statistic at channel {i} (mean {mean[i]}, variance {variance[i]}).");
            scale[i] = (gamma?[i] ?? 1.0) / Math.Sqrt(variance[i] + norm.eps);
            shift[i] = (beta?[i] ?? 0.0) - mean[i] * scale[i];
        }
        return (scale, shift);
    }

    /// <summary>Output length of a convolution or pooling along one axis (PyTorch's formula, including its ceil-mode rule).</summary>
    public static long PooledSize(long size, long kernel, long stride, long padBegin, long padEnd, long dilation, bool ceil)
    {
        long span = size + padBegin + padEnd - dilation * (kernel - 1) - 1;
        if (span < 0) return 0;
        long output = (ceil ? (span + stride - 1) / stride : span / stride) + 1;
        // PyTorch: the last window must start inside the input or the left padding.
        if (ceil && (output - 1) * stride >= size + padBegin) output--;
        return output;
    }

    private static long[] ConvPads(Conv2d conv, OnnxValue x, string path)
    {
        if (conv.padding_type is Padding.Valid) return [0, 0, 0, 0];
        if (conv.padding_type is Padding.Same)
        {
            if (conv.stride[0] != 1 || conv.stride[1] != 1)
                throw new NotSupportedException($"Conv2d '{path}' uses padding 'same' with a stride other than 1.");
            var pads = new long[4];
            for (int a = 0; a < 2; a++)
            {
                long total = conv.dilation[a] * (conv.kernel_size[a] - 1);
                pads[a] = total / 2;          // PyTorch puts the odd extra pixel at the end.
                pads[a + 2] = total - total / 2;
            }
            return pads;
        }
        long[]? p = conv.padding;
        if (p is null || p.Length == 0) return [0, 0, 0, 0];
        return p.Length == 1 ? [p[0], p[0], p[0], p[0]] : [p[0], p[1], p[0], p[1]];
    }

    private static long[]? Pair(long[]? values, string path, string what) => values switch
    {
        null or { Length: 0 } => null,
        { Length: 1 } => [values[0], values[0]],
        { Length: 2 } => values,
        _ => throw new NotSupportedException($"Module '{path}' has a {values.Length}-element {what}; expected 1 or 2."),
    };

    private static void RequireRank(OnnxValue x, int rank, string path, string kind)
    {
        if (x.Rank != rank)
            throw new InvalidOperationException(
                $"{kind} '{path}' expects a {(rank == 3 ? "[N, C, H, W] image tensor" : "[N, F] feature matrix")} but receives {x}.");
    }

    private static void CheckPositive(string path, long h, long w)
    {
        if (h <= 0 || w <= 0)
            throw new InvalidOperationException($"Module '{path}' would produce an empty {h}x{w} map; the frame size is too small for this backbone.");
    }
}
