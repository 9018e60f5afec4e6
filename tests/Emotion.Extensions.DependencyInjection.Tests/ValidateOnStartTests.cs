using Emotion.Onnx;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using static Emotion.Extensions.DependencyInjection.Tests.TestServices;

namespace Emotion.Extensions.DependencyInjection.Tests;

/// <summary>
/// <c>ValidateOnStart</c>: a generic host with bad emotion recognition settings fails in <c>StartAsync</c>, before any
/// request or resolve, with every failing setting named by its configuration key.
/// </summary>
public sealed class ValidateOnStartTests
{
    private static IHost Build(Dictionary<string, string?> settings, CollectingLoggerProvider? logs = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        if (logs is not null) builder.Logging.AddProvider(logs);
        builder.Services.AddEmotionRecognition().BindConfiguration();
        return builder.Build();
    }

    [Fact]
    public async Task BadSettingsStopTheHostAtStartNamingEachSetting()
    {
        string missing = Path.Combine(Path.GetTempPath(), $"no-such-model-{Guid.NewGuid():N}.onnx");
        using var host = Build(new()
        {
            ["EmotionRecognition:ModelPath"] = missing,
            ["EmotionRecognition:Predictor:MaxFramesPerRun"] = "0",
            ["EmotionRecognition:Predictor:Smoothing:Window"] = "0",
            ["EmotionRecognition:Video:Margin"] = "-0.5",
        });
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Equal(
        [
            $"EmotionRecognition:ModelPath: the ONNX model file '{missing}' does not exist.",
            "EmotionRecognition:Predictor:MaxFramesPerRun: MaxFramesPerRun is 0; expected at least 1.",
            "EmotionRecognition:Video:Margin: Margin must be between 0 and 2; got -0.5.",
        ], e.Failures);
    }

    [Fact]
    public async Task NestedRecordsAreNamedDownToTheirProperty()
    {
        using var host = Build(new()
        {
            ["EmotionRecognition:ModelPath"] = ModelPath,
            ["EmotionRecognition:Predictor:Smoothing:Window"] = "0",
            ["EmotionRecognition:Video:Tracking:MinIou"] = "0",
            ["EmotionRecognition:BlazeFace:ScoreThreshold"] = "2",
        });
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Equal(4, e.Failures.Count());
        Assert.Contains("EmotionRecognition:Predictor:Smoothing:Window: The smoothing window is 0; expected at least 1 frame.", e.Failures);
        Assert.Contains(e.Failures, f => f.StartsWith("EmotionRecognition:Video:Tracking:MinIou: Expected a minimum IoU in (0, 1].", StringComparison.Ordinal));
        Assert.Contains(e.Failures, f => f.StartsWith("EmotionRecognition:BlazeFace:ScoreThreshold: Expected a face score threshold in [0, 1].", StringComparison.Ordinal));
        Assert.Contains(e.Failures, f => f.StartsWith("EmotionRecognition:BlazeFace: BlazeFace settings are given but no FaceDetectorPath", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AMissingModelPathStopsTheHostAndSaysHowToSetIt()
    {
        using var host = Build(new() { ["EmotionRecognition:Predictor:IntraOpThreads"] = "1" });
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Equal("EmotionRecognition:ModelPath: no ONNX model file is configured (in code: AddEmotionRecognition(o => o.UseOnnxModel(\"model.onnx\"))).",
            Assert.Single(e.Failures));
    }

    [Fact]
    public async Task GoodSettingsStartTheHostAndTheModelOpensOnFirstUse()
    {
        var logs = new CollectingLoggerProvider();
        using var host = Build(new() { ["EmotionRecognition:ModelPath"] = ModelPath, ["EmotionRecognition:Predictor:IntraOpThreads"] = "1" }, logs);
        await host.StartAsync();
        Assert.DoesNotContain(logs.Entries, l => l.Message.StartsWith("Opened emotion model", StringComparison.Ordinal));
        var predictor = host.Services.GetRequiredService<IEmotionPredictor>();
        Assert.Equal(4, predictor.FrameWidth);
        Assert.Single(logs.Entries, l => l.Message.StartsWith("Opened emotion model", StringComparison.Ordinal));
        await host.StopAsync();
    }
}
