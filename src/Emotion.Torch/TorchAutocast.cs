using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Torch;

/// <summary>
/// libtorch's automatic mixed precision (what PyTorch's <c>torch.autocast(device_type, dtype)</c> does) for a region of
/// code on the calling thread: while a region is open, operations that gain from lower precision (convolutions, matrix
/// products, linear layers) cast their inputs, weights included, to the region's type (bfloat16 or float16) and run in it;
/// precision-sensitive operations (losses, reductions, softmax) run in float32; everything else runs in its inputs' type
/// (batch norm takes bfloat16 input with its float32 parameters and running statistics). The casts are recorded by autograd,
/// so the float32 parameters receive float32 gradients: they are the master weights.
/// </summary>
/// <remarks>
/// <para>TorchSharp 0.107 has no autocast API (neither its managed sources nor its native <c>LibTorchSharp</c> layer mention
/// autocast), but the libtorch 2.10 it ships exports <c>at::autocast::set_autocast_enabled</c>, <c>set_autocast_dtype</c>,
/// <c>increment_nesting</c>, <c>decrement_nesting</c> and <c>clear_cache</c>; this type calls them directly, as
/// <see cref="TorchNativeSettings"/> does for NNPACK (Itanium symbol names on Linux and macOS, MSVC names on Windows).</para>
/// <para>Opening a region does what <c>torch.autocast.__enter__</c> does: remember the thread's previous state, set the type,
/// enable autocast for the device, count one more nesting level; closing it restores the state and, when the outermost region
/// closes, clears libtorch's cache of cast weights (those copies are stale once an optimizer changes the weights). Autocast
/// state is thread-local: open and close a region on the thread that runs the forward pass, and run the backward pass outside it.</para>
/// </remarks>
public sealed class TorchAutocast : IDisposable
{
    private static readonly Lazy<EntryPoints?> Native = new(LoadEntryPoints, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly sbyte device;
    private readonly bool wasEnabled;
    private readonly sbyte previousType;
    private bool disposed;

    private TorchAutocast(sbyte device, sbyte type)
    {
        var native = Native.Value!;
        this.device = device;
        wasEnabled = native.IsEnabled(device);
        previousType = native.GetDtype(device);
        native.SetType(device, type);
        native.SetEnabled(device, true);
        native.IncrementNesting();
    }

    /// <summary>Whether libtorch's autocast entry points were found (so <see cref="Enter"/> works on this platform).</summary>
    public static bool IsAvailable => Native.Value is not null;

    /// <summary>Whether an autocast region is open for <paramref name="device"/> on the calling thread.</summary>
    /// <exception cref="NotSupportedException">The entry points were not found (<see cref="IsAvailable"/> is false).</exception>
    public static bool IsEnabled(DeviceType device) => Require().IsEnabled(DeviceCode(device));

    /// <summary>
    /// Opens an autocast region on the calling thread: until the returned object is disposed, operations on
    /// <paramref name="device"/> tensors that autocast lists run in <paramref name="dtype"/>.
    /// </summary>
    /// <param name="device">The device type whose operations are autocast (CPU or CUDA).</param>
    /// <param name="dtype"><see cref="ScalarType.BFloat16"/> or <see cref="ScalarType.Float16"/>.</param>
    /// <exception cref="ArgumentException">The type is not a 16-bit floating-point type, or the device is neither CPU nor CUDA.</exception>
    /// <exception cref="NotSupportedException">The entry points were not found (<see cref="IsAvailable"/> is false).</exception>
    public static TorchAutocast Enter(DeviceType device, ScalarType dtype)
    {
        if (dtype is not (ScalarType.BFloat16 or ScalarType.Float16))
            throw new ArgumentException($"Autocast runs in BFloat16 or Float16; got {dtype}.", nameof(dtype));
        var code = DeviceCode(device);
        Require();
        return new TorchAutocast(code, (sbyte)dtype);
    }

    /// <summary>Closes the region: restores the previous state and, when no region is left open, clears the cast-weight cache.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        var native = Native.Value!;
        if (native.DecrementNesting() == 0) native.ClearCache();
        native.SetEnabled(device, wasEnabled);
        native.SetType(device, previousType);
    }

