using Emotion.Onnx.Export.Graph;
using Emotion.Onnx.Export.Protos;
using Emotion.Testing;

namespace Emotion.Onnx.Tests.Export;

public sealed class OnnxGraphBuilderTests
{
    private static OnnxGraphBuilder TinyGemm()
    {
        var g = new OnnxGraphBuilder("tiny");
        string x = g.AddInput("x", ["batch", 3]);
        // y = x W^T + b with W = [[1, 2, 3], [-1, 0, 1]], b = [0.5, -0.5]; then relu.
        string w = g.AddInitializer("w", [1f, 2f, 3f, -1f, 0f, 1f], 2, 3);
        string b = g.AddInitializer("b", [0.5f, -0.5f], 2);
        string y = g.AddNode("Gemm", [x, w, b], "y", OnnxAttribute.Int("transB", 1));
        g.AddNode("Relu", [y], "out");
        g.AddOutput("out", ["batch", 2]);
        g.AddMetadata("k", "v");
        return g;
    }

    [Fact]
    public void BuiltModelRunsInOnnxRuntimeWithHandComputedValues()
    {
        using var session = OrtHelper.Session(TinyGemm().Build());
        var result = OrtHelper.Run(session, ("x", new FloatTensor([1f, 1f, 1f, 2f, 0f, -1f], [2, 3])))["out"];
        // Row 1: [1+2+3+0.5, -1+0+1-0.5] = [6.5, -0.5] -> relu [6.5, 0]; row 2: [2-3+0.5, -2-1-0.5] = [-0.5, -3.5] -> [0, 0].
        Assert.Equal([2L, 2L], result.Shape);
        Assert.Equal([6.5f, 0f, 0f, 0f], result.Data);
        Assert.Equal("v", session.ModelMetadata.CustomMetadataMap["k"]);
    }

    [Fact]
    public void ModelCarriesIrVersionOpsetAndSymbolicDims()
    {
        var model = TinyGemm().Build();
        Assert.Equal(OnnxGraphBuilder.IrVersion, model.IrVersion);
        Assert.Equal(OnnxGraphBuilder.DefaultOpset, model.OpsetImport.Single().Version);
        Assert.Equal("batch", model.Graph.Input[0].Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal(3, model.Graph.Input[0].Type.TensorType.Shape.Dim[1].DimValue);
    }

    [Fact]
    public void NamesAreCheckedWhereTheMistakeIsMade()
    {
        var g = new OnnxGraphBuilder();
        g.AddInput("x", [1]);
        Assert.Throws<ArgumentException>(() => g.AddInput("x", [1]));
        var unknown = Assert.Throws<ArgumentException>(() => g.AddNode("Relu", ["nope"], "y"));
        Assert.Contains("'nope'", unknown.Message);
        Assert.Throws<ArgumentException>(() => g.AddInitializer("w", [1f, 2f], 3));
        Assert.Throws<ArgumentException>(() => g.AddOutput("missing", [1]));
        Assert.Equal("x_1", g.FreshName("x"));
        Assert.Throws<InvalidOperationException>(() => new OnnxGraphBuilder().Build());
    }

    [Fact]
    public void SaveAndLoadRoundTripAndATruncatedFileIsReported()
    {
        using var temp = new TempFolder("emotion-onnx-export-");
        string dir = temp.Path;
        string path = Path.Combine(dir, "sub", "tiny.onnx");
        TinyGemm().Save(path);
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!)); // no temp file left behind
        var loaded = OnnxModelFile.Load(path);
        Assert.Equal(TinyGemm().Build(), loaded);
        Assert.Equal([1f, 2f, 3f, -1f, 0f, 1f], OnnxTensors.ReadFloats(loaded.Graph.Initializer[0]));

        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var error = Assert.Throws<InvalidDataException>(() => OnnxModelFile.Load(path));
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void AttributesRecordTheirType()
    {
        Assert.Equal(AttributeProto.Types.AttributeType.Int, OnnxAttribute.Int("a", 0).Type);
        Assert.True(OnnxAttribute.Int("a", 0).HasI); // zero is written explicitly
        Assert.Equal(AttributeProto.Types.AttributeType.Floats, OnnxAttribute.Floats("f", 1f, 2f).Type);
        Assert.Equal("bidirectional", OnnxAttribute.String("direction", "bidirectional").S.ToStringUtf8());
    }
}
