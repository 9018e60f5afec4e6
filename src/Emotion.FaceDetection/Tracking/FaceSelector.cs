using Emotion.Core.Faces;


namespace Emotion.FaceDetection.Tracking;

/// <summary>Picks one face out of several, for the common single-person case.</summary>
public static class FaceSelector
{
    /// <summary>The detection chosen by <paramref name="selection"/>, or null when there is none (ties: the first).</summary>
    public static DetectedFace? Select(IReadOnlyList<DetectedFace> faces, FaceSelection selection = FaceSelection.Largest)
    {
        ArgumentNullException.ThrowIfNull(faces);
        int best = Best(faces.Count, i => faces[i].Box, i => faces[i].Score, selection);
        return best < 0 ? null : faces[best];
    }

    /// <summary>The tracked face chosen by <paramref name="selection"/>, or null when there is none (ties: the first).</summary>
    public static TrackedFace? Select(IReadOnlyList<TrackedFace> faces, FaceSelection selection = FaceSelection.Largest)
    {
        ArgumentNullException.ThrowIfNull(faces);
        int best = Best(faces.Count, i => faces[i].Box, i => faces[i].Score, selection);
        return best < 0 ? null : faces[best];
    }

    private static int Best(int count, Func<int, FaceBox> box, Func<int, float> score, FaceSelection selection)
    {
        int best = -1;
        float bestValue = float.NegativeInfinity;
        for (int i = 0; i < count; i++)
        {
            float value = selection switch
            {
                FaceSelection.Largest => BoxOverlap.Area(box(i)),
                FaceSelection.MostConfident => score(i),
                _ => throw new ArgumentOutOfRangeException(nameof(selection), selection, "Unknown face selection."),
            };
            if (value > bestValue || best < 0)
            {
                best = i;
                bestValue = value;
            }
        }
        return best;
    }
}
