namespace Emotion.Preprocessing.Transforms;

/// <summary>
/// A small deterministic random generator (SplitMix64) whose state is derived from a key such as
/// (seed, epoch, video id, frame number), so that a frame's random choices do not depend on which thread handles it
/// or in which order. Video ids are hashed with FNV-1a (stable across processes, unlike <see cref="string.GetHashCode()"/>).
/// </summary>
public struct FrameRandom
{
    private ulong _state;

    /// <summary>Creates a generator from a raw 64-bit state.</summary>
    public FrameRandom(ulong state) => _state = state;

    /// <summary>The generator for one frame of one video in one epoch.</summary>
    /// <param name="seed">The run's seed.</param>
    /// <param name="epoch">The epoch (0-based).</param>
    /// <param name="videoId">The video id.</param>
    /// <param name="frameNumber">The frame number (or another per-frame key).</param>
    public static FrameRandom For(long seed, int epoch, string videoId, int frameNumber)
    {
        ulong h = Mix((ulong)seed ^ 0x9E3779B97F4A7C15UL);
        h = Mix(h ^ (uint)epoch);
        h = Mix(h ^ StableHash(videoId));
        h = Mix(h ^ (uint)frameNumber);
        return new FrameRandom(h);
    }

    /// <summary>FNV-1a 64-bit hash of a string's UTF-16 code units.</summary>
    public static ulong StableHash(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        ulong h = 14695981039346656037UL;
        foreach (char c in text)
        {
            h ^= c;
            h *= 1099511628211UL;
        }
        return h;
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>A uniform float in [0, 1).</summary>
    public float NextFloat() => (NextUInt64() >> 40) * (1f / (1 << 24));

    /// <summary>A uniform double in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform float in [min, max).</summary>
    public float NextFloat(float min, float max) => min + (max - min) * NextFloat();

    /// <summary>A uniform integer in [0, maxExclusive).</summary>
    public int NextInt(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        return (int)((NextUInt64() >> 33) % (ulong)maxExclusive);
    }

    /// <summary>An approximately standard normal value (Box-Muller).</summary>
    public float NextGaussian()
    {
        double u1 = 1.0 - NextDouble(), u2 = NextDouble();
        return (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
