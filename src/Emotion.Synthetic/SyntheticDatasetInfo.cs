namespace Emotion.Synthetic;

/// <summary>What <see cref="SyntheticDatasetGenerator.Generate"/> wrote.</summary>
/// <param name="Root">The dataset root (load it with <c>AffWild2Dataset.Load(Root, split)</c>).</param>
/// <param name="Options">The options used.</param>
/// <param name="TrainingVideos">Ids of the training videos.</param>
/// <param name="ValidationVideos">Ids of the validation videos.</param>
/// <param name="FramesWritten">Frame images written.</param>
/// <param name="MissingFrames">Annotated frames without an image.</param>
public sealed record SyntheticDatasetInfo(
    string Root, SyntheticDatasetOptions Options, IReadOnlyList<string> TrainingVideos, IReadOnlyList<string> ValidationVideos,
    int FramesWritten, int MissingFrames);
