using System.Collections.Immutable;
using SixLabors.ImageSharp;
using Emotion.Core.Faces;

namespace Emotion.FaceDetection;

/// <summary>
/// Non-maximum suppression: removes the detections of one face that overlap a more confident one. Both variants visit
/// the detections from the most to the least confident (ties in input order) and treat two detections as the same face
/// when their intersection over union (<see cref="BoxOverlap.IntersectionOverUnion"/>) is greater than the threshold.
/// </summary>
public static class NonMaxSuppression
{
    /// <summary>
    /// Hard (greedy) suppression, as in UltraFace and most SSD detectors: a detection is kept when its IoU with every
    /// detection kept before it is at most <paramref name="iouThreshold"/>. Kept detections are returned unchanged.
    /// </summary>
    /// <param name="detections">The candidates, in any order.</param>
    /// <param name="iouThreshold">The overlap above which two detections are the same face, in [0, 1].</param>
    /// <param name="maxDetections">The most detections to return (the most confident ones).</param>
    /// <returns>The kept detections, most confident first.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The threshold is outside [0, 1] or <paramref name="maxDetections"/> is negative.</exception>
    public static IReadOnlyList<DetectedFace> Hard(IReadOnlyList<DetectedFace> detections, float iouThreshold, int maxDetections = int.MaxValue)
    {
        int[] order = Prepare(detections, iouThreshold, maxDetections);
        var kept = new List<DetectedFace>();
        foreach (int i in order)
        {
            if (kept.Count >= maxDetections) break;
            var candidate = detections[i];
            bool suppressed = false;
            foreach (var k in kept)
            {
                if (BoxOverlap.IntersectionOverUnion(candidate.Box, k.Box) > iouThreshold)
                {
                    suppressed = true;
                    break;
                }
            }
            if (!suppressed) kept.Add(candidate);
        }
        return kept;
    }

    /// <summary>
    /// Weighted suppression, as MediaPipe's face detection does (<c>NonMaxSuppressionCalculator</c>,
    /// <c>algorithm: WEIGHTED</c>): the most confident remaining detection and every remaining detection whose IoU with it
    /// is greater than <paramref name="iouThreshold"/> (itself included) form a cluster; the cluster is replaced by one
    /// detection whose box corners and keypoints are the score-weighted means over the cluster and whose score is the top
    /// detection's score; the cluster is removed and the process repeats.
    /// </summary>
    /// <param name="detections">The candidates, in any order. Keypoints are averaged only when every member of a cluster has the same number of them.</param>
    /// <param name="iouThreshold">The overlap above which two detections are the same face, in [0, 1].</param>
    /// <param name="maxDetections">The most detections to return.</param>
    /// <returns>The merged detections, most confident first.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The threshold is outside [0, 1] or <paramref name="maxDetections"/> is negative.</exception>
    public static IReadOnlyList<DetectedFace> Weighted(IReadOnlyList<DetectedFace> detections, float iouThreshold, int maxDetections = int.MaxValue)
    {
        int[] order = Prepare(detections, iouThreshold, maxDetections);
        var result = new List<DetectedFace>();
        var remaining = new List<int>(order);
        var rest = new List<int>(order.Length);
        var cluster = new List<int>(order.Length);
        while (remaining.Count > 0 && result.Count < maxDetections)
        {
            var top = detections[remaining[0]];
            cluster.Clear();
            rest.Clear();
            foreach (int i in remaining)
            {
                if (i == remaining[0] || BoxOverlap.IntersectionOverUnion(detections[i].Box, top.Box) > iouThreshold) cluster.Add(i);
                else rest.Add(i);
            }
            result.Add(cluster.Count == 1 ? top : Merge(detections, cluster, top));
            (remaining, rest) = (rest, remaining);
        }
        return result;
    }

    private static DetectedFace Merge(IReadOnlyList<DetectedFace> detections, List<int> cluster, DetectedFace top)
    {
        int keypointCount = top.Keypoints.IsDefault ? 0 : top.Keypoints.Length;
        foreach (int i in cluster)
        {
            var k = detections[i].Keypoints;
            if ((k.IsDefault ? 0 : k.Length) != keypointCount) keypointCount = -1;
        }
        double total = 0, left = 0, topEdge = 0, right = 0, bottom = 0;
        Span<double> kx = stackalloc double[Math.Max(keypointCount, 0)];
        Span<double> ky = stackalloc double[Math.Max(keypointCount, 0)];
        foreach (int i in cluster)
        {
            var d = detections[i];
            double s = d.Score;
            total += s;
            left += s * d.Box.X;
            topEdge += s * d.Box.Y;
            right += s * (d.Box.X + d.Box.Width);
            bottom += s * (d.Box.Y + d.Box.Height);
            for (int k = 0; k < kx.Length; k++)
            {
                kx[k] += s * d.Keypoints[k].X;
                ky[k] += s * d.Keypoints[k].Y;
            }
        }
        if (!(total > 0)) return top;
        var box = new FaceBox((float)(left / total), (float)(topEdge / total),
            (float)((right - left) / total), (float)((bottom - topEdge) / total));
        ImmutableArray<PointF> keypoints = top.Keypoints;
        if (keypointCount > 0)
        {
            var builder = ImmutableArray.CreateBuilder<PointF>(keypointCount);
            for (int k = 0; k < keypointCount; k++) builder.Add(new PointF((float)(kx[k] / total), (float)(ky[k] / total)));
            keypoints = builder.MoveToImmutable();
        }
        return top with { Box = box, Keypoints = keypoints };
    }

    // Validates the arguments and returns the indices sorted by descending score (stable).
    private static int[] Prepare(IReadOnlyList<DetectedFace> detections, float iouThreshold, int maxDetections)
    {
        ArgumentNullException.ThrowIfNull(detections);
        if (!(iouThreshold >= 0f && iouThreshold <= 1f))
            throw new ArgumentOutOfRangeException(nameof(iouThreshold), iouThreshold, "Expected an IoU threshold in [0, 1].");
        ArgumentOutOfRangeException.ThrowIfNegative(maxDetections);
        int n = detections.Count;
        var order = new int[n];
        var keys = new float[n];
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
            var d = detections[i] ?? throw new ArgumentException($"Detection {i} is null.", nameof(detections));
            keys[i] = float.IsNaN(d.Score) ? float.NegativeInfinity : d.Score;
        }
        Array.Sort(order, (a, b) =>
        {
            int c = keys[b].CompareTo(keys[a]);
            return c != 0 ? c : a.CompareTo(b);
        });
        return order;
    }
}
