using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Emotion.Core;
using Emotion.Onnx;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Emotion.Core.Faces;
using static Emotion.Extensions.DependencyInjection.Tests.TestServices;

namespace Emotion.Extensions.DependencyInjection.Tests;

/// <summary>An application written against <see cref="IEmotionPredictor"/> runs on a fake registered after <c>AddEmotionRecognition</c>.</summary>
public sealed class FakePredictorTests
{
    /// <summary>An application service: the share of frames whose top category is happiness.</summary>
    public sealed class HappinessMeter(IEmotionPredictor predictor)
    {
        public double Share(IEnumerable<Image<Rgb24>> frames)
        {
            var predictions = predictor.PredictSequence(frames);
            return predictions.Count(p => p.Category == EmotionCategory.Happiness) / (double)predictions.Count;
        }
    }

    /// <summary>Says happiness for bright frames (red channel of the first pixel above 127) and sadness otherwise.</summary>
    private sealed class ScriptedPredictor : IEmotionPredictor
    {
        public int Calls { get; private set; }

        public EmotionModelInfo? ModelInfo => null;

        public ImmutableArray<EmotionCategory> Categories => [.. EmotionCategories.Basic];

        public bool PredictsCategories => true;

        public bool PredictsValenceArousal => false;

        public int FrameWidth => 4;

        public int FrameHeight => 4;

        public FrameResize CheckFrameSize(int width, int height) => width == 4 && height == 4 ? FrameResize.None : FrameResize.Stretch;

        public FramePrediction Predict(Image<Rgb24> image, FaceBox? faceBox = null) => Say(image, 1);

        public IReadOnlyList<FramePrediction> PredictImages(IReadOnlyList<Image<Rgb24>> images) => [.. images.Select((image, i) => Say(image, i + 1))];

        public IReadOnlyList<FramePrediction> PredictImageFiles(IEnumerable<string> paths) => throw new NotSupportedException();

        public IReadOnlyList<FramePrediction> PredictSequence(IEnumerable<Image<Rgb24>> frames) => [.. frames.Select((image, i) => Say(image, i + 1))];

        public IReadOnlyList<FramePrediction> PredictFolder(string folder) => throw new NotSupportedException();

        public IEnumerable<FramePrediction> PredictStream(IEnumerable<Image<Rgb24>> frames) => PredictSequence(frames);

        public async IAsyncEnumerable<FramePrediction> PredictStreamAsync(IAsyncEnumerable<Image<Rgb24>> frames, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            int i = 0;
            await foreach (var frame in frames.WithCancellation(cancellationToken)) yield return Say(frame, ++i);
        }

        private FramePrediction Say(Image<Rgb24> image, int number)
        {
            Calls++;
            var probabilities = new float[7];
            probabilities[(int)(image[0, 0].R > 127 ? EmotionCategory.Happiness : EmotionCategory.Sadness)] = 1f;
            return new FramePrediction(number, [.. probabilities], null, null);
        }
    }

    [Fact]
    public async Task AFakeRegisteredAfterAddEmotionRecognitionReplacesTheModelAndTheModelIsNeverOpened()
    {
        var logs = new CollectingLoggerProvider();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["EmotionRecognition:ModelPath"] = ModelPath });
        builder.Logging.AddProvider(logs);
        builder.Services.AddEmotionRecognition().BindConfiguration(); // the application's registration
        builder.Services.AddSingleton<HappinessMeter>();
        var fake = new ScriptedPredictor();
        builder.Services.AddSingleton<IEmotionPredictor>(fake);   // the test's replacement
        using var host = builder.Build();
        await host.StartAsync();

        var frames = new[] { new Rgb24(255, 0, 0), new Rgb24(10, 0, 0), new Rgb24(200, 0, 0), new Rgb24(250, 9, 9) }
            .Select(c => new Image<Rgb24>(4, 4, c)).ToList();
        try
        {
            Assert.Equal(0.75, host.Services.GetRequiredService<HappinessMeter>().Share(frames));
        }
        finally
        {
            foreach (var frame in frames) frame.Dispose();
        }
        Assert.Equal(4, fake.Calls);
        Assert.Same(fake, host.Services.GetRequiredService<IEmotionPredictor>());
        Assert.DoesNotContain(logs.Entries, l => l.Message.StartsWith("Opened emotion model", StringComparison.Ordinal));
        await host.StopAsync();
    }
}
