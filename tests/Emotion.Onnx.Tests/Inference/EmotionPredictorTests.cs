using Emotion.Core;
using Emotion.Onnx.Models;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Emotion.Testing;
using Emotion.Core.Faces;

namespace Emotion.Onnx.Tests.Inference;

public sealed class EmotionPredictorTests : IDisposable
{
    private static readonly EmotionPredictorOptions OneThread = new() { IntraOpThreads = 1 };
    private readonly TempFolder dir = new("emotion-onnx-");

    public void Dispose() => dir.Dispose();

    [Fact]
    public void ReadsTheMetadataAndMatchesHandComputedOutputs()
    {
        string path = dir.File("linear.onnx");
        TinyModels.SaveLinear(path);
        using var predictor = new EmotionPredictor(path, OneThread);
        Assert.Equal(TinyModels.Info().ToJson(), predictor.ModelInfo!.ToJson());
        Assert.Equal(EmotionCategories.Basic.ToArray(), predictor.ModelInfo!.Categories.ToArray());
        Assert.True(predictor.PredictsCategories);
        Assert.True(predictor.PredictsValenceArousal);
        Assert.False(predictor.IsStateful);
        Assert.Equal(Normalization.ImageNet, predictor.Descriptor.Normalization);

        using var image = TinyModels.RandomImage(1);
        var p = predictor.Predict(image);
        var m = TinyModels.ChannelMeans(image, Normalization.ImageNet);
        var expected = TinyModels.Softmax(TinyModels.Logits(m));
        Assert.Equal(7, p.Probabilities.Length);
        for (int k = 0; k < 7; k++) Assert.Equal(expected[k], p.Probabilities[k], 1e-5);
        Assert.Equal((EmotionCategory)Array.IndexOf(expected, expected.Max()), p.Category);
        var (valence, arousal) = TinyModels.Va(m);
        Assert.Equal(valence, p.Valence!.Value, 1e-5);
        Assert.Equal(arousal, p.Arousal!.Value, 1e-5);
        Assert.Equal(1, p.FrameNumber);
    }

    [Fact]
    public void ProbabilitiesFollowTheCategoryEnumWhateverTheModelsLabelOrder()
    {
        // The model's logit k is the category order listed in its metadata (reversed here).
        var order = EmotionCategories.Basic.Reverse().ToArray();
        string path = dir.File("reversed.onnx");
        TinyModels.SaveLinear(path, TinyModels.Info(EmotionTask.Categorical, order));
        using var predictor = new EmotionPredictor(path, OneThread);
        Assert.False(predictor.PredictsValenceArousal);
        using var image = TinyModels.RandomImage(2);
        var p = predictor.Predict(image);
        var expected = TinyModels.Softmax(TinyModels.Logits(TinyModels.ChannelMeans(image, Normalization.ImageNet)));
        for (int k = 0; k < 7; k++) Assert.Equal(expected[k], p.Probabilities[(int)order[k]], 1e-5);
        Assert.Null(p.Valence);
    }

    [Fact]
    public void ValenceArousalOnlyModelHasNoProbabilities()
    {
        string path = dir.File("va.onnx");
        TinyModels.SaveLinear(path, TinyModels.Info(EmotionTask.ValenceArousal));
        using var predictor = new EmotionPredictor(path, OneThread);
        using var image = TinyModels.RandomImage(3);
        var p = predictor.Predict(image);
        Assert.True(p.Probabilities.IsEmpty);
        Assert.Null(p.Category);
        Assert.Equal(TinyModels.Va(TinyModels.ChannelMeans(image, Normalization.ImageNet)).Valence, p.Valence!.Value, 1e-5);
    }

    [Fact]
    public void BatchedImagesEqualOneByOneAndHandComputedValues()
    {
        string path = dir.File("linear.onnx");
        TinyModels.SaveLinear(path);
        using var predictor = new EmotionPredictor(path, OneThread with { MaxFramesPerRun = 3 });
        var images = Enumerable.Range(10, 10).Select(s => TinyModels.RandomImage(s)).ToArray();
        try
        {
            var batched = predictor.PredictImages(images);
            Assert.Equal(10, batched.Count);
            for (int i = 0; i < images.Length; i++)
            {
                Assert.Equal(i + 1, batched[i].FrameNumber);
                var single = predictor.Predict(images[i]);
                var expected = TinyModels.Softmax(TinyModels.Logits(TinyModels.ChannelMeans(images[i], Normalization.ImageNet)));
                for (int k = 0; k < 7; k++)
                {
                    Assert.Equal(expected[k], batched[i].Probabilities[k], 1e-5);
                    Assert.Equal(single.Probabilities[k], batched[i].Probabilities[k], 1e-6);
                }
            }
        }
        finally
        {
            foreach (var image in images) image.Dispose();
        }
    }

