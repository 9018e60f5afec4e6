using Emotion.Core;

namespace Emotion.Preprocessing.Annotations;

/// <summary>One row of a CSV manifest: a frame of a video, its label, and optionally its image file.</summary>
/// <param name="Video">The video id.</param>
/// <param name="Frame">The 1-based frame number within the video.</param>
/// <param name="Label">The frame's label (parts may be unlabeled).</param>
/// <param name="Path">The image file (absolute, or relative to the manifest's folder), or null when frames are found by number in a frame folder.</param>
public sealed record ManifestEntry(string Video, int Frame, FrameLabel Label, string? Path = null);
