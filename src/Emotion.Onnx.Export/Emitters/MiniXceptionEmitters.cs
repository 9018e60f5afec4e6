using Emotion.Onnx.Export.Graph;
using Emotion.Torch.Backbones;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Emotion.Onnx.Export.Emitters;

/// <summary>
/// ONNX equivalents of the modules of <see cref="MiniXceptionBackbone"/> (oarriaga's grayscale Xception-style network):
/// <see cref="GrayscaleInput"/> as a 1 x 1 <c>Conv</c> with the three channel weights, <c>Sub</c> and <c>Mul</c>;
/// <see cref="SameMaxPool2d"/> as one <c>MaxPool</c> with TensorFlow's asymmetric pads (ONNX pads never win a max, like
/// TensorFlow's); <see cref="XceptionResidualBlock"/> following its forward pass. The backbone itself keeps the base
/// <see cref="SequentialBackbone"/> forward, so the dispatcher emits its steps in order.
/// </summary>
internal static class MiniXceptionEmitters
{
    public static bool TryEmit(OnnxModuleEmitter e, nn.Module module, OnnxValue x, string path, out OnnxValue output)
    {
        output = module switch
        {
            GrayscaleInput gray => Grayscale(e, gray, x, path),
            SameMaxPool2d pool => MaxPool(e, pool, x, path),
            XceptionResidualBlock block => ResidualBlock(e, block, x, path),
            _ => null!,
        };
        return output is not null;
    }

    /// <summary><c>(R * r + G * g + B * b - shift) * scale</c>: <c>[N, 3, H, W]</c> to <c>[N, 1, H, W]</c>.</summary>
    private static OnnxValue Grayscale(OnnxModuleEmitter e, GrayscaleInput gray, OnnxValue x, string path)
    {
        if (x.Rank != 3 || x.Shape[0] != 3)
            throw new InvalidOperationException($"GrayscaleInput '{path}' expects RGB frames [N, 3, H, W] but receives {x}.");
        string weight = e.Initializer(path + ".weight", [gray.RedWeight, gray.GreenWeight, gray.BlueWeight], 1, 3, 1, 1);
        string sum = e.Node("Conv", path + ".sum", [x.Name, weight], OnnxAttribute.Ints("kernel_shape", 1, 1));
        string shifted = e.Node("Sub", path + ".shift", [sum, e.Scalar(gray.Shift)]);
        return new OnnxValue(e.Node("Mul", path, [shifted, e.Scalar(gray.Scale)]), [1, x.Shape[1], x.Shape[2]]);
    }

    /// <summary>One <c>MaxPool</c> with pads (top, left) = <see cref="SameMaxPool2d.Before"/>, (bottom, right) = <see cref="SameMaxPool2d.After"/>.</summary>
    private static OnnxValue MaxPool(OnnxModuleEmitter e, SameMaxPool2d pool, OnnxValue x, string path)
    {
        if (x.Rank != 3 || x.Shape[1] != pool.InputSize || x.Shape[2] != pool.InputSize)
            throw new InvalidOperationException(
                $"SameMaxPool2d '{path}' was built for {pool.InputSize} x {pool.InputSize} maps but receives {x}; build the backbone for this frame size.");
        long k = pool.KernelSize, s = pool.Stride, before = pool.Before, after = pool.After;
        string y = e.Node("MaxPool", path, [x.Name],
            OnnxAttribute.Ints("kernel_shape", k, k),
            OnnxAttribute.Ints("strides", s, s),
            OnnxAttribute.Ints("pads", before, before, after, after));
        return new OnnxValue(y, [x.Shape[0], pool.OutputSize, pool.OutputSize]);
    }

    /// <summary><c>pool(sepconv2(relu(sepconv1(pre ? relu(x) : x)))) + shortcut(x)</c>.</summary>
    private static OnnxValue ResidualBlock(OnnxModuleEmitter e, XceptionResidualBlock block, OnnxValue x, string path)
    {
        OnnxValue Child(string name, OnnxValue input) => e.Emit(e.Child(block, name, path), input, OnnxModuleEmitter.Join(path, name));

        var y = block.PreActivation ? x with { Name = e.Node("Relu", path + ".relu0", [x.Name]) } : x;
        y = Child("sepconv1", y);
        y = y with { Name = e.Node("Relu", path + ".relu1", [y.Name]) };
        y = Child("pool", Child("sepconv2", y));
        var shortcut = Child("shortcut", x);
        if (!y.Shape.SequenceEqual(shortcut.Shape))
            throw new InvalidOperationException($"Residual block '{path}' adds values of different shapes: {y} and {shortcut}.");
        return y with { Name = e.Node("Add", path + ".add", [y.Name, shortcut.Name]) };
    }
}
