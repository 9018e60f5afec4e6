using Emotion.Onnx;
using Emotion.Testing;

namespace Emotion.FaceDetection.Tests.Detectors;

/// <summary>
/// The emotion predictor and the face detectors open their models through one session factory
/// (<see cref="OnnxSessionFactory"/>), so the same failure gives the same exception whichever opened the file.
/// </summary>
public sealed class SessionErrorTests : IDisposable
{
    private readonly TempFolder folder = new("emotion-session-errors-");

    public void Dispose() => folder.Dispose();

    [Fact]
    public void PredictorAndDetectorsRejectANonOnnxFileWithTheSameException()
    {
        string path = folder.Write("not-a-model.onnx", "this is not a model");
        var fromPredictor = Assert.Throws<InvalidOnnxModelException>(() => new EmotionPredictor(path));
        var fromBlazeFace = Assert.Throws<InvalidOnnxModelException>(() => new BlazeFaceDetector(path));
        var fromUltraFace = Assert.Throws<InvalidOnnxModelException>(() => new UltraFaceDetector(path));
        var fromFactory = Assert.Throws<InvalidOnnxModelException>(() => FaceDetectors.Open(path));
        foreach (var e in new[] { fromPredictor, fromBlazeFace, fromUltraFace, fromFactory })
        {
            Assert.Equal(path, e.ModelPath);
            Assert.Contains($"'{path}' is not a valid", e.Message);
            Assert.IsType<Microsoft.ML.OnnxRuntime.OnnxRuntimeException>(e.InnerException);
        }
        Assert.Contains("BlazeFace model", fromBlazeFace.Message);
        Assert.Contains("UltraFace model", fromUltraFace.Message);
    }

    [Fact]
    public void PredictorAndDetectorsNameAMissingFile()
    {
        string path = folder.File("missing.onnx");
        var messages = new[]
        {
            Assert.Throws<FileNotFoundException>(() => new EmotionPredictor(path)),
            Assert.Throws<FileNotFoundException>(() => new BlazeFaceDetector(path)),
            Assert.Throws<FileNotFoundException>(() => new UltraFaceDetector(path)),
        };
        Assert.All(messages, e => Assert.Equal(path, e.FileName));
        Assert.Contains("BlazeFace model file", messages[1].Message);
    }

    [Fact]
    public void CudaOnTheCpuPackageSaysWhichPackageToAddForDetectorsToo()
    {
        // The tests reference the CPU native package (Microsoft.ML.OnnxRuntime), which has no CUDA provider.
        string blazeFace = TestAssets.Path("blazeface_front_128.onnx");
        var e = Assert.Throws<ExecutionProviderUnavailableException>(() => new BlazeFaceDetector(blazeFace, new BlazeFaceOptions { CudaDeviceId = 0 }));
        Assert.Equal(OnnxExecutionProvider.Cuda, e.Provider);
        Assert.Contains("device 0", e.Message);
        Assert.Contains("Microsoft.ML.OnnxRuntime.Gpu", e.Message);
    }

    [Fact]
    public void FactoryAppliesTheSettingsAndTheCallersLastWord()
    {
        string blazeFace = TestAssets.Path("blazeface_front_128.onnx");
        int configured = 0;
        using (var session = OnnxSessionFactory.Open(blazeFace, new OnnxSessionSettings { IntraOpThreads = 1, ConfigureSession = _ => configured++ }, "BlazeFace"))
            Assert.Single(session.InputMetadata);
        Assert.Equal(1, configured);

        // A failure inside the caller's configuration is the caller's, passed on unchanged.
        var own = new InvalidOperationException("from the caller");
        Assert.Same(own, Assert.Throws<InvalidOperationException>(() =>
            OnnxSessionFactory.Open(blazeFace, new OnnxSessionSettings { ConfigureSession = _ => throw own })));

        var bad = Assert.Throws<ArgumentException>(() => OnnxSessionFactory.Open(blazeFace, new OnnxSessionSettings { InterOpThreads = -1 }));
        Assert.Equal("InterOpThreads", bad.ParamName);
    }
}
