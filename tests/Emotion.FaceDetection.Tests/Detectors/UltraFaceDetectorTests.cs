using Emotion.FaceDetection.Tests.Support;
using Emotion.Onnx;
using Emotion.Testing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.FaceDetection.Tests.Detectors;

/// <summary>
/// UltraFace on fr_detect.onnx from faceplugin-face-recognition-js: input 'input' [1,3,240,320], outputs 'scores'
/// [1,4420,2] and 'boxes' [1,4420,4] (the RFB-320 layout; its graph holds the RFB block's dilated convolutions and the
/// prior-box decoding).
/// </summary>
public sealed class UltraFaceDetectorTests(DetectorFixture detectors) : IClassFixture<DetectorFixture>
{
    [Fact]
    public void ReadsTheRfb320Layout()
    {
        Assert.Equal(new Size(320, 240), detectors.UltraFace.InputSize);
    }

    [Theory]
    [InlineData("astronaut.png")]
    [InlineData("grace_hopper.jpg")]
    public void FindsTheOneFaceWhereBlazeFaceDoes(string asset)
    {
        using var image = Image.Load<Rgb24>(TestAssets.Path(asset));
        var face = Assert.Single(detectors.UltraFace.Detect(image));
        Assert.True(face.Score > 0.9f, $"score {face.Score}");
        Assert.Empty(face.Keypoints);
        ExpectedFaces.AssertOnFace(asset.StartsWith("astro", StringComparison.Ordinal) ? ExpectedFaces.Astronaut : ExpectedFaces.GraceHopper, face.Box);
        // Two independent models agree on where the face is (UltraFace boxes are taller: forehead to chin).
        var blaze = Assert.Single(detectors.BlazeFace.Detect(image));
        Assert.True(BoxOverlap.IntersectionOverUnion(face.Box, blaze.Box) > 0.6f);
    }

    [Fact]
    public void LetterboxingKeepsTheFaceInPlace()
    {
        using var image = Image.Load<Rgb24>(TestAssets.Path("grace_hopper.jpg"));
        var stretched = Assert.Single(detectors.UltraFace.Detect(image)).Box;
        using var letterboxed = new UltraFaceDetector(TestAssets.Path("fr_detect.onnx"), new UltraFaceOptions { KeepAspectRatio = true, IntraOpThreads = 1 });
        var box = Assert.Single(letterboxed.Detect(image)).Box;
        Assert.True(BoxOverlap.IntersectionOverUnion(stretched, box) > 0.8f, $"{stretched} vs {box}");
    }

    [Fact]
    public void NoFaceInAGreyImage()
    {
        using var grey = new Image<Rgb24>(320, 240, new Rgb24(128, 128, 128));
        Assert.Empty(detectors.UltraFace.Detect(grey));
    }

    [Fact]
    public void BlazeFaceModelIsNotUltraFace()
    {
        var ex = Assert.Throws<InvalidOnnxModelException>(() => new UltraFaceDetector(TestAssets.Path("blazeface_front_128.onnx")));
        Assert.Contains("UltraFace layout", ex.Message);
        Assert.Contains("'scores'", ex.Message);
    }
}
