using Emotion.FaceDetection.Tracking;
using Emotion.Preprocessing.Annotations;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Emotion.Core.Faces;

namespace Emotion.Onnx.Video.Tests;

/// <summary>Faces from a box table (video, frame, box), and the option checks.</summary>
[Collection(ModelCollection.Name)]
public sealed class FaceBoxTablePredictionTests(ExportedModelFixture fixture)
{
    private const int Width = 96, Height = 80, Frames = 7;
    private static readonly Rgb24 Tint = new(220, 150, 110);

    // The clip's box of frame t (1-based); frame 3 has none. Another video's boxes share the table.
    private static FaceBox? BoxOf(int frame) => frame == 3 ? null : new FaceBox(20 + 3 * frame, 10 + frame, 36 + 2 * frame, 44 + frame);

    private static FaceBoxTable Table()
    {
        var entries = new Dictionary<(string Video, int Frame), FaceBox>();
        for (int frame = 1; frame <= Frames; frame++)
        {
            if (BoxOf(frame) is { } box) entries[("clip", frame)] = box;
            entries[("other", frame)] = new FaceBox(0, 0, 10, 10);
        }
        return new FaceBoxTable(entries);
    }

    [Theory]
    [InlineData(null)] // the default margin with boxes: none, boxes are taken as they are
    [InlineData(0.3f)]
    public void EachFrameIsCroppedToItsBoxAndFramesWithoutABoxAreSkippedAndRestartTheState(float? margin)
    {
        var images = Enumerable.Range(1, Frames)
            .Select(f => TestFrames.Scene(Width, Height, f, 40, 90, (BoxOf(f) ?? new FaceBox(30, 20, 30, 30), Tint))).ToList();
        try
        {
            using var predictor = fixture.OpenPredictor(chunk: 2);
            var video = new VideoEmotionPredictor(predictor, new VideoPredictionOptions { FaceBoxes = Table(), Margin = margin });
            var rows = video.Predict(images.Select((image, i) => new PredictionFrame(i + 1, i / 10.0, image)), "clip").ToList();

            int[] kept = [1, 2, 4, 5, 6, 7];
            var crops = kept.Select(f => TestFrames.Crop(images[f - 1], BoxOf(f)!.Value, margin ?? 0f)).ToList();
            using var reference = fixture.OpenReference();
            // The gap rule: frame 3 has no box, so frames 1-2 and 4-7 are two sequences, each from a zero state.
            var expected = reference.PredictSequence(crops[..2]).Concat(reference.PredictSequence(crops[2..])).ToList();
            foreach (var crop in crops) crop.Dispose();
            PredictionAssert.Equal(expected, kept, "clip", rows);
            Assert.Equal(kept.Select(f => (f - 1) / 10.0), rows.Select(r => r.TimeSeconds!.Value));
        }
        finally
        {
            foreach (var image in images) image.Dispose();
        }
    }

    [Fact]
    public void SequenceNumbersDecideTheGapsSoThatSampledFramesStayOneSequence()
    {
        // Every third frame of a video (numbers 1, 4, 7, ...): with sequence numbers 1, 2, 3, ... (as PredictVideo sets them
        // for a sampled video) the frames are one sequence; by their frame numbers alone every frame would follow a gap.
        var images = Enumerable.Range(0, 5).Select(t => TestFrames.Scene(Width, Height, 40 + t, 40, 200)).ToList();
        try
        {
            using var predictor = fixture.OpenPredictor(chunk: 2);
            var video = new VideoEmotionPredictor(predictor);
            using var reference = fixture.OpenReference();
            int[] numbers = [1, 4, 7, 10, 13];

            var sampled = video.Predict(images.Select((image, t) => new PredictionFrame(numbers[t], null, image) { SequenceNumber = t + 1 }), "clip").ToList();
            PredictionAssert.Equal(reference.PredictSequence(images), numbers, "clip", sampled);

            var unsampled = video.Predict(images.Select((image, t) => new PredictionFrame(numbers[t], null, image)), "clip").ToList();
            PredictionAssert.Equal([.. images.Select(image => reference.Predict(image))], numbers, "clip", unsampled);
        }
        finally
        {
            foreach (var image in images) image.Dispose();
        }
    }

    [Fact]
    public void ATableWithoutTheVideoFailsNamingTheVideoBeforeAnyFrameIsRead()
    {
        using var predictor = fixture.OpenPredictor();
        var video = new VideoEmotionPredictor(predictor, new VideoPredictionOptions { FaceBoxes = Table() });
        var frames = new CountingFrames(3, _ => new Image<Rgb24>(Width, Height));
        var e = Assert.Throws<ArgumentException>(() => video.Predict(frames, "missing_video"));
        Assert.Contains("'missing_video'", e.Message);
        Assert.Contains("'clip'", e.Message); // and says which videos it has
        Assert.Equal(0, frames.Pulled);
    }

    public static TheoryData<string> InvalidOptionNames => ["boxes and detector", "all faces with boxes", "all faces alone", "negative margin", "margin above 2", "NaN margin", "bad tracking"];

    private static VideoPredictionOptions Invalid(string name, ScriptedFaceDetector detector) => name switch
    {
        "boxes and detector" => new() { FaceBoxes = Table(), Detector = detector },
        "all faces with boxes" => new() { FaceBoxes = Table(), AllFaces = true },
        "all faces alone" => new() { AllFaces = true },
        "negative margin" => new() { Detector = detector, Margin = -0.1f },
        "margin above 2" => new() { FaceBoxes = Table(), Margin = 2.5f },
        "NaN margin" => new() { Margin = float.NaN },
        "bad tracking" => new() { Detector = detector, Tracking = new FaceTrackerOptions { MinIou = 0f } },
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(InvalidOptionNames))]
    public void InvalidOptionCombinationsThrow(string name)
    {
        using var predictor = fixture.OpenPredictor();
        using var detector = new ScriptedFaceDetector(_ => []);
        var options = Invalid(name, detector);
        var e = Assert.ThrowsAny<ArgumentException>(() => new VideoEmotionPredictor(predictor, options));
        string expected = name switch
        {
            "boxes and detector" => "not both",
            "all faces with boxes" or "all faces alone" => "AllFaces",
            "bad tracking" => "MinIou",
            _ => "Margin",
        };
        Assert.Contains(expected, e.Message);
        Assert.ThrowsAny<ArgumentException>(() => new FaceRegionFinder(options, "clip"));
    }

    [Fact]
    public void ValidOptionsPassAndTheDefaultMarginsAreAsDocumented()
    {
        using var predictor = fixture.OpenPredictor();
        using var detector = new ScriptedFaceDetector(_ => []);
        Assert.Equal(0f, new VideoEmotionPredictor(predictor).Options.EffectiveMargin);
        Assert.Equal(0f, new VideoPredictionOptions { FaceBoxes = Table() }.Validate().EffectiveMargin);
        Assert.Equal(0.2f, new VideoPredictionOptions { Detector = detector, AllFaces = true }.Validate().EffectiveMargin);
        Assert.Equal(2f, new VideoPredictionOptions { Detector = detector, Margin = 2f }.Validate().EffectiveMargin);
        Assert.Throws<ArgumentNullException>(() => new VideoEmotionPredictor(null!));
    }
}
