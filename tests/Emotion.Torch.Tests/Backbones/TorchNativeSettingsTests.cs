using Emotion.Torch.Backbones;
using static TorchSharp.torch;

namespace Emotion.Torch.Tests.Backbones;

public class TorchNativeSettingsTests
{
    [Fact]
    public void BuildingABackboneDisablesNnpackSoNoUnsupportedHardwareLineIsPrinted()
    {
        using var backbone = new SmallCnnBackbone(32);
        using var output = backbone.call(zeros(2, 3, 32, 32));
        Assert.Equal(2, output.shape[0]);
        if (OperatingSystem.IsLinux()) Assert.False(TorchNativeSettings.NnpackEnabled);
        Assert.True(TorchNativeSettings.Apply() || !OperatingSystem.IsLinux());
    }
}
