using Emotion.Cli.Workflows;
using TorchSharp;

namespace Emotion.Cli.Tests;

public sealed class LibTorchTests
{
    [Fact]
    public void FetchesTheLibtorchVersionTorchSharpWasBuiltFor()
    {
        // The tool downloads libtorch-cpu-<rid> at LibTorch.Version on first use; TorchSharp states the version it needs.
        Assert.Equal(LibTorch.Version, torch.NormalizeNuGetVersion(torch.__version__));
        Assert.StartsWith("libtorch-cpu-", LibTorch.PackageId);
    }

    [Fact]
    public void UsesTheLibtorchNextToTheProgramWhenTheBuildHasIt()
    {
        // This test project references TorchSharp-cpu, so libtorch is next to it: nothing is looked up or downloaded.
        var status = new StringWriter();
        LibTorch.Require("test", status);
        Assert.Equal("bundled", LibTorch.LoadedFrom);
        Assert.Equal("", status.ToString());
    }
}
