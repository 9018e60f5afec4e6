using System.Collections.Immutable;

namespace Emotion.FaceDetection.Decoding;

/// <summary>
/// Generates SSD anchors the way MediaPipe's <c>SsdAnchorsCalculator</c> does, in the order the model's outputs use:
/// layer groups (consecutive layers with equal stride) in turn; within a group, feature-map rows, then columns, then the
/// group's anchors per cell. An anchor's centre is <c>((x + offsetX) / mapWidth, (y + offsetY) / mapHeight)</c> with
/// <c>mapWidth = ceil(inputWidth / stride)</c>.
/// </summary>
public static class SsdAnchorGenerator
{
    /// <summary>Generates the anchors for <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public static ImmutableArray<SsdAnchor> Generate(SsdAnchorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var anchors = ImmutableArray.CreateBuilder<SsdAnchor>();
        var widths = new List<float>();
        var heights = new List<float>();
        int layerCount = options.Strides.Length;
        int layer = 0;
        while (layer < layerCount)
        {
            widths.Clear();
            heights.Clear();
            int last = layer;
            while (last < layerCount && options.Strides[last] == options.Strides[layer])
            {
                float scale = Scale(options, last, layerCount);
                if (last == 0 && options.ReduceBoxesInLowestLayer)
                {
                    Add(widths, heights, 0.1f, 1f);
                    Add(widths, heights, scale, 2f);
                    Add(widths, heights, scale, 0.5f);
                }
                else
                {
                    foreach (float ratio in options.AspectRatios.IsDefault ? [] : options.AspectRatios) Add(widths, heights, scale, ratio);
                    if (options.InterpolatedScaleAspectRatio > 0f)
                    {
                        float next = last == layerCount - 1 ? 1f : Scale(options, last + 1, layerCount);
                        Add(widths, heights, MathF.Sqrt(scale * next), options.InterpolatedScaleAspectRatio);
                    }
                }
                last++;
            }
            int stride = options.Strides[layer];
            int mapHeight = (int)Math.Ceiling((double)options.InputHeight / stride);
            int mapWidth = (int)Math.Ceiling((double)options.InputWidth / stride);
            for (int y = 0; y < mapHeight; y++)
            {
                float yCenter = (y + options.AnchorOffsetY) / mapHeight;
                for (int x = 0; x < mapWidth; x++)
                {
                    float xCenter = (x + options.AnchorOffsetX) / mapWidth;
                    for (int a = 0; a < widths.Count; a++)
                    {
                        anchors.Add(options.FixedAnchorSize
                            ? new SsdAnchor(xCenter, yCenter, 1f, 1f)
                            : new SsdAnchor(xCenter, yCenter, widths[a], heights[a]));
                    }
                }
            }
            layer = last;
        }
        return anchors.ToImmutable();
    }

    /// <summary>The scale of layer <paramref name="index"/>: linear from MinScale (first layer) to MaxScale (last layer).</summary>
    private static float Scale(SsdAnchorOptions o, int index, int count) =>
        count == 1 ? (o.MinScale + o.MaxScale) * 0.5f : o.MinScale + (o.MaxScale - o.MinScale) * index / (count - 1f);

    private static void Add(List<float> widths, List<float> heights, float scale, float ratio)
    {
        float root = MathF.Sqrt(ratio);
        widths.Add(scale * root);
        heights.Add(scale / root);
    }
}
