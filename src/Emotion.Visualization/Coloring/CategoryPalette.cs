using Emotion.Core;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.Visualization.Coloring;

/// <summary>
/// The fixed colour of each emotion category in every plot (from matplotlib's <c>tab10</c> palette): neutral grey, anger red,
/// disgust green, fear purple, happiness orange, sadness blue, surprise cyan, other brown.
/// </summary>
public static class CategoryPalette
{
    private static readonly Rgb24[] Colors =
    [
        new(127, 127, 127), // neutral
        new(214, 39, 40),   // anger
        new(44, 160, 44),   // disgust
        new(148, 103, 189), // fear
        new(255, 127, 14),  // happiness
        new(31, 119, 180),  // sadness
        new(23, 190, 207),  // surprise
        new(140, 86, 75),   // other
    ];

    /// <summary>The colour of a category.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The category is undefined.</exception>
    public static Rgb24 Of(EmotionCategory category) => (uint)category < (uint)Colors.Length
        ? Colors[(int)category]
        : throw new ArgumentOutOfRangeException(nameof(category), category, "Not an emotion category.");

    /// <summary>The colour of a class index (<c>(int)EmotionCategory</c>); indices beyond the categories cycle through the palette.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is negative.</exception>
    public static Rgb24 OfIndex(int classIndex) => classIndex >= 0
        ? Colors[classIndex % Colors.Length]
        : throw new ArgumentOutOfRangeException(nameof(classIndex), classIndex, "Expected a non-negative class index.");
}
