using System.Collections.Immutable;
using SixLabors.ImageSharp;
using Emotion.Core.Faces;

namespace Emotion.FaceDetection.Decoding;

/// <summary>
/// Decodes BlazeFace's raw outputs as MediaPipe's <c>TensorsToDetectionsCalculator</c> does for
/// <c>face_detection_short_range</c> (<c>num_coords: 16, keypoint_coord_offset: 4, num_keypoints: 6,
/// reverse_output_order: true, sigmoid_score: true, score_clipping_thresh: 100, x/y/w/h_scale: 128</c>). For anchor
/// <c>a</c> with regressors <c>r[0..15]</c>:
/// <code>
/// score = sigmoid(clamp(raw, -100, 100))
/// xc = r[0] / 128 * a.w + a.xc      yc = r[1] / 128 * a.h + a.yc
/// w  = r[2] / 128 * a.w             h  = r[3] / 128 * a.h
/// keypoint k = (r[4 + 2k] / 128 * a.w + a.xc, r[5 + 2k] / 128 * a.h + a.yc)
/// </code>
/// Boxes and keypoints come out in normalised input coordinates (0..1 of the model's square input).
/// </summary>
public static class BlazeFaceDecoder
{
    /// <summary>Regressor values per anchor: 4 box values and 6 keypoints x 2.</summary>
    public const int ValuesPerAnchor = 16;

    /// <summary>Keypoints per face: right eye, left eye, nose tip, mouth centre, right ear tragion, left ear tragion.</summary>
    public const int KeypointCount = 6;

    /// <summary>MediaPipe's <c>score_clipping_thresh</c>: raw scores are clamped to ±100 before the sigmoid.</summary>
    public const float ScoreClipping = 100f;

    /// <summary>The logistic sigmoid of a raw score clamped to ±<see cref="ScoreClipping"/>.</summary>
    public static float Score(float raw) => 1f / (1f + MathF.Exp(-Math.Clamp(raw, -ScoreClipping, ScoreClipping)));

    /// <summary>
    /// Appends the detections of the anchors whose score is at least <paramref name="scoreThreshold"/> to
    /// <paramref name="destination"/>, boxes and keypoints in normalised input coordinates.
    /// </summary>
    /// <param name="rawScores">One raw score (logit) per anchor.</param>
    /// <param name="regressors"><see cref="ValuesPerAnchor"/> values per anchor, anchor-major.</param>
    /// <param name="anchors">The anchors, in the same order.</param>
    /// <param name="scoreThreshold">The smallest score kept, in [0, 1].</param>
    /// <param name="scale">The regressors' unit: the model's input size (128: MediaPipe's x/y/w/h_scale).</param>
    /// <param name="destination">Receives the detections.</param>
    /// <exception cref="ArgumentException">The spans' lengths do not agree; the message gives them.</exception>
    public static void Decode(ReadOnlySpan<float> rawScores, ReadOnlySpan<float> regressors, ReadOnlySpan<SsdAnchor> anchors,
        float scoreThreshold, float scale, List<DetectedFace> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (rawScores.Length != anchors.Length || regressors.Length != anchors.Length * ValuesPerAnchor)
            throw new ArgumentException(
                $"BlazeFace outputs do not match the anchors: {rawScores.Length} scores and {regressors.Length} regressor values for {anchors.Length} anchors; " +
                $"expected one score and {ValuesPerAnchor} values per anchor.", nameof(regressors));
        if (!(scale > 0f)) throw new ArgumentOutOfRangeException(nameof(scale), scale, "Expected a positive regressor scale (the input size).");
        float inv = 1f / scale;
        for (int i = 0; i < anchors.Length; i++)
        {
            float score = Score(rawScores[i]);
            if (!(score >= scoreThreshold)) continue;
            var a = anchors[i];
            var r = regressors.Slice(i * ValuesPerAnchor, ValuesPerAnchor);
            float xc = r[0] * inv * a.Width + a.XCenter;
            float yc = r[1] * inv * a.Height + a.YCenter;
            float w = r[2] * inv * a.Width;
            float h = r[3] * inv * a.Height;
            if (!(w > 0f && h > 0f) || !float.IsFinite(xc) || !float.IsFinite(yc)) continue;
            var keypoints = ImmutableArray.CreateBuilder<PointF>(KeypointCount);
            for (int k = 0; k < KeypointCount; k++)
                keypoints.Add(new PointF(r[4 + 2 * k] * inv * a.Width + a.XCenter, r[5 + 2 * k] * inv * a.Height + a.YCenter));
            destination.Add(new DetectedFace(new FaceBox(xc - w * 0.5f, yc - h * 0.5f, w, h), score, keypoints.MoveToImmutable()));
        }
    }
}
