using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp;

namespace Emotion.Onnx.Video.Tests;

/// <summary>A lazily produced frame sequence that counts how many frames the consumer pulled and whether it was closed.</summary>
internal sealed class CountingFrames(int count, Func<int, Image<Rgb24>> frame, Func<int, double?>? time = null) : IEnumerable<PredictionFrame>
{
    /// <summary>Frames pulled so far.</summary>
    public int Pulled { get; private set; }

    /// <summary>Whether the enumeration was disposed (the consumer stopped or finished).</summary>
    public bool Closed { get; private set; }

    public IEnumerator<PredictionFrame> GetEnumerator()
    {
        try
        {
            for (int i = 0; i < count; i++)
            {
                Pulled++;
                yield return new PredictionFrame(i + 1, time?.Invoke(i), frame(i));
            }
        }
        finally
        {
            Closed = true;
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
