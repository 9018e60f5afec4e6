using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.FaceDetection.Tracking;

/// <summary>
/// Detects hard cuts between shots of a video, so that a <see cref="FaceTracker"/> can be reset there (boxes of two
/// different people on both sides of a cut often overlap enough to be taken for one track). Each frame is reduced to a
/// coarse grid of mean luma values (<see cref="GridSize"/> x <see cref="GridSize"/> cells); a cut is reported when the mean
/// absolute difference between the grids of consecutive frames exceeds <see cref="Threshold"/> (in 0..255 luma units).
/// Not thread-safe: one instance per video.
/// </summary>
public sealed class ShotChangeDetector
{
    private readonly float[] current;
    private readonly float[] previous;
    private readonly long[] sums;
    private readonly int[] counts;
    private bool hasPrevious;

    /// <summary>Creates a detector.</summary>
    /// <param name="threshold">The mean absolute grid difference (0..255) above which two frames belong to different shots. Default 20 (Megamind.avi: about 3 within shots, 34 to 41 at its cuts).</param>
    /// <param name="gridSize">The grid's cells per side (default 16); coarse grids ignore motion within a shot.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public ShotChangeDetector(float threshold = 20f, int gridSize = 16)
    {
        if (!(threshold > 0f && threshold < 255f)) throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "Expected a threshold in (0, 255).");
        if (gridSize is < 1 or > 256) throw new ArgumentOutOfRangeException(nameof(gridSize), gridSize, "Expected 1 to 256 grid cells per side.");
        Threshold = threshold;
        GridSize = gridSize;
        current = new float[gridSize * gridSize];
        previous = new float[gridSize * gridSize];
        sums = new long[gridSize * gridSize];
        counts = new int[gridSize * gridSize];
    }

    /// <summary>The cut threshold in luma units.</summary>
    public float Threshold { get; }

    /// <summary>The grid's cells per side.</summary>
    public int GridSize { get; }

    /// <summary>The difference computed for the last frame (0 for the first frame).</summary>
    public float LastDifference { get; private set; }

    /// <summary>Takes the next frame and says whether it starts a new shot (never for the first frame).</summary>
    /// <exception cref="ArgumentException">The frame is smaller than the grid.</exception>
    public bool IsCut(Image<Rgb24> frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        int n = GridSize;
        if (frame.Width < n || frame.Height < n)
            throw new ArgumentException($"The frame is {frame.Width}x{frame.Height}; the shot detector needs at least {n}x{n} pixels.", nameof(frame));
        Array.Clear(sums);
        Array.Clear(counts);
        frame.ProcessPixelRows(accessor =>
        {
            for (int y = 0; y < accessor.Height; y++)
            {
                var row = accessor.GetRowSpan(y);
                int cellRow = y * n / accessor.Height * n;
                for (int x = 0; x < row.Length; x++)
                {
                    var p = row[x];
                    int cell = cellRow + x * n / row.Length;
                    sums[cell] += 299 * p.R + 587 * p.G + 114 * p.B;
                    counts[cell]++;
                }
            }
        });
        double difference = 0;
        for (int i = 0; i < current.Length; i++)
        {
            current[i] = sums[i] / (1000f * counts[i]);
            difference += Math.Abs(current[i] - previous[i]);
        }
        bool first = !hasPrevious;
        hasPrevious = true;
        LastDifference = first ? 0f : (float)(difference / current.Length);
        current.AsSpan().CopyTo(previous);
        return !first && LastDifference > Threshold;
    }

    /// <summary>Forgets the previous frame (the next frame is treated as the first).</summary>
    public void Reset()
    {
        hasPrevious = false;
        LastDifference = 0f;
    }
}
