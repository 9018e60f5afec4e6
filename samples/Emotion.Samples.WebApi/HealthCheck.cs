using System.Text.Json;
using Emotion.Extensions.DependencyInjection;
using Emotion.FaceDetection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Emotion.Core.Faces;

namespace Emotion.Samples.WebApi;

/// <summary>
/// <c>GET /health</c>: runs the face detector and the emotion model on a small grey image (a real run of both ONNX
/// sessions, about a millisecond) and reports the model it serves.
/// </summary>
public sealed class HealthCheck(FacePredictionService service, IFaceDetector detector, IOptions<EmotionRecognitionOptions> options) : IHealthCheck
{
    /// <summary>BlazeFace's file in the asset cache (assets/assets.tsv).</summary>
    public const string BlazeFaceFile = "blazeface_front_128.onnx";

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var predictor = service.Predictor;
        var data = new Dictionary<string, object>
        {
            ["model"] = Path.GetFileName(options.Value.ModelPath) ?? "",
            ["inputSize"] = $"{predictor.FrameWidth}x{predictor.FrameHeight}",
            ["categories"] = predictor.Categories.Select(c => c.ToString()).ToArray(),
            ["valenceArousal"] = service.ValenceArousal,
            ["gradCam"] = false,
        };
        try
        {
            using var probe = new Image<Rgb24>(predictor.FrameWidth, predictor.FrameHeight, new Rgb24(128, 128, 128));
            detector.Detect(probe);
            var prediction = predictor.Predict(probe, new FaceBox(0, 0, probe.Width, probe.Height));
            float sum = prediction.Probabilities.IsDefaultOrEmpty ? 1f : prediction.Probabilities.Sum();
            return Task.FromResult(MathF.Abs(sum - 1f) < 1e-3f
                ? HealthCheckResult.Healthy("models loaded and running", data)
                : HealthCheckResult.Unhealthy($"the model's probabilities sum to {sum}, not 1", data: data));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"a probe prediction failed: {e.Message}", e, data));
        }
    }

    /// <summary>Writes the report as JSON: status, description and the model's data.</summary>
    public static Task WriteJsonAsync(HttpContext context, HealthReport report)
    {
        var entry = report.Entries.Values.FirstOrDefault();
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            description = entry.Description,
            model = entry.Data,
        }, JsonSerializerOptions.Web));
    }
}
