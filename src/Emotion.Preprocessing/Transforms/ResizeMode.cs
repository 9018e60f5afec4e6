namespace Emotion.Preprocessing.Transforms;

/// <summary>How a frame is resized before cropping.</summary>
public enum ResizeMode
{
    /// <summary>To exactly <see cref="FrameTransformOptions.ResizeWidth"/> x <see cref="FrameTransformOptions.ResizeHeight"/> (the output size by default); the aspect ratio is not kept.</summary>
    Exact,
    /// <summary>The shorter side to <see cref="FrameTransformOptions.ResizeShorterSide"/>, keeping the aspect ratio (the longer side is rounded to the nearest pixel).</summary>
    ShorterSide,
}
