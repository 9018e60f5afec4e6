using System.Runtime;

namespace Emotion.Torch.Training;

/// <summary>
/// Keeps the garbage collector from running while a training or evaluation step is inside libtorch. TorchSharp 0.107 turns
/// .NET numbers into temporary <c>Scalar</c> objects (the <c>alpha</c> of <c>add_</c>, an optimizer's step size, batch norm's
/// batch counter) and passes only their native handles on; the temporary is unreachable while libtorch still reads it, so a
/// collection triggered by another thread (the batch loader) can run its finalizer and free the scalar mid-call. libtorch then
/// reads freed memory and fails with "Unknown scalar type" or a <c>toLong</c> check, which aborts the run. A no-GC region
/// (<see cref="GC.TryStartNoGCRegion(long)"/>) closes that window: no collection, so no finalizer, until the step ends.
/// </summary>
/// <remarks>
/// Entering costs one blocking collection (about a millisecond with a few hundred megabytes of live data, against steps of tens
/// to hundreds of milliseconds). Best effort: when another step already holds a region (parallel trainers in one process), or the
/// runtime refuses the budget, or the step allocates more than the budget, the step runs unguarded, as without this type.
/// </remarks>
internal readonly struct ScalarRaceGuard : IDisposable
{
    /// <summary>Managed bytes the step (and the loader threads meanwhile) may allocate before the runtime collects anyway.</summary>
    private const long Budget = 128L << 20;

    private static readonly object Gate = new();
    private static bool held;

    /// <summary><c>EMOTION_SCALAR_GUARD=0</c> turns the guard off (to measure its cost, or should a runtime refuse the regions).</summary>
    private static readonly bool Disabled = Environment.GetEnvironmentVariable("EMOTION_SCALAR_GUARD") == "0";
    private readonly bool owns;

    private ScalarRaceGuard(bool owns) => this.owns = owns;

    /// <summary>Enters a no-GC region unless one is already held.</summary>
    public static ScalarRaceGuard Enter()
    {
        lock (Gate)
        {
            if (Disabled || held || GCSettings.LatencyMode == GCLatencyMode.NoGCRegion) return default;
            try
            {
                held = GC.TryStartNoGCRegion(Budget);
            }
            catch (Exception e) when (e is ArgumentOutOfRangeException or InvalidOperationException)
            {
                held = false;
            }
            return new ScalarRaceGuard(held);
        }
    }

    /// <summary>Leaves the region if this guard entered it and the runtime has not already ended it.</summary>
    public void Dispose()
    {
        if (!owns) return;
        lock (Gate)
        {
            held = false;
            if (GCSettings.LatencyMode != GCLatencyMode.NoGCRegion) return;
            try
            {
                GC.EndNoGCRegion();
            }
            catch (InvalidOperationException)
            {
                // The step allocated past the budget and a collection ended the region early.
            }
        }
    }
}
