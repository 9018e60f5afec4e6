using Emotion.Core;
using Emotion.FaceDetection.Tests.Support;
using Emotion.Onnx;
using Emotion.Onnx.Models;
using Emotion.Preprocessing.Transforms;
using Emotion.Testing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Emotion.Core.Faces;

namespace Emotion.FaceDetection.Tests.Detectors;

/// <summary>
/// End to end with a third-party emotion model: BlazeFace finds the face, FaceBox.ClampTo grows it by a margin and cuts
/// it to the image, and fr_expression.onnx (faceplugin-face-recognition-js: DenseNet-121, input 'input' [1,3,224,224]
/// RGB in [0, 1], output 'output' 7 logits in FER-2013 order) classifies the crop through EmotionPredictor.
/// </summary>
public sealed class DetectCropPredictTests(DetectorFixture detectors) : IClassFixture<DetectorFixture>
{
    [Theory]
    [InlineData("astronaut.png")]
    [InlineData("grace_hopper.jpg")]
    public void SmilingFacesArePredictedHappy(string asset)
    {
        using var image = Image.Load<Rgb24>(TestAssets.Path(asset));
        var face = Assert.Single(detectors.BlazeFace.Detect(image));
        var crop = face.Box.ClampTo(image.Width, image.Height, margin: 0.2f);
        Assert.True(crop.Width > face.Box.Width && crop.Height > face.Box.Height);

        var descriptor = OnnxModelDescriptor.Fer2013Classifier("input", "output", size: 224);
        using var predictor = new EmotionPredictor(TestAssets.Path("fr_expression.onnx"),
            new EmotionPredictorOptions { Descriptor = descriptor, IntraOpThreads = 1 });
        var prediction = predictor.Predict(image, new FaceBox(crop.X, crop.Y, crop.Width, crop.Height));

        Assert.Equal(EmotionCategory.Happiness, prediction.Category);
        // Measured: 0.998 (astronaut) and 0.956 (Grace Hopper) with a 0.2 margin.
        Assert.True(prediction.Probabilities[(int)EmotionCategory.Happiness] > 0.8f,
            $"P(happiness) = {prediction.Probabilities[(int)EmotionCategory.Happiness]:F3}");
        Assert.Equal(1f, prediction.Probabilities.Sum(), 4);
    }

    [Fact]
    public void WithoutTheFaceCropTheSmileIsMissed()
    {
        // The same model on the uncropped 512x512 astronaut (resized to 224x224): the face covers a few percent of the
        // input and the model, trained on face crops, calls it fear (measured: P(fear) 0.87, P(happiness) 0.11 against
        // 0.998 for the crop). Silently wrong preprocessing, not a wrong model.
        var descriptor = OnnxModelDescriptor.Fer2013Classifier("input", "output", size: 224);
        using var predictor = new EmotionPredictor(TestAssets.Path("fr_expression.onnx"),
            new EmotionPredictorOptions { Descriptor = descriptor, IntraOpThreads = 1, ResizeFrames = true });
        using var image = Image.Load<Rgb24>(TestAssets.Path("astronaut.png"));
        var face = Assert.Single(detectors.BlazeFace.Detect(image));
        var crop = face.Box.ClampTo(image.Width, image.Height, margin: 0.2f);
        float cropped = predictor.Predict(image, new FaceBox(crop.X, crop.Y, crop.Width, crop.Height)).Probabilities[(int)EmotionCategory.Happiness];
        float whole = predictor.Predict(image).Probabilities[(int)EmotionCategory.Happiness];
        Assert.True(cropped > 0.8f && whole < 0.5f, $"P(happiness): whole image {whole:F3}, face crop {cropped:F3}");
    }
}
