using Emotion.Core;
using Emotion.Torch.Import;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Torch.Backbones;

/// <summary>
/// The FaceFeatureExtractor of face-api.js (Vincent Mühler; @vladmandic/face-api), the trunk of its FaceExpressionNet:
/// four <see cref="FaceDenseBlock"/>s <c>dense0</c> .. <c>dense3</c> of 32, 64, 128 and 256 channels (each halves the
/// frame), then a 7 x 7, stride-2 average pool without padding (<c>pool</c>) and <c>flatten</c>. At face-api's 112 x 112
/// input the last map is 7 x 7 and the features are 256 wide. Load the pretrained weights with
/// <see cref="FaceExpressionWeights"/>.
/// </summary>
/// <remarks>
/// Stages: <c>dense0</c> ... <c>dense3</c>. Grad-CAM layer: <c>dense2</c> (see <see cref="DefaultTargetLayer"/>). Default normalisation: face-api's
/// <c>(pixel - [122.782, 117.001, 104.298]) / 255</c> on RGB bytes, that is mean <c>[122.782, 117.001, 104.298] / 255</c>
/// and std 1 on pixels in [0, 1]. The stride-2 pads reproduce TensorFlow's <c>SAME</c> padding for the frame size given
/// to the constructor, so the backbone must be fed frames of that size.
/// </remarks>
public sealed class FaceExpressionBackbone : SequentialBackbone
{
    /// <summary>face-api.js's input size (112 x 112).</summary>
    public const int FaceApiInputSize = 112;

    /// <summary>The smallest frame whose last map still covers the 7 x 7 pool (97 px gives 49, 25, 13, 7).</summary>
    public const int MinimumInputSize = 97;

    private static readonly long[] Channels = [32, 64, 128, 256];

    /// <summary>face-api's mean RGB, subtracted from pixels in [0, 255] before dividing by 255.</summary>
    public static Rgb FaceApiMeanRgb { get; } = new(122.782f, 117.001f, 104.298f);

    /// <summary>Builds the feature extractor for square frames of <paramref name="inputSize"/> pixels.</summary>
    /// <param name="inputSize">The frame size (face-api uses 112; at least <see cref="MinimumInputSize"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException">The frame is smaller than <see cref="MinimumInputSize"/>.</exception>
    public FaceExpressionBackbone(int inputSize = FaceApiInputSize) : base(BackboneNames.FaceExpression)
    {
        RequireMinimumSize(BackboneNames.FaceExpression, inputSize, MinimumInputSize);
        InputSize = inputSize;
        long size = inputSize, inChannels = 3;
        for (int i = 0; i < Channels.Length; i++)
        {
            var (before, after) = TfjsLayout.SamePadding(size, kernel: 3, stride: 2);
            AddStep($"dense{i}", new FaceDenseBlock(inChannels, Channels[i], isFirstLayer: i == 0, (before, after, before, after)));
            inChannels = Channels[i];
            size = (size + 1) / 2;
        }
        AddStep("pool", nn.AvgPool2d(kernel_size: 7, stride: 2));
        AddStep("flatten", nn.Flatten());
        for (int i = 0; i < Channels.Length; i++) DefineStage($"dense{i}", $"dense{i}");
        long pooled = (size - 7) / 2 + 1;
        FeatureWidth = checked((int)(inChannels * pooled * pooled));
    }

    /// <summary>The frame size the stride-2 pads were computed for.</summary>
    public int InputSize { get; }

    /// <inheritdoc />
    public override int FeatureWidth { get; }

    /// <summary>
    /// <c>dense2</c> (a 14 x 14 map at 112 px). The last block's 7 x 7 map is a single window of the final pooling, and
    /// its Grad-CAM maps of real faces sit on the upper face whatever the category; dense2's localise the expression
    /// (docs/interpretability.md, "Pretrained real-face model").
    /// </summary>
    public override string DefaultTargetLayer => "dense2";

    /// <summary>face-api's input scaling: mean <see cref="FaceApiMeanRgb"/> / 255, std 1, on RGB pixels in [0, 1].</summary>
    public override Normalization DefaultNormalization => FaceApiNormalization;

    /// <summary>face-api's input scaling as a normalisation of [0, 1] pixels: <c>(x - mean / 255) / 1</c>.</summary>
    public static Normalization FaceApiNormalization { get; } =
        new(new Rgb(FaceApiMeanRgb.R / 255f, FaceApiMeanRgb.G / 255f, FaceApiMeanRgb.B / 255f), new Rgb(1f, 1f, 1f));
}
