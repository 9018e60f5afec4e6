namespace Emotion.Torch.Interpretability;

/// <summary>
/// Where the cells of a layer's feature map sit on the input frame: along each axis, cell <c>j</c> is centred on input pixel
/// <c>Offset + Stride * j</c> (pixel indices, so 0 is the centre of the first pixel). The explainer upsamples a map by
/// interpolating between these centres, so a map cell lands on the pixels it was computed from.
/// </summary>
/// <remarks>
/// A convolution or pooling with kernel <c>k</c>, stride <c>s</c>, left padding <c>p</c> and dilation <c>d</c> centres its output
/// <c>j</c> on input <c>s * j - p + d * (k - 1) / 2</c>; composing these along the path gives the grid (receptive-field arithmetic,
/// Araujo, Norris and Sim, "Computing Receptive Fields of Convolutional Neural Networks", Distill, 2019). For the usual
/// symmetric padding (<c>p = (k - 1) / 2</c>) the offset is 0: the cells of a stride-32 ResNet <c>layer4</c> are centred on pixels
/// 0, 32, 64, ..., not 15.5, 47.5, ... as plain bilinear resizing (<c>align_corners = false</c>) assumes, which would shift
/// the map by 15.5 pixels right and down. Pools with an even kernel and no padding (VGG's 2 x 2) give an offset of
/// <c>(Stride - 1) / 2</c>, where the two conventions agree.
/// </remarks>
/// <param name="StrideY">Input pixels per cell, vertically.</param>
/// <param name="OffsetY">Input row of the centre of the first row of cells.</param>
/// <param name="StrideX">Input pixels per cell, horizontally.</param>
/// <param name="OffsetX">Input column of the centre of the first column of cells.</param>
/// <param name="Traced">True when computed from the backbone's layers; false when assumed (the cells evenly tile the frame).</param>
public readonly record struct FeatureGrid(double StrideY, double OffsetY, double StrideX, double OffsetX, bool Traced)
{
    /// <summary>
    /// The grid assumed when a layer's path cannot be traced: <c>h</c> x <c>w</c> cells evenly tiling a <c>height</c> x
    /// <c>width</c> frame, each centred in its tile (what bilinear resizing with <c>align_corners = false</c> does).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public static FeatureGrid Tiling(int height, int width, int h, int w)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(h);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(w);
        double sy = (double)height / h, sx = (double)width / w;
        return new FeatureGrid(sy, (sy - 1) / 2, sx, (sx - 1) / 2, Traced: false);
    }
}
