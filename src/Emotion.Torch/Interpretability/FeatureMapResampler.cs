using static TorchSharp.torch;

namespace Emotion.Torch.Interpretability;

/// <summary>
/// Upsamples layer maps to the frame by bilinear interpolation between the cell centres of a <see cref="FeatureGrid"/>: output
/// pixel <c>p</c> reads the map at cell coordinate <c>(p - Offset) / Stride</c>, clamped to the first and last cell (the edge cells
/// extend outwards, as with <c>align_corners = false</c> resizing, which this equals for <see cref="FeatureGrid.Tiling"/>). Done as
/// <c>Ry · map · Rxᵀ</c> with two sparse-in-effect interpolation matrices, so any offset and stride cost the same.
/// </summary>
internal static class FeatureMapResampler
{
    /// <summary>Upsamples <c>[N, h, w]</c> maps to <c>[N, height, width]</c>.</summary>
    public static Tensor Upsample(Tensor maps, FeatureGrid grid, int height, int width)
    {
        using var scope = NewDisposeScope();
        int h = (int)maps.shape[1], w = (int)maps.shape[2];
        using var ry = Weights(height, h, grid.StrideY, grid.OffsetY, maps.device);
        using var rx = Weights(width, w, grid.StrideX, grid.OffsetX, maps.device);
        return ry.matmul(maps).matmul(rx.t()).MoveToOuterDisposeScope();
    }

    /// <summary>The <c>[size, cells]</c> matrix of 1-D linear interpolation weights from cell values to pixels.</summary>
    private static Tensor Weights(int size, int cells, double stride, double offset, Device device)
    {
        var weights = new float[size * cells];
        for (int p = 0; p < size; p++)
        {
            double u = Math.Clamp((p - offset) / stride, 0, cells - 1);
            int i0 = Math.Min((int)Math.Floor(u), cells - 1), i1 = Math.Min(i0 + 1, cells - 1);
            double f = u - i0;
            weights[p * cells + i0] += (float)(1 - f);
            weights[p * cells + i1] += (float)f;
        }
        return tensor(weights, [size, cells], device: device);
    }
}
