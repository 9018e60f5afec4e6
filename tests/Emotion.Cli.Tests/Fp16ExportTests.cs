using Emotion.Core;
using Emotion.Onnx.Export.Graph;
using Emotion.Onnx.Export.Protos;
using Emotion.Testing;
using Emotion.Torch.Backbones;
using Emotion.Torch.Heads;
using Emotion.Torch.Models;

namespace Emotion.Cli.Tests;

/// <summary><c>emotion export --fp16</c>: a float16 graph with float32 inputs and outputs (the conversion's accuracy is in Float16ConverterTests).</summary>
public sealed class Fp16ExportTests : IDisposable
{
    private readonly TempFolder temp = new("emotion-cli-fp16-");

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Fp16ExportWritesFloat16WeightsBehindFloat32InputsAndOutputs()
    {
        using (var model = EmotionModel.Create().WithInput(4, 32).WithBackbone(BackboneSpec.Named(BackboneNames.SmallCnn))
                   .WithRecurrentHead(HeadSpec.Gru(16)).ForTask(EmotionTask.Combined).WithSeed(2).Build())
            model.Save(temp.File("checkpoint"));
        string fp32 = temp.File("fp32.onnx"), fp16 = temp.File("fp16.onnx");
        var a = CliRunner.Run("export", "--model", temp.File("checkpoint"), "--out", fp32);
        var b = CliRunner.Run("export", "--model", temp.File("checkpoint"), "--out", fp16, "--fp16");
        Assert.True(a.ExitCode == 0, a.ToString());
        Assert.True(b.ExitCode == 0, b.ToString());
        Assert.Contains("fp16 weights", b.Output);

        var model16 = OnnxModelFile.Load(fp16);
        Assert.Equal("fp16", model16.MetadataProps.Single(p => p.Key == OnnxMetadataKeys.Precision).Value);
        Assert.DoesNotContain(model16.Graph.Initializer, t => t.DataType == (int)TensorProto.Types.DataType.Float);
        Assert.All(model16.Graph.Input.Concat(model16.Graph.Output), v => Assert.Equal((int)TensorProto.Types.DataType.Float, v.Type.TensorType.ElemType));
        Assert.Equal(OnnxModelFile.Load(fp32).Graph.Output.Select(o => o.Name), model16.Graph.Output.Select(o => o.Name));
        Assert.InRange((double)new FileInfo(fp16).Length / new FileInfo(fp32).Length, 0.45, 0.6);
    }

    [Fact]
    public void Fp16WithInt8IsAUsageErrorNamingFp16()
    {
        var result = CliRunner.Run("export", "--model", "face-expression", "--out", temp.File("x.onnx"), "--fp16", "--int8", "--calibration", temp.Path);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--fp16", result.Error);
        Assert.False(File.Exists(temp.File("x.onnx")));
    }
}
