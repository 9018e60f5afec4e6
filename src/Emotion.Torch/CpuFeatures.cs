namespace Emotion.Torch;

/// <summary>
/// The CPU's instruction-set flags as the Linux kernel lists them in <c>/proc/cpuinfo</c> (the <c>flags</c> line on x86, the
/// <c>Features</c> line on ARM), and whether they include native bfloat16 arithmetic, which makes
/// <see cref="Training.TrainingPrecision.BFloat16"/> training faster than float32 (oneDNN's bfloat16 kernels need it).
/// </summary>
public static class CpuFeatures
{
    /// <summary>The file the flags are read from on Linux.</summary>
    public const string CpuInfoPath = "/proc/cpuinfo";

    private static readonly Lazy<IReadOnlySet<string>?> Current = new(() => TryRead(CpuInfoPath));

    /// <summary>
    /// The flags of this machine's CPU (from <see cref="CpuInfoPath"/>), or null where they cannot be read (not Linux, or the file
    /// is missing or has no flags line).
    /// </summary>
    public static IReadOnlySet<string>? Flags => Current.Value;

    /// <summary>
    /// Whether this machine's CPU has native bfloat16 instructions (see <see cref="HasNativeBFloat16"/>), or null where its flags
    /// cannot be read.
    /// </summary>
    public static bool? NativeBFloat16 => Flags is { } flags ? HasNativeBFloat16(flags) : null;

    /// <summary>
    /// Whether <paramref name="flags"/> include native bfloat16 arithmetic: <c>avx512_bf16</c> (AVX-512 BF16: Cooper Lake,
    /// Sapphire Rapids and later Xeons, AMD Zen 4 and later), <c>amx_bf16</c> (Intel AMX tiles) or, on ARM, <c>bf16</c> (Armv8.6 BF16).
    /// </summary>
    public static bool HasNativeBFloat16(IReadOnlySet<string> flags)
    {
        ArgumentNullException.ThrowIfNull(flags);
        return flags.Contains("avx512_bf16") || flags.Contains("amx_bf16") || flags.Contains("bf16");
    }

    /// <summary>
    /// The flags of the first processor in a <c>/proc/cpuinfo</c> text: the words after the colon of its <c>flags</c> (x86) or
    /// <c>Features</c> (ARM) line; empty when the text has neither.
    /// </summary>
    public static IReadOnlySet<string> ParseFlags(string cpuInfo)
    {
        ArgumentNullException.ThrowIfNull(cpuInfo);
        foreach (var line in cpuInfo.Split('\n'))
        {
            int colon = line.IndexOf(':');
            if (colon < 0) continue;
            var key = line.AsSpan(0, colon).Trim();
            if (!key.Equals("flags", StringComparison.Ordinal) && !key.Equals("Features", StringComparison.Ordinal)) continue;
            return line[(colon + 1)..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        }
        return new HashSet<string>(StringComparer.Ordinal);
    }

    /// <summary>Reads the flags from a <c>/proc/cpuinfo</c>-format file; null when it cannot be read or has no flags line.</summary>
    public static IReadOnlySet<string>? TryRead(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            if (!File.Exists(path)) return null;
            var flags = ParseFlags(File.ReadAllText(path));
            return flags.Count > 0 ? flags : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