    private static EntryPoints Require() => Native.Value ?? throw new NotSupportedException(
        "libtorch's autocast entry points (at::autocast::set_autocast_enabled and its companions) were not found in the loaded libtorch; " +
        "mixed-precision training needs them.");

    private static sbyte DeviceCode(DeviceType device) => device switch
    {
        DeviceType.CPU => 0, // c10::DeviceType::CPU
        DeviceType.CUDA => 1, // c10::DeviceType::CUDA
        _ => throw new ArgumentException($"Autocast is supported here for CPU and CUDA tensors; got {device}.", nameof(device)),
    };

    private static EntryPoints? LoadEntryPoints()
    {
        try
        {
            torch.InitializeDeviceType(DeviceType.CPU);
            bool windows = OperatingSystem.IsWindows();
            string library = windows ? "torch_cpu.dll" : OperatingSystem.IsMacOS() ? "libtorch_cpu.dylib" : "libtorch_cpu.so";
            if (!NativeLibrary.TryLoad(library, out var handle)) return null;
            nint Export(string itanium, string msvc) =>
                NativeLibrary.TryGetExport(handle, windows ? msvc : itanium, out var address) ? address : 0;
            var points = new EntryPoints(
                Export("_ZN2at8autocast20set_autocast_enabledEN3c1010DeviceTypeEb", "?set_autocast_enabled@autocast@at@@YAXW4DeviceType@c10@@_N@Z"),
                Export("_ZN2at8autocast19is_autocast_enabledEN3c1010DeviceTypeE", "?is_autocast_enabled@autocast@at@@YA_NW4DeviceType@c10@@@Z"),
                Export("_ZN2at8autocast18set_autocast_dtypeEN3c1010DeviceTypeENS1_10ScalarTypeE", "?set_autocast_dtype@autocast@at@@YAXW4DeviceType@c10@@W4ScalarType@4@@Z"),
                Export("_ZN2at8autocast18get_autocast_dtypeEN3c1010DeviceTypeE", "?get_autocast_dtype@autocast@at@@YA?AW4ScalarType@c10@@W4DeviceType@4@@Z"),
                Export("_ZN2at8autocast17increment_nestingEv", "?increment_nesting@autocast@at@@YAHXZ"),
                Export("_ZN2at8autocast17decrement_nestingEv", "?decrement_nesting@autocast@at@@YAHXZ"),
                Export("_ZN2at8autocast11clear_cacheEv", "?clear_cache@autocast@at@@YAXXZ"));
            return points.Complete ? points : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or TypeInitializationException or InvalidOperationException)
        {
            return null;
        }
    }

    // c10::DeviceType and c10::ScalarType are int8_t enums; bool is one byte; the nesting counters return int.
    private sealed unsafe class EntryPoints(nint setEnabled, nint isEnabled, nint setType, nint getType, nint increment, nint decrement, nint clearCache)
    {
        public bool Complete => setEnabled != 0 && isEnabled != 0 && setType != 0 && getType != 0 && increment != 0 && decrement != 0 && clearCache != 0;

        public void SetEnabled(sbyte device, bool value) => ((delegate* unmanaged<sbyte, byte, void>)setEnabled)(device, value ? (byte)1 : (byte)0);

        public bool IsEnabled(sbyte device) => ((delegate* unmanaged<sbyte, byte>)isEnabled)(device) != 0;

        public void SetType(sbyte device, sbyte type) => ((delegate* unmanaged<sbyte, sbyte, void>)setType)(device, type);

        public sbyte GetDtype(sbyte device) => ((delegate* unmanaged<sbyte, sbyte>)getType)(device);

        public int IncrementNesting() => ((delegate* unmanaged<int>)increment)();

        public int DecrementNesting() => ((delegate* unmanaged<int>)decrement)();

        public void ClearCache() => ((delegate* unmanaged<void>)clearCache)();
    }
}