    [Fact]
    public void ParallelPredictionsOnOneSessionEqualSequentialOnes()
    {
        string path = dir.File("linear.onnx");
        TinyModels.SaveLinear(path);
        using var predictor = new EmotionPredictor(path, OneThread with { MaxFramesPerRun = 4 });
        var images = Enumerable.Range(100, 24).Select(s => TinyModels.RandomImage(s)).ToArray();
        try
        {
            var sequential = images.Select(i => predictor.Predict(i)).ToArray();
            var batches = new IReadOnlyList<FramePrediction>[8];
            var singles = new FramePrediction[64];
            // 72 concurrent calls on one session: 64 single-image predictions and 8 batched runs over all images.
            Parallel.For(0, 72, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
            {
                if (i < 64) singles[i] = predictor.Predict(images[i % images.Length]);
                else batches[i - 64] = predictor.PredictImages(images);
            });
            for (int i = 0; i < singles.Length; i++)
            {
                var expected = sequential[i % images.Length];
                Assert.Equal(expected.Probabilities.ToArray(), singles[i].Probabilities.ToArray());
                Assert.Equal(expected.Valence, singles[i].Valence);
                Assert.Equal(expected.Arousal, singles[i].Arousal);
            }
            foreach (var batch in batches)
                for (int i = 0; i < images.Length; i++)
                    for (int k = 0; k < 7; k++) Assert.Equal(sequential[i].Probabilities[k], batch[i].Probabilities[k], 1e-6);
        }
        finally
        {
            foreach (var image in images) image.Dispose();
        }
    }

    [Fact]
    public void PredictsAFrameFolderAndImageFilesWithFileFrameNumbers()
    {
        string path = dir.File("linear.onnx");
        TinyModels.SaveLinear(path);
        string frames = Path.Combine(dir.Path, "video");
        Directory.CreateDirectory(frames);
        int[] numbers = [3, 4, 7, 12, 13];
        foreach (int n in numbers)
        {
            using var image = TinyModels.RandomImage(n);
            image.SaveAsPng(Path.Combine(frames, $"{n:D5}.png"));
        }
        using var predictor = new EmotionPredictor(path, OneThread with { MaxFramesPerRun = 2 });
        var predictions = predictor.PredictFolder(frames);
        Assert.Equal(numbers, predictions.Select(p => p.FrameNumber));
        var files = predictor.PredictImageFiles(numbers.Select(n => Path.Combine(frames, $"{n:D5}.png")));
        Assert.Equal([1, 2, 3, 4, 5], files.Select(p => p.FrameNumber));
        for (int i = 0; i < numbers.Length; i++)
        {
            using var image = TinyModels.RandomImage(numbers[i]);
            var expected = TinyModels.Softmax(TinyModels.Logits(TinyModels.ChannelMeans(image, Normalization.ImageNet)));
            for (int k = 0; k < 7; k++)
            {
                Assert.Equal(expected[k], predictions[i].Probabilities[k], 1e-5);
                Assert.Equal(expected[k], files[i].Probabilities[k], 1e-5);
            }
        }
    }

    [Fact]
    public void PreprocessedBatchesRunAsIndependentSequences()
    {
        string path = dir.File("cumulative.onnx");
        TinyModels.SaveCumulative(path);
        using var predictor = new EmotionPredictor(path, OneThread);
        int length = predictor.FrameLength;
        // Two sequences of three frames; frame (b, t) is constant c = b + 0.5 t, so its mean is c.
        var data = new float[2 * 3 * length];
        for (int b = 0; b < 2; b++)
            for (int t = 0; t < 3; t++)
                data.AsSpan((b * 3 + t) * length, length).Fill(b + 0.5f * t);
        var predictions = predictor.PredictPreprocessed(data, 2, 3);
        Assert.Equal(6, predictions.Count);
        for (int b = 0; b < 2; b++)
        {
            double sum = 0;
            for (int t = 0; t < 3; t++)
            {
                sum += b + 0.5 * t;
                var p = predictions[b * 3 + t];
                Assert.Equal(t + 1, p.FrameNumber);
                Assert.Equal(Math.Tanh(sum * TinyModels.V[0] + TinyModels.VaBias[0]), p.Valence!.Value, 1e-5);
            }
        }
        Assert.Throws<ArgumentException>(() => predictor.PredictPreprocessed(data.AsMemory(1), 2, 3));
    }

