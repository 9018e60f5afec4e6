using System.Runtime.CompilerServices;
using System.Text.Json;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using static TorchSharp.torch;

namespace Emotion.Testing;

/// <summary>
/// The committed real-face crops and the TF.js reference outputs of Fixtures/RealFaces (written by its
/// make_references.sh with face-api.js and human-models on the tfjs cpu backend). Test projects include this file as a link.
/// </summary>
internal static class RealFaceFixtures
{
    /// <summary>tests/Emotion.Torch.Tests/Fixtures/RealFaces, found from this file's own path (whichever project links it).</summary>
    public static string Folder { get; } = Locate();

    private static string Locate([CallerFilePath] string source = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "..", "Emotion.Torch.Tests", "Fixtures", "RealFaces"));

    public static JsonElement Reference()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder, "reference.json")));
        return doc.RootElement.Clone();
    }

    /// <summary>A crop as RGB pixels in [0, 1], <c>[3, H, W]</c>.</summary>
    public static Tensor Pixels01(string file)
    {
        using var image = Image.Load<Rgb24>(Path.Combine(Folder, file));
        int h = image.Height, w = image.Width;
        var data = new float[3 * h * w];
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < h; y++)
            {
                var row = rows.GetRowSpan(y);
                for (int x = 0; x < w; x++)
                {
                    data[0 * h * w + y * w + x] = row[x].R / 255f;
                    data[1 * h * w + y * w + x] = row[x].G / 255f;
                    data[2 * h * w + y * w + x] = row[x].B / 255f;
                }
            }
        });
        return tensor(data, [3, h, w]);
    }

    public static float[] Floats(JsonElement array) => array.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();

    /// <summary>The largest absolute difference between two equally long arrays.</summary>
    public static double MaxAbsDiff(IReadOnlyList<float> expected, IReadOnlyList<float> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        double max = 0;
        for (int i = 0; i < expected.Count; i++) max = Math.Max(max, Math.Abs(expected[i] - (double)actual[i]));
        return max;
    }
}
