using System.Runtime.InteropServices;
using TorchSharp;

namespace Emotion.Torch;

/// <summary>
/// Process-wide libtorch settings the library applies before its first model is built:
/// <list type="number">
/// <item>NNPACK is disabled for convolutions (<c>at::globalContext().setUserEnabledNNPACK(false)</c>, what PyTorch's
/// <c>torch.backends.nnpack.set_flags(False)</c> does). Without it, libtorch probes NNPACK at the first convolution
/// and, on CPUs it does not support, prints <c>Could not initialize NNPACK! Reason: Unsupported hardware.</c> on stderr.</item>
/// <item>The convolution self-check (<see cref="ConvolutionSelfCheck"/>): libtorch 2.10's oneDNN computes wrong input
/// gradients for some convolutions on AVX2/AVX-512 CPUs and crashes in others; when a float32 gradient disagrees with
/// float64, oneDNN is switched off (<c>setUserEnabledMkldnn(false)</c>, PyTorch's <c>torch.backends.mkldnn.enabled = False</c>)
/// and convolutions run on ATen's own kernels. <c>EMOTION_CONV_SELF_CHECK=0</c> skips it.</item>
/// </list>
/// TorchSharp 0.107 exposes no setters, so the libtorch functions are called directly (Linux and macOS; elsewhere, or if
/// the symbols are missing, nothing is changed).
/// </summary>
public static class TorchNativeSettings
{
    private static readonly Lazy<bool> Applied = new(ApplyOnce, LazyThreadSafetyMode.ExecutionAndPublication);

    private static ConvolutionSelfCheck? convolutionCheck;

    /// <summary>Loads libtorch (if not yet loaded) and applies the settings; later calls do nothing. Called by every <see cref="Backbones.Backbone"/>.
    /// An application that runs its own TorchSharp convolutions before building an Emotion model should call it first.</summary>
    /// <returns>Whether NNPACK could be disabled.</returns>
    public static bool Apply() => Applied.Value;

    /// <summary>The convolution self-check's outcome (null when <c>EMOTION_CONV_SELF_CHECK=0</c> or when libtorch could not be loaded).</summary>
    public static ConvolutionSelfCheck? ConvolutionCheck
    {
        get
        {
            Apply();
            return convolutionCheck;
        }
    }

    /// <summary>Whether libtorch may use oneDNN (mkldnn) kernels; false after the self-check switched them off (null when it cannot be queried here).</summary>
    public static bool? OneDnnEnabled
    {
        get
        {
            Apply();
            return Context(out var context) && TryExport("_ZNK2at7Context17userEnabledMkldnnEv", out var getter)
                ? Get(getter, context)
                : null;
        }
    }

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
        bool nnpackDisabled = false;
        try
        {
            torch.InitializeDeviceType(DeviceType.CPU);
            if (!OperatingSystem.IsWindows() && Context(out var context) && TryExport("_ZN2at7Context20setUserEnabledNNPACKEb", out var setter))
            {
                Set(setter, context, false);
                nnpackDisabled = true;
            }
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or TypeInitializationException or InvalidOperationException)
        {
            return false;
        }
        if (Environment.GetEnvironmentVariable("EMOTION_CONV_SELF_CHECK") != "0")
        {
            try
            {
                convolutionCheck = ConvolutionSelfCheck.Run(DisableOneDnn);
                // Only when the gradients are wrong and nothing could be done about it (Windows, or a libtorch without the
                // symbol): a normal run prints nothing.
                if (!convolutionCheck.Correct) Console.Error.WriteLine($"Emotion.Torch: {convolutionCheck}");
            }
            catch (Exception ex) when (ex is ExternalException or InvalidOperationException or ArgumentException)
            {
                // A failed check must not make every backbone unusable; say so once.
                Console.Error.WriteLine($"Emotion.Torch: the convolution self-check could not run ({ex.Message}); convolution gradients are unchecked.");
            }
        }
        return nnpackDisabled;
    }

    private static bool DisableOneDnn()
    {
        if (OperatingSystem.IsWindows() || !Context(out var context) || !TryExport("_ZN2at7Context20setUserEnabledMkldnnEb", out var setter)) return false;
        Set(setter, context, false);
        return true;
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