    [Fact]
    public void FaceBoxCropsTheFaceOutOfAWholeFrame()
    {
        string path = dir.File("linear.onnx");
        TinyModels.SaveLinear(path);
        using var predictor = new EmotionPredictor(path, OneThread);
        using var face = TinyModels.RandomImage(21);
        // A 12x8 frame with the 4x4 face pasted at (5, 3) on a grey background.
        using var frame = new Image<Rgb24>(12, 8, new Rgb24(128, 128, 128));
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 4; x++) frame[5 + x, 3 + y] = face[x, y];
        var box = new FaceBox(5, 3, 4, 4);
        var expected = TinyModels.Softmax(TinyModels.Logits(TinyModels.ChannelMeans(face, Normalization.ImageNet)));
        var p = predictor.Predict(frame, box);
        for (int k = 0; k < 7; k++) Assert.Equal(expected[k], p.Probabilities[k], 1e-5);
        using var stream = predictor.OpenStream(1);
        var streamed = stream.Push(frame, faceBox: box);
        for (int k = 0; k < 7; k++) Assert.Equal(p.Probabilities[k], streamed[0].Probabilities[k]);
        var e = Assert.Throws<ArgumentException>(() => predictor.Predict(frame));
        Assert.Contains("The image is 12x8 pixels", e.Message);
    }

    [Fact]
    public void PredictFacesRunsTheFacesOfOneFrameTogetherAndEqualsPredictPerFace()
    {
        string path = dir.File("linear.onnx");
        TinyModels.SaveLinear(path);
        // A 16x8 frame with three different 4x4 faces pasted on a grey background.
        using var frame = new Image<Rgb24>(16, 8, new Rgb24(128, 128, 128));
        var boxes = new[] { new FaceBox(1, 1, 4, 4), new FaceBox(6, 3, 4, 4), new FaceBox(11, 2, 4, 4) };
        var faces = new[] { TinyModels.RandomImage(31), TinyModels.RandomImage(32), TinyModels.RandomImage(33) };
        try
        {
            for (int f = 0; f < faces.Length; f++)
                for (int y = 0; y < 4; y++)
                    for (int x = 0; x < 4; x++) frame[(int)boxes[f].X + x, (int)boxes[f].Y + y] = faces[f][x, y];
            foreach (var options in new[] { OneThread, OneThread with { MaxFramesPerRun = 2 } })
            {
                using var predictor = new EmotionPredictor(path, options);
                var together = predictor.PredictFaces(frame, boxes);
                Assert.Equal([1, 2, 3], together.Select(p => p.FrameNumber));
                for (int f = 0; f < faces.Length; f++)
                {
                    var expected = TinyModels.Softmax(TinyModels.Logits(TinyModels.ChannelMeans(faces[f], Normalization.ImageNet)));
                    var single = predictor.Predict(frame, boxes[f]);
                    for (int k = 0; k < 7; k++)
                    {
                        Assert.Equal(expected[k], together[f].Probabilities[k], 1e-5);
                        Assert.Equal(single.Probabilities[k], together[f].Probabilities[k], 1e-5);
                    }
                }
                // The interface's default (one Predict per face) gives the same numbers.
                var perFace = ((IEmotionPredictor)new PerFace(predictor)).PredictFaces(frame, boxes);
                for (int f = 0; f < faces.Length; f++)
                    for (int k = 0; k < 7; k++) Assert.Equal(perFace[f].Probabilities[k], together[f].Probabilities[k], 1e-5);
                Assert.Empty(predictor.PredictFaces(frame, []));
                var outside = Assert.Throws<ArgumentException>(() => predictor.PredictFaces(frame, [boxes[0], new FaceBox(40, 40, 4, 4)]));
                Assert.Contains("Face box", outside.Message);
            }
        }
        finally
        {
            foreach (var face in faces) face.Dispose();
        }
    }

    [Fact]
    public void ResizesFramesOfTheModelsShapeByDefaultAndOthersOnlyWhenAsked()
    {
        string path = dir.File("linear.onnx");
        TinyModels.SaveLinear(path); // a 4x4 model
        using var automatic = new EmotionPredictor(path, OneThread);
        using var always = new EmotionPredictor(path, OneThread with { ResizeFrames = true });
        using var never = new EmotionPredictor(path, OneThread with { ResizeFrames = false });
        Assert.Null(automatic.Options.ResizeFrames);
        var colour = new Rgb24(200, 30, 90);
        using var exact = new Image<Rgb24>(4, 4, colour);
        using var larger = new Image<Rgb24>(8, 8, colour);
        using var wide = new Image<Rgb24>(9, 6, colour);
        // A uniform image keeps its colour under any resize, so every accepted size must give the 4x4 image's prediction.
        var expected = never.Predict(exact);

        Assert.Equal(FrameResize.None, automatic.CheckFrameSize(4, 4));
        Assert.Equal(FrameResize.Scale, automatic.CheckFrameSize(8, 8));
        Assert.Equal(FrameResize.Scale, automatic.CheckFrameSize(404, 400)); // 1 % off the model's aspect ratio
        var tooWide = Assert.Throws<ArgumentException>(() => automatic.CheckFrameSize(405, 400));
        Assert.Contains("ResizeFrames = true", tooWide.Message);
        AssertSame(expected, automatic.Predict(larger));
        var stretched = Assert.Throws<ArgumentException>(() => automatic.Predict(wide));
        Assert.Contains("The image is 9x6 pixels; the model expects 4x4", stretched.Message);
        Assert.Contains("aspect ratio 1.5 against 1", stretched.Message);

        Assert.Equal(FrameResize.Stretch, always.CheckFrameSize(9, 6));
        Assert.Equal(FrameResize.Scale, always.CheckFrameSize(8, 8));
        AssertSame(expected, always.Predict(wide));
        AssertSame(expected, always.Predict(larger));

        Assert.Equal(FrameResize.None, never.CheckFrameSize(4, 4));
        var refused = Assert.Throws<ArgumentException>(() => never.Predict(larger));
        Assert.Contains("ResizeFrames is false", refused.Message);
        Assert.Throws<ArgumentException>(() => never.CheckFrameSize(8, 8));

        static void AssertSame(FramePrediction expected, FramePrediction actual)
        {
            for (int k = 0; k < 7; k++) Assert.Equal(expected.Probabilities[k], actual.Probabilities[k], 1e-5);
        }
    }

    /// <summary>Forwards to a predictor but keeps <see cref="IEmotionPredictor.PredictFaces"/>'s default (one call per face).</summary>
    private sealed class PerFace(EmotionPredictor inner) : IEmotionPredictor
    {
        public EmotionModelInfo? ModelInfo => inner.ModelInfo;
        public System.Collections.Immutable.ImmutableArray<EmotionCategory> Categories => inner.Categories;
        public bool PredictsCategories => inner.PredictsCategories;
        public bool PredictsValenceArousal => inner.PredictsValenceArousal;
        public int FrameWidth => inner.FrameWidth;
        public int FrameHeight => inner.FrameHeight;
        public FrameResize CheckFrameSize(int width, int height) => inner.CheckFrameSize(width, height);
        public FramePrediction Predict(Image<Rgb24> image, FaceBox? faceBox = null) => inner.Predict(image, faceBox);
        public IReadOnlyList<FramePrediction> PredictImages(IReadOnlyList<Image<Rgb24>> images) => inner.PredictImages(images);
        public IReadOnlyList<FramePrediction> PredictImageFiles(IEnumerable<string> paths) => inner.PredictImageFiles(paths);
        public IReadOnlyList<FramePrediction> PredictSequence(IEnumerable<Image<Rgb24>> frames) => inner.PredictSequence(frames);
        public IReadOnlyList<FramePrediction> PredictFolder(string folder) => inner.PredictFolder(folder);
        public IEnumerable<FramePrediction> PredictStream(IEnumerable<Image<Rgb24>> frames) => inner.PredictStream(frames);
        public IAsyncEnumerable<FramePrediction> PredictStreamAsync(IAsyncEnumerable<Image<Rgb24>> frames, CancellationToken cancellationToken = default) =>
            inner.PredictStreamAsync(frames, cancellationToken);
    }
}
