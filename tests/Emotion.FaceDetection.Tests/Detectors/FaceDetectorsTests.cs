using Emotion.Onnx;
using Emotion.Testing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.FaceDetection.Tests.Detectors;

public sealed class FaceDetectorsTests
{
    [Theory]
    [InlineData("blazeface_front_128.onnx", typeof(BlazeFaceDetector))]
    [InlineData("fr_detect.onnx", typeof(UltraFaceDetector))]
    public void OpenRecognisesTheModelKindAndTheDetectorFindsTheAstronaut(string model, Type expected)
    {
        using var detector = FaceDetectors.Open(TestAssets.Path(model));
        Assert.IsType(expected, detector);
        using var image = Image.Load<Rgb24>(TestAssets.Path("astronaut.png"));
        var face = Assert.Single(detector.Detect(image));
        Assert.InRange(face.Box.X + face.Box.Width / 2, 175, 275); // her face spans about x 175-275, y 75-185
        Assert.InRange(face.Box.Y + face.Box.Height / 2, 75, 185);
    }

    [Fact]
    public void OpenRejectsAFileThatIsNotOnnxAndAMissingFileNamingThem()
    {
        using var temp = new TempFolder("emotion-face-detectors-");
        string path = temp.Write("not-a-model.onnx", "not a model");
        var e = Assert.Throws<InvalidOnnxModelException>(() => FaceDetectors.Open(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("missing.onnx", Assert.Throws<FileNotFoundException>(() => FaceDetectors.Open("missing.onnx")).Message);
    }
}
