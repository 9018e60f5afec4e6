using Emotion.Testing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.FaceDetection.Tests.Detectors;

public sealed class FaceDetectorsTests
{
    [Theory]
    [InlineData("blazeface_front_128.onnx", typeof(BlazeFaceDetector))]
    [InlineData("fr_detect.onnx", typeof(UltraFaceDetector))]
    public void Open_recognises_the_model_kind_and_the_detector_finds_the_astronaut(string model, Type expected)
    {
        using var detector = FaceDetectors.Open(TestAssets.Path(model));
        Assert.IsType(expected, detector);
        using var image = Image.Load<Rgb24>(TestAssets.Path("astronaut.png"));
        var face = Assert.Single(detector.Detect(image));
        Assert.InRange(face.Box.X + face.Box.Width / 2, 175, 275); // her face spans about x 175-275, y 75-185
        Assert.InRange(face.Box.Y + face.Box.Height / 2, 75, 185);
    }

    [Fact]
    public void Open_rejects_a_file_that_is_not_onnx_and_a_missing_file_naming_them()
    {
        string path = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".onnx");
        File.WriteAllText(path, "not a model");
        try
        {
            var e = Assert.Throws<InvalidDataException>(() => FaceDetectors.Open(path));
            Assert.Contains(path, e.Message);
        }
        finally
        {
            File.Delete(path);
        }
        Assert.Contains("missing.onnx", Assert.Throws<FileNotFoundException>(() => FaceDetectors.Open("missing.onnx")).Message);
    }
}
