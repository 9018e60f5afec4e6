using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Emotion.Onnx;

/// <summary>
/// Pinned float buffers whose first element is 64-byte aligned, reused across runs. Alignment makes ONNX Runtime's
/// vectorised kernels take the same path for every run, so the same frame always gives bit-identical outputs, whichever
/// buffer it was written to (unaligned buffers change the summation order of reductions in the last bits).
/// Thread-safe.
/// </summary>
internal sealed class AlignedBufferPool
{
    private const int Alignment = 64;
    private readonly ConcurrentBag<float[]> free = [];
    private readonly int maxPooled;

    public AlignedBufferPool(int maxPooled) => this.maxPooled = maxPooled;

    /// <summary>Allocates a new pinned buffer of at least <paramref name="length"/> aligned floats (not pooled).</summary>
    public static float[] Allocate(int length) =>
        GC.AllocateUninitializedArray<float>(length + Alignment / sizeof(float), pinned: true);

    /// <summary>The aligned <paramref name="length"/> floats of a buffer from <see cref="Allocate"/> or <see cref="Rent"/>.</summary>
    public static Memory<float> Aligned(float[] buffer, int length)
    {
        long address = Marshal.UnsafeAddrOfPinnedArrayElement(buffer, 0);
        int offset = (int)((Alignment - address % Alignment) % Alignment) / sizeof(float);
        return buffer.AsMemory(offset, length);
    }

    /// <summary>A pooled buffer with room for <paramref name="length"/> aligned floats.</summary>
    public float[] Rent(int length)
    {
        int needed = length + Alignment / sizeof(float);
        for (int attempts = 0; attempts < 4 && free.TryTake(out var buffer); attempts++)
        {
            if (buffer.Length >= needed) return buffer;
        }
        return Allocate(length);
    }

    /// <summary>Gives a buffer back.</summary>
    public void Return(float[] buffer)
    {
        if (free.Count < maxPooled) free.Add(buffer);
    }
}
