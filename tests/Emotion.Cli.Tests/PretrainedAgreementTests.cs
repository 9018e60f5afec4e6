using Emotion.Core;
using Emotion.FaceDetection;
using Emotion.FaceDetection.Tests.Support;
using Emotion.Onnx;
using Emotion.Onnx.Export;
using Emotion.Onnx.Models;
using Emotion.Testing;
using Emotion.Torch.Pretrained;
using Emotion.Video;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit.Abstractions;
using Emotion.Core.Faces;

namespace Emotion.Cli.Tests;

/// <summary>
/// The evidence behind the default real-face model (docs/models/README.md): on the real faces the asset cache holds, how often
/// each imported expression network agrees (top-1) with a third, independent network, faceplugin's DenseNet-121
/// (<c>fr_expression.onnx</c>, FER-2013 labels). Faces: the three photos (BlazeFace, 20 % margin), OpenCV's Megamind.avi
/// (every 10th frame, each detected face) and the 100 LFW faces of skimage's subset (25 x 25 grey crops, upscaled). The
/// default must agree with the DenseNet at least as often as every other catalogue network with a classifier.
/// </summary>
public sealed class PretrainedAgreementTests(ITestOutputHelper output)
{
    [Fact]
    [Trait("Category", "Slow")]
    public void TheDefaultRealFaceModelAgreesWithAnIndependentNetworkAtLeastAsOftenAsTheOthers()
    {
        var faces = Faces();
        var descriptor = OnnxModelDescriptor.Fer2013Classifier("input", "output", size: 224);
        using var reference = new EmotionPredictor(TestAssets.Path("fr_expression.onnx"),
            new EmotionPredictorOptions { Descriptor = descriptor, ResizeFrames = true });
        var expected = faces.Select(f => reference.Predict(f.Image, f.Box).Category!.Value).ToArray();

        var agreement = new Dictionary<string, double>();
        using var temp = new TempFolder("emotion-agreement-");
        foreach (string name in PretrainedModels.Names.Where(n => PretrainedModels.Get(n).HasClassifier))
        {
            string onnx = temp.File($"agreement-{name}.onnx");
            try
            {
                using (var model = PretrainedModels.CreateModel(name)) OnnxExporter.Export(model, onnx);
                using var predictor = new EmotionPredictor(onnx, new EmotionPredictorOptions { ResizeFrames = true });
                var predicted = faces.Select(f => predictor.Predict(f.Image, f.Box).Category!.Value).ToArray();
                foreach (var set in faces.Select(f => f.Set).Distinct())
                {
                    var index = Enumerable.Range(0, faces.Count).Where(i => faces[i].Set == set).ToArray();
                    int same = index.Count(i => predicted[i] == expected[i]);
                    output.WriteLine($"{name} vs DenseNet on {set}: {same}/{index.Length} = {(double)same / index.Length:F3}; " +
                                     $"{name} says {Histogram(index.Select(i => predicted[i]))}; DenseNet says {Histogram(index.Select(i => expected[i]))}");
                }
                agreement[name] = (double)Enumerable.Range(0, faces.Count).Count(i => predicted[i] == expected[i]) / faces.Count;
                output.WriteLine($"{name}: overall agreement {agreement[name]:F3} over {faces.Count} faces");
            }
            finally
            {
                File.Delete(onnx);
            }
        }
        foreach (var face in faces) face.Image.Dispose();
        Assert.All(agreement, a => Assert.True(agreement[PretrainedModels.DefaultRealFace] >= a.Value,
            $"{a.Key} agrees with the DenseNet more often ({a.Value:F3}) than the default {PretrainedModels.DefaultRealFace} ({agreement[PretrainedModels.DefaultRealFace]:F3})"));
    }

    private sealed record Face(string Set, Image<Rgb24> Image, FaceBox? Box);

    private static List<Face> Faces()
    {
        var faces = new List<Face>();
        using var detector = new BlazeFaceDetector(TestAssets.Path("blazeface_front_128.onnx"));
        foreach (string photo in new[] { "astronaut.png", "grace_hopper.jpg", "camera.png" })
        {
            var image = Image.Load<Rgb24>(TestAssets.Path(photo));
            foreach (var face in detector.Detect(image)) faces.Add(new Face("photos", image, face.Box.Expand(0.2f)));
        }
        foreach (var frame in VideoReader.Read(TestAssets.Path("Megamind.avi"), new VideoReaderOptions { Sampling = FrameSampling.EveryNth(10) }))
        {
            var found = detector.Detect(frame.Image);
            if (found.Count == 0) continue;
            var copy = frame.Image.Clone();
            foreach (var face in found) faces.Add(new Face("megamind", copy, face.Box.Expand(0.2f)));
        }
        var lfw = NpyArray.Load(TestAssets.Path("lfw_subset.npy"));
        for (int i = 0; i < 100; i++)
        {
            var image = new Image<Rgb24>(25, 25);
            for (int y = 0; y < 25; y++)
                for (int x = 0; x < 25; x++)
                {
                    byte v = (byte)Math.Clamp(Math.Round(lfw.Values[i * 625 + y * 25 + x] * 255), 0, 255);
                    image[x, y] = new Rgb24(v, v, v);
                }
            faces.Add(new Face("lfw", image, null));
        }
        return faces;
    }

    private static string Histogram(IEnumerable<EmotionCategory> categories) =>
        string.Join(" ", categories.GroupBy(c => c).OrderByDescending(g => g.Count()).Select(g => $"{g.Key.ToName()} {g.Count()}"));
}
