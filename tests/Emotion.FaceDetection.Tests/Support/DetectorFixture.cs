using Emotion.Testing;

namespace Emotion.FaceDetection.Tests.Support;

/// <summary>One BlazeFace and one UltraFace session shared by the tests of a class (single-threaded, as in CI).</summary>
public sealed class DetectorFixture : IDisposable
{
    private readonly Lazy<BlazeFaceDetector> blaze = new(() =>
        new BlazeFaceDetector(TestAssets.Path("blazeface_front_128.onnx"), new BlazeFaceOptions { IntraOpThreads = 1 }));

    private readonly Lazy<UltraFaceDetector> ultra = new(() =>
        new UltraFaceDetector(TestAssets.Path("fr_detect.onnx"), new UltraFaceOptions { IntraOpThreads = 1 }));

    public BlazeFaceDetector BlazeFace => blaze.Value;

    public UltraFaceDetector UltraFace => ultra.Value;

    public void Dispose()
    {
        if (blaze.IsValueCreated) blaze.Value.Dispose();
        if (ultra.IsValueCreated) ultra.Value.Dispose();
    }
}
