namespace Emotion.Synthetic;

/// <summary>A synthetic video: id, split, appearance and per-frame plan.</summary>
/// <param name="Id">The video id (folder and annotation file name).</param>
/// <param name="Split">The split folder (<c>Training_Set</c> or <c>Validation_Set</c>).</param>
/// <param name="Identity">The appearance.</param>
/// <param name="Frames">Frames 1..N.</param>
public sealed record SyntheticVideoPlan(string Id, string Split, FaceIdentity Identity, IReadOnlyList<SyntheticFramePlan> Frames);
