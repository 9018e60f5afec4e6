namespace Emotion.Onnx;

/// <summary>How a frame given without a face box reaches a model's input size (<see cref="EmotionPredictor.CheckFrameSize"/>).</summary>
public enum FrameResize
{
    /// <summary>The frame has the model's input size and is used as it is.</summary>
    None,

    /// <summary>The frame has the model's aspect ratio (within 1 %) and is scaled to the input size without distortion.</summary>
    Scale,

    /// <summary>The frame has another aspect ratio and is stretched to the input size (<see cref="EmotionPredictorOptions.ResizeFrames"/> is true).</summary>
    Stretch,
}
