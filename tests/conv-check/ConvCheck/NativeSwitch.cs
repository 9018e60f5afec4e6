using System.Runtime.InteropServices;

namespace ConvCheck;

/// <summary>Experiment: libtorch's at::globalContext().setUserEnabledMkldnn(bool).</summary>
internal static class NativeSwitch
{
    public static unsafe void SetMkldnn(bool enabled)
    {
        var lib = NativeLibrary.Load("libtorch_cpu.so");
        var ctx = ((delegate* unmanaged<nint>)NativeLibrary.GetExport(lib, "_ZN2at13globalContextEv"))();
        ((delegate* unmanaged<nint, byte, void>)NativeLibrary.GetExport(lib, "_ZN2at7Context20setUserEnabledMkldnnEb"))(ctx, enabled ? (byte)1 : (byte)0);
    }
}
