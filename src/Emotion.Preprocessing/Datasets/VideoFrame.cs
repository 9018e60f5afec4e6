using Emotion.Core.Faces;

using Emotion.Core;
using Emotion.Preprocessing.Frames;

namespace Emotion.Preprocessing.Datasets;

/// <summary>One frame of a video in a dataset: its number, its pixels, its label and an optional face box.</summary>
/// <param name="Number">The 1-based frame number (Aff-Wild2: the file name and the annotation line).</param>
/// <param name="Source">Where the pixels come from.</param>
/// <param name="Label">The label aligned by number (parts may be unlabeled).</param>
/// <param name="FaceBox">A face box to crop to before resizing, or null (frames already cropped, as in cropped_aligned).</param>
public sealed record VideoFrame(int Number, IFrameSource Source, FrameLabel Label, FaceBox? FaceBox = null);
