using System.Buffers;

namespace Emotion.Visualization.Heatmaps;

/// <summary>
/// Bilinear resampling of a single-channel map with half-pixel centres, the convention of PyTorch's
/// <c>interpolate(mode="bilinear", align_corners=False)</c> and of OpenCV's <c>resize</c>: output pixel <c>x</c> samples the input at
/// <c>max(0, (x + 0.5) * inWidth / outWidth - 0.5)</c>, and likewise for rows; samples beyond the last pixel repeat it.
/// </summary>
public static class BilinearResampler
{
    /// <summary>Resamples <paramref name="source"/> (<paramref name="sourceHeight"/> x <paramref name="sourceWidth"/>, row-major) into <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException">A size is not positive or a span's length does not match its size.</exception>
    public static void Resize(ReadOnlySpan<float> source, int sourceHeight, int sourceWidth,
        Span<float> destination, int height, int width)
    {
        MapChecks.CheckMap(source.Length, sourceHeight, sourceWidth, nameof(source));
        MapChecks.CheckMap(destination.Length, height, width, nameof(destination));
        if (sourceHeight == height && sourceWidth == width)
        {
            source.CopyTo(destination);
            return;
        }

        int[] pooledIndices = ArrayPool<int>.Shared.Rent(2 * width);
        float[] pooledWeights = ArrayPool<float>.Shared.Rent(width);
        try
        {
            Span<int> x0 = pooledIndices.AsSpan(0, width);
            Span<int> x1 = pooledIndices.AsSpan(width, width);
            Span<float> wx = pooledWeights.AsSpan(0, width);
            for (int x = 0; x < width; x++) (x0[x], x1[x], wx[x]) = SourceIndex(x, sourceWidth, width);

            for (int y = 0; y < height; y++)
            {
                var (y0, y1, wy) = SourceIndex(y, sourceHeight, height);
                ReadOnlySpan<float> top = source.Slice(y0 * sourceWidth, sourceWidth);
                ReadOnlySpan<float> bottom = source.Slice(y1 * sourceWidth, sourceWidth);
                Span<float> row = destination.Slice(y * width, width);
                for (int x = 0; x < width; x++)
                {
                    float t = top[x0[x]] + wx[x] * (top[x1[x]] - top[x0[x]]);
                    float b = bottom[x0[x]] + wx[x] * (bottom[x1[x]] - bottom[x0[x]]);
                    row[x] = t + wy * (b - t);
                }
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(pooledIndices);
            ArrayPool<float>.Shared.Return(pooledWeights);
        }
    }

    /// <summary>Returns a new <paramref name="height"/> x <paramref name="width"/> array resampled from <paramref name="source"/>.</summary>
    /// <exception cref="ArgumentException">A size is not positive or the source's length does not match its size.</exception>
    public static float[] Resize(ReadOnlySpan<float> source, int sourceHeight, int sourceWidth, int height, int width)
    {
        MapChecks.CheckSize(height, width, nameof(height));
        var result = new float[height * width];
        Resize(source, sourceHeight, sourceWidth, result, height, width);
        return result;
    }

    private static (int Lo, int Hi, float Weight) SourceIndex(int destination, int sourceSize, int destinationSize)
    {
        double position = Math.Max(0.0, (destination + 0.5) * sourceSize / destinationSize - 0.5);
        int lo = Math.Min((int)position, sourceSize - 1);
        int hi = Math.Min(lo + 1, sourceSize - 1);
        return (lo, hi, (float)(position - lo));
    }
}
