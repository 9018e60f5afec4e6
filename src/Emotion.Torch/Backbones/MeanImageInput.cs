using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Torch.Backbones;

/// <summary>
/// A fixed input layer for networks trained on BGR pixels in [0, 255] minus a mean image (Caffe and CNTK ImageNet models):
/// <c>y = flip_channels(x) * 255 - resize(mean_image, H, W)</c> for RGB frames <c>x</c> in [0, 1]. The mean image is the
/// persistent buffer <c>mean_image</c> (<c>[1, 3, 224, 224]</c>, BGR, 0-255 scale, part of the pretrained weights); at
/// other frame sizes it is resized bilinearly (with antialiasing when shrinking). No parameters: it never trains.
/// </summary>
public sealed class MeanImageInput : nn.Module<Tensor, Tensor>
{
    /// <summary>The stored mean image's side, in pixels.</summary>
    public const int MeanImageSize = 224;

    /// <summary>The factor from [0, 1] frames to the network's pixel scale.</summary>
    public const float PixelScale = 255f;

    /// <summary>
    /// The per-channel averages (B, G, R; 0-255 scale) of ML.NET's ResNet mean image (ResNetPreprocess.onnx), the initial
    /// value of <see cref="MeanImage"/> until the pretrained mean image is loaded.
    /// </summary>
    public static IReadOnlyList<float> DefaultChannelMeans { get; } = [103.0626f, 115.9029f, 123.1516f];

    private readonly Tensor mean_image;

    /// <summary>Creates the layer with <see cref="DefaultChannelMeans"/> as a constant mean image.</summary>
    public MeanImageInput() : base(nameof(MeanImageInput))
    {
        using (var scope = NewDisposeScope())
        {
            mean_image = tensor(DefaultChannelMeans.ToArray()).view(1, 3, 1, 1).expand(1, 3, MeanImageSize, MeanImageSize).contiguous()
                .MoveToOuterDisposeScope();
        }
        register_buffer(nameof(mean_image), mean_image, persistent: true);
    }

    /// <summary>The mean image <c>[1, 3, 224, 224]</c> (BGR, 0-255 scale) as stored.</summary>
    public Tensor MeanImage => mean_image;

    /// <summary>The mean image at a frame size, <c>[1, 3, H, W]</c>, on the buffer's device (the stored one itself at 224 x 224).</summary>
    public Tensor MeanImageFor(long height, long width)
    {
        if (height == MeanImageSize && width == MeanImageSize) return mean_image.alias();
        bool shrink = height < MeanImageSize || width < MeanImageSize;
        return nn.functional.interpolate(mean_image, [height, width], mode: InterpolationMode.Bilinear, align_corners: false, antialias: shrink);
    }

    /// <summary><c>[N, 3, H, W]</c> RGB in [0, 1] to BGR in [0, 255] minus the mean image.</summary>
    /// <exception cref="ArgumentException">The input is not <c>[N, 3, H, W]</c>.</exception>
    public override Tensor forward(Tensor input)
    {
        if (input.dim() != 4 || input.shape[1] != 3)
            throw new ArgumentException($"{nameof(MeanImageInput)} expects frames [N, 3, H, W], got [{string.Join(", ", input.shape)}].", nameof(input));
        using var scope = NewDisposeScope();
        var mean = MeanImageFor(input.shape[2], input.shape[3]);
        return input.flip(1).mul(PixelScale).sub_(mean).MoveToOuterDisposeScope();
    }
}
