using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Torch;

/// <summary>
/// Process-wide libtorch settings the library applies before its first model is built:
/// <list type="number">
/// <item>NNPACK is disabled for convolutions (<c>at::globalContext().setUserEnabledNNPACK(false)</c>, what PyTorch's
/// <c>torch.backends.nnpack.set_flags(False)</c> does). Without it, libtorch probes NNPACK at the first convolution
/// and, on CPUs it does not support, prints <c>Could not initialize NNPACK! Reason: Unsupported hardware.</c> on stderr.</item>
/// <item>The convolution self-check (<see cref="ConvolutionSelfCheck"/>): libtorch 2.10's oneDNN computes wrong input
/// gradients for some convolutions on AVX2/AVX-512 CPUs and crashes in others, while its float32 forward convolutions are
/// right. When a float32 gradient disagrees with float64 and the forward output agrees, oneDNN stays on for forward passes
/// and is switched off (<c>setUserEnabledMkldnn(false)</c>, PyTorch's <c>torch.backends.mkldnn.enabled = False</c>) only
/// inside <see cref="SafeBackward"/> scopes, so backward passes run on ATen's own kernels; when the forward output is wrong
/// too, oneDNN is switched off for the whole process (<see cref="OneDnnForForward"/> and <c>EMOTION_ONEDNN_FORWARD=0</c> keep it
/// off everywhere in the first case too).
/// <c>EMOTION_CONV_SELF_CHECK=0</c> skips the check.</item>
/// </list>
/// <para><b>Models whose convolutions are right.</b> The wrong kernels are those of narrow convolutions; <see cref="CheckConvolutions"/>
/// checks the convolutions of one model, and a CPU <see cref="Training.Trainer"/> whose model passes runs its backward passes on
/// oneDNN (two to three times faster), otherwise in <see cref="SafeBackward"/> scopes.</para>
/// <para><b>Backward passes of your own.</b> The library runs its other backward passes (the explainers) in
/// <see cref="SafeBackward"/> scopes. An application that calls <c>backward()</c> or <c>torch.autograd.grad</c>
/// itself through convolutions must do the same (<c>using (TorchNativeSettings.SafeBackward()) loss.backward();</c>), or set
/// <c>EMOTION_ONEDNN_FORWARD=0</c> (or <see cref="OneDnnForForward"/> = false) to keep oneDNN off everywhere.</para>
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

    /// <summary>
    /// Checks the convolution kernels <paramref name="model"/> will run (<see cref="ModelConvolutionCheck"/>): each of its 2-D
    /// convolution shapes, found by one forward pass of zeros shaped <paramref name="inputShape"/>, computed in
    /// <paramref name="dtype"/> on the kernels in use now and compared with float64. oneDNN's 16-bit convolutions are separate
    /// code from its float32 ones with bugs of their own, so a mixed-precision run checks in its own type. Where oneDNN's kernels
    /// were in use and a forward output is wrong, oneDNN is switched off for the process; where a gradient is wrong (or a shape
    /// could not be checked), it is switched off for backward passes (<see cref="SafeBackward"/> scopes then switch it off).
    /// Where every result is right (<see cref="ModelConvolutionCheck.BackwardOnOneDnn"/>), the model's backward passes may run
    /// on oneDNN outside a <see cref="SafeBackward"/> scope: a CPU <see cref="Training.Trainer"/> runs this for its model before
    /// its first step and does so. <see cref="SafeBackward"/> scopes of other threads wait while the check runs (it needs the
    /// kernels in use to stay put). Shapes already checked in this process (same type, same kernels) are not computed again.
    /// </summary>
    /// <param name="model">The module whose convolutions are checked (a backbone; its parameters decide the device).</param>
    /// <param name="inputShape">The shape of one input, such as <c>[1, 3, 112, 112]</c>.</param>
    /// <param name="dtype"><see cref="ScalarType.Float32"/>, <see cref="ScalarType.BFloat16"/> or <see cref="ScalarType.Float16"/>.</param>
    /// <returns>The check; null when <c>EMOTION_CONV_SELF_CHECK=0</c> or when it could not run (then said on stderr).</returns>
    /// <exception cref="ArgumentException"><paramref name="dtype"/> is not one of the three types, or <paramref name="inputShape"/>
    /// is not four positive sizes.</exception>
    public static ModelConvolutionCheck? CheckConvolutions(nn.Module model, long[] inputShape, ScalarType dtype)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputShape);
        if (dtype is not (ScalarType.Float32 or ScalarType.BFloat16 or ScalarType.Float16))
            throw new ArgumentException($"The convolution check runs in Float32, BFloat16 or Float16; got {dtype}.", nameof(dtype));
        if (inputShape.Length != 4 || inputShape.Any(d => d <= 0))
            throw new ArgumentException($"The input shape must be four positive sizes [N, C, H, W]; got [{string.Join(", ", inputShape)}].", nameof(inputShape));
        Apply();
        if (Environment.GetEnvironmentVariable("EMOTION_CONV_SELF_CHECK") == "0") return null;
        lock (OneDnnLock)
        {
            bool onOneDnn = OneDnnEnabled == true;
            ModelConvolutionCheck check;
            try
            {
                check = ModelConvolutionCheck.Run(model, inputShape, dtype, onOneDnn);
            }
            catch (Exception ex) when (ex is ExternalException or InvalidOperationException or ArgumentException)
            {
                Console.Error.WriteLine($"Emotion.Torch: the {ModelConvolutionCheck.TypeName(dtype)} convolution check of {model.GetType().Name} could not run ({ex.Message}); " +
                                        "its backward passes stay off oneDNN.");
                return null;
            }
            if (!onOneDnn) return check;
            if (!check.ForwardCorrect)
            {
                Console.Error.WriteLine($"Emotion.Torch: oneDNN's convolutions are wrong for this model: {check}; oneDNN switched off.");
                Switches.OffEverywhere();
            }
            else if (!check.BackwardVerified) Switches.OffForBackward();
            return check;
        }
    }

    private static readonly object OneDnnLock = new();
    private static int backwardScopes;
    private static bool oneDnnOffForBackward;
    private static bool oneDnnOffEverywhere;

    /// <summary>
    /// A scope for a backward pass (<c>backward()</c>, <c>torch.autograd.grad</c>): where the convolution self-check found
    /// oneDNN's backward kernels wrong and its forward kernels right (<see cref="OneDnnOffForBackward"/>), oneDNN is switched
    /// off until the scope is disposed, so the backward convolutions run on ATen's kernels (libtorch's
    /// <c>convolution_backward</c> chooses its kernels from the global flag when it runs, whatever ran the forward pass).
    /// Elsewhere it changes nothing.
    /// </summary>
    /// <remarks>
    /// The flag is process-wide: scopes are counted, oneDNN is off while any scope of any thread is open and back on when the
    /// last one closes. Forward passes on other threads during that time run on ATen's kernels (right, slower). A backward
    /// pass outside a scope uses oneDNN's kernels, so every backward pass through convolutions must run in one.
    /// </remarks>
    /// <returns>The scope; dispose it after the backward pass (disposing twice is harmless).</returns>
    public static IDisposable SafeBackward()
    {
        Apply();
        return BackwardScope();
    }

    /// <summary>Whether oneDNN is on for forward passes and off inside <see cref="SafeBackward"/> scopes (the self-check's
    /// verdict on this CPU); false where oneDNN is on everywhere or off everywhere.</summary>
    public static bool OneDnnOffForBackward
    {
        get
        {
            Apply();
            lock (OneDnnLock) return oneDnnOffForBackward && !oneDnnOffEverywhere;
        }
    }

    /// <summary><see cref="SafeBackward"/> without <see cref="Apply"/> (the self-check runs inside it).</summary>
    internal static IDisposable BackwardScope()
    {
        lock (OneDnnLock)
        {
            if (!oneDnnOffForBackward || oneDnnOffEverywhere) return NoScope.Instance;
            if (backwardScopes++ == 0) SetMkldnn(false);
        }
        return new Scope();
    }

    private sealed class Scope : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) != 0) return;
            lock (OneDnnLock)
            {
                if (--backwardScopes == 0 && !oneDnnOffEverywhere && !forwardOff) SetMkldnn(true);
            }
        }
    }

    private sealed class NoScope : IDisposable
    {
        public static readonly NoScope Instance = new();

        public void Dispose()
        {
        }
    }

    private static bool forwardOff = Environment.GetEnvironmentVariable("EMOTION_ONEDNN_FORWARD") == "0";

    /// <summary>
    /// Whether oneDNN runs forward passes where the self-check switched it off for backward passes only
    /// (<see cref="OneDnnOffForBackward"/>); true by default, false with <c>EMOTION_ONEDNN_FORWARD=0</c>. Setting it to false
    /// keeps oneDNN off everywhere, as for an application with backward passes of its own outside <see cref="SafeBackward"/>
    /// scopes; setting it back to true switches oneDNN on again once no scope is open. Where the self-check left oneDNN on, or
    /// switched it off everywhere, it changes nothing. Set it before training or inference starts, not during.
    /// </summary>
    public static bool OneDnnForForward
    {
        get
        {
            Apply();
            lock (OneDnnLock) return !forwardOff;
        }
        set
        {
            Apply();
            lock (OneDnnLock)
            {
                forwardOff = !value;
                if (oneDnnOffForBackward && !oneDnnOffEverywhere && backwardScopes == 0) SetMkldnn(value);
            }
        }
    }

    private static readonly OneDnnSwitches Switches = new(
        OffForBackward: () =>
        {
            if (!CanSetMkldnn) return false;
            lock (OneDnnLock)
            {
                oneDnnOffForBackward = true;
                if (forwardOff) SetMkldnn(false);
            }
            return true;
        },
        OffEverywhere: () =>
        {
            if (!CanSetMkldnn) return false;
            lock (OneDnnLock)
            {
                oneDnnOffEverywhere = true;
                SetMkldnn(false);
            }
            return true;
        });

    private static bool CanSetMkldnn =>
        !OperatingSystem.IsWindows() && Context(out _) && TryExport("_ZN2at7Context20setUserEnabledMkldnnEb", out _);

    private static void SetMkldnn(bool enabled)
    {
        if (!OperatingSystem.IsWindows() && Context(out var context) && TryExport("_ZN2at7Context20setUserEnabledMkldnnEb", out var setter))
            Set(setter, context, enabled);
    }

    /// <summary>Whether libtorch may use oneDNN (mkldnn) kernels now: false after the self-check switched them off everywhere, or
    /// inside a <see cref="SafeBackward"/> scope where they are off for backward passes (null when it cannot be queried here).</summary>
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
                convolutionCheck = ConvolutionSelfCheck.Run(Switches);
                // Only when the results are wrong and nothing could be done about it (Windows, or a libtorch without the
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

/// <summary>How the convolution self-check may switch oneDNN off: only for backward passes, or everywhere; each returns whether it could.</summary>
internal sealed record OneDnnSwitches(Func<bool> OffForBackward, Func<bool> OffEverywhere);
