using System.Runtime.InteropServices;
using TorchSharp;

namespace Emotion.Torch;

/// <summary>
/// Process-wide libtorch settings the library applies before its first model is built. Today one: NNPACK is disabled
/// for convolutions (<c>at::globalContext().setUserEnabledNNPACK(false)</c>, what PyTorch's
/// <c>torch.backends.nnpack.set_flags(False)</c> does). Without it, libtorch probes NNPACK at the first convolution
/// and, on CPUs it does not support, prints <c>Could not initialize NNPACK! Reason: Unsupported hardware.</c> on stderr.
/// TorchSharp 0.107 exposes no setter, so the libtorch function is called directly (Linux and macOS; elsewhere, or if
/// the symbol is missing, nothing is changed). Convolutions then use oneDNN or ATen's own kernels, as they already do
/// wherever NNPACK is unsupported.
/// </summary>
public static class TorchNativeSettings
{
    private static readonly Lazy<bool> Applied = new(ApplyOnce, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Loads libtorch (if not yet loaded) and applies the settings; later calls do nothing. Called by every <see cref="Backbones.Backbone"/>.</summary>
    /// <returns>Whether NNPACK could be disabled.</returns>
    public static bool Apply() => Applied.Value;

    /// <summary>Whether libtorch will try NNPACK for convolutions (null when it cannot be queried on this platform).</summary>
    public static bool? NnpackEnabled
    {
        get
        {
            Apply();
            return Context(out var context) && TryExport("_ZNK2at7Context17userEnabledNNPACKEv", out var getter)
                ? Get(getter, context)
                : null;
        }
    }

    private static bool ApplyOnce()
    {
        if (OperatingSystem.IsWindows()) return false;
        try
        {
            torch.InitializeDeviceType(DeviceType.CPU);
            if (!Context(out var context) || !TryExport("_ZN2at7Context20setUserEnabledNNPACKEb", out var setter)) return false;
            Set(setter, context, false);
            return true;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or TypeInitializationException or InvalidOperationException)
        {
            return false;
        }
    }

    private static unsafe bool Context(out nint context)
    {
        context = 0;
        if (!TryExport("_ZN2at13globalContextEv", out var globalContext)) return false;
        context = ((delegate* unmanaged<nint>)globalContext)();
        return context != 0;
    }

    private static unsafe void Set(nint setter, nint context, bool value) => ((delegate* unmanaged<nint, byte, void>)setter)(context, value ? (byte)1 : (byte)0);

    private static unsafe bool Get(nint getter, nint context) => ((delegate* unmanaged<nint, byte>)getter)(context) != 0;

    private static bool TryExport(string symbol, out nint address)
    {
        address = 0;
        string library = OperatingSystem.IsMacOS() ? "libtorch_cpu.dylib" : "libtorch_cpu.so";
        return NativeLibrary.TryLoad(library, out var handle) && NativeLibrary.TryGetExport(handle, symbol, out address);
    }
}
