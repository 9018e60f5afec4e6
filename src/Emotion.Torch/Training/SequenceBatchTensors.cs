using Emotion.Core.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Torch.Training;

/// <summary>Converts a <see cref="SequenceBatch"/>'s frames to the model's input tensor.</summary>
public static class SequenceBatchTensors
{
    /// <summary>
    /// The frames as a <c>float32 [B, T, 3, H, W]</c> tensor. On the CPU the tensor shares the batch's array (no copy; it must
    /// not outlive the batch's buffers); on another device it is one copy to that device.
    /// </summary>
    public static Tensor Frames(SequenceBatch batch, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        using var flat = torch.from_array(batch.Frames);
        var frames = flat.view(batch.BatchSize, batch.SequenceLength, SequenceBatch.Channels, batch.Height, batch.Width);
        if (device is null || device.type == DeviceType.CPU) return frames;
        using (frames) return frames.to(device);
    }

    /// <summary>Number of real (non-padding) frames in the batch.</summary>
    public static int RealFrames(SequenceBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int n = 0;
        foreach (bool real in batch.FrameMask) if (real) n++;
        return n;
    }
}
