using System.Buffers.Binary;
using System.Text;
using Emotion.Torch.Tests.Models;
using Emotion.Torch.Weights;
using TorchSharp.PyBridge;
using static TorchSharp.torch;
using Emotion.Testing;

namespace Emotion.Torch.Tests.Weights;

/// <summary>Regression tests from fuzzing (tests/fuzz, target weights): malformed safetensors headers.</summary>
public sealed class StateDictFileFuzzTests : IDisposable
{
    private readonly TempFolder temp = new("emotion-torch-");
    private string dir => temp.Path;

    public void Dispose() => temp.Dispose();

    private string Safetensors(string header, int dataBytes, ulong? declaredLength = null)
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredLength ?? (ulong)json.Length);
        json.CopyTo(bytes, 8);
        string path = Path.Combine(dir, "w.safetensors");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Theory]
    // The minimized fuzz input: data_offsets misspelt, which TorchSharp.PyBridge dereferenced (NullReferenceException).
    [InlineData("""{"fc.weight":{"dtype":"F32","shape":[2,3],"data_oJfsets":[0,24]}}""", "fc.weight")]
    [InlineData("""{"fc.weight":{"dtype":"F32","shape":[2,3],"data_offsets":[0,48]}}""", "within the 24 data bytes")]
    [InlineData("""{"fc.weight":{"dtype":"F32","shape":[-2,3],"data_offsets":[0,24]}}""", "non-negative")]
    [InlineData("""{"fc.weight":5}""", "fc.weight")]
    [InlineData("""[1,2]""", "not a JSON object")]
    [InlineData("""{"fc.weight":""", "not valid JSON")]
    public void AMalformedHeaderIsInvalidDataThatSaysWhatIsWrong(string header, string expected)
    {
        string path = Safetensors(header, dataBytes: 24);

        var e = Assert.Throws<InvalidDataException>(() => StateDictFile.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
        Assert.IsNotType<NullReferenceException>(e.InnerException);
    }

    [Fact]
    public void AHeaderLengthBeyondTheFileIsInvalidDataWithoutAllocatingIt()
    {
        string path = Safetensors("""{}""", dataBytes: 0, declaredLength: 0x4000_0041);

        var e = Assert.Throws<InvalidDataException>(() => StateDictFile.Read(path));
        Assert.Contains("truncated or not safetensors", e.Message);
    }

    [Fact]
    public void AValidFileStillReads()
    {
        using var w = arange(6, float32).reshape(2, 3);
        string path = Path.Combine(dir, "ok.safetensors");
        TorchSharp.PyBridge.Safetensors.SaveStateDict(path, new Dictionary<string, Tensor> { ["fc.weight"] = w });

        var read = StateDictFile.Read(path);
        Assert.Equal([0f, 1, 2, 3, 4, 5], read["fc.weight"].data<float>().ToArray());
        foreach (var t in read.Values) t.Dispose();
    }

    [Fact]
    public void ATorchsharpEntryLargerThanTheFileIsInvalidDataBeforeAllocating()
    {
        // The minimized fuzz input (11 bytes): 65 entries, an empty key, then a tensor header whose shape asks for
        // gigabytes; TorchSharp allocated it (4 GB resident, 30 s) before finding the file too short.
        string path = Path.Combine(dir, "w.dat");
        File.WriteAllBytes(path, [0x41, 0x00, 0xaf, 0xaf, 0xaf, 0xaf, 0x00, 0x00, 0x00, 0xa0, 0x44]);

        var e = Assert.Throws<InvalidDataException>(() => StateDictFile.Read(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void ATorchsharpFileStillReads()
    {
        using var w = arange(6, float32).reshape(2, 3);
        using var b = zeros(2, int64);
        string path = Path.Combine(dir, "ok.dat");
        StateDictFile.Write(path, new Dictionary<string, Tensor> { ["fc.weight"] = w, ["fc.bias"] = b });

        var read = StateDictFile.Read(path);
        Assert.Equal([0f, 1, 2, 3, 4, 5], read["fc.weight"].data<float>().ToArray());
        Assert.Equal([2L], read["fc.bias"].shape);
        foreach (var t in read.Values) t.Dispose();
    }

    [Theory]
    // Found by fuzzing: an unknown scalar type reached libtorch ("Unsupported TypeMeta in ATen ... please report this
    // error"), and a shape with a zero dimension but huge others overflowed libtorch's stride calculation.
    [InlineData(new byte[] { 0x01, 0x00, 0x23, 0x00 }, "unknown scalar type 35")]
    [InlineData(new byte[] { 0x01, 0x00, 0x06, 0x03, 0x00, 0xff, 0xff, 0xff, 0xff, 0x0f, 0xff, 0xff, 0xff, 0xff, 0x0f }, "too large for any tensor")]
    public void ATorchsharpEntryWithAnImpossibleTypeOrShapeIsInvalidData(byte[] bytes, string expected)
    {
        string path = Path.Combine(dir, "w.dat");
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<InvalidDataException>(() => StateDictFile.Read(path));
        Assert.Contains(expected, e.Message);
        Assert.Contains(path, e.Message);
    }
}
