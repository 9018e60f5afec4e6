using System.Collections.Immutable;
using Emotion.FaceDetection;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Emotion.Core.Faces;

namespace Emotion.Onnx.Video.Tests;

/// <summary>
/// A fake <see cref="IFaceDetector"/> that returns known boxes: the boxes of call <c>i</c> (0-based, one call per frame
/// in order) come from the script, with scores 0.9, 0.8, ... in the order given.
/// </summary>
internal sealed class ScriptedFaceDetector(Func<int, IReadOnlyList<FaceBox>> script) : IFaceDetector
{
    /// <summary>How many times <see cref="Detect"/> was called.</summary>
    public int Calls { get; private set; }

    public bool Disposed { get; private set; }

    public IReadOnlyList<DetectedFace> Detect(Image<Rgb24> image)
    {
        ObjectDisposedException.ThrowIf(Disposed, this);
        var boxes = script(Calls++);
        var faces = new DetectedFace[boxes.Count];
        for (int i = 0; i < faces.Length; i++) faces[i] = new DetectedFace(boxes[i], 0.9f - 0.1f * i, ImmutableArray<PointF>.Empty);
        return faces;
    }

    public void Dispose() => Disposed = true;
}
