// An emotion recognition web service: POST /predict (an image in; faces, categories and valence/arousal out as JSON),
// GET /health, and a drop-a-photo page at /. It runs an ONNX model on ONNX Runtime (no TorchSharp, no libtorch) and finds
// faces with BlazeFace. Configuration (appsettings.json, command-line --Key=value, or environment variables Key__Sub):
//   EmotionRecognition:ModelPath         the .onnx emotion model (required; make one with
//                                        'emotion export --model mini-xception-fer2013 --out mini-xception-fer2013.onnx')
//   EmotionRecognition:FaceDetectorPath  BlazeFace .onnx (default: blazeface_front_128.onnx in the asset cache)
//   EmotionRecognition:Predictor:..., EmotionRecognition:BlazeFace:...  the predictor's and the detector's options
//   EmotionRecognition:Video:Margin      the fraction of a face box added on every side before cropping (default 0.2)
//   WebApi:MaxRequestBytes, WebApi:MaxPixels, WebApi:ConcurrentPredictions, WebApi:QueueLength
// See docs/deployment.md ("The web service sample").
using System.Threading.RateLimiting;
using Emotion.Core.IO;
using Emotion.Extensions.DependencyInjection;
using Emotion.Samples.WebApi;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

var builder = WebApplication.CreateBuilder(args);

// Read lazily through IOptions (not here), so that settings added by a host or a test factory apply too.
builder.Services.AddOptions<WebApiOptions>().Bind(builder.Configuration.GetSection(WebApiOptions.Section));

// The model, BlazeFace and their settings from the EmotionRecognition section (ModelPath, FaceDetectorPath, Predictor:...,
// BlazeFace:..., Video:...), checked when the host starts; BlazeFace from the asset cache unless configured.
builder.Services.AddEmotionRecognition().BindConfiguration(EmotionRecognitionOptions.DefaultSection);
builder.Services.PostConfigure<EmotionRecognitionOptions>(o =>
{
    if (string.IsNullOrEmpty(o.FaceDetectorPath)) o.FaceDetectorPath = Path.Combine(AssetCache.DefaultDirectory, HealthCheck.BlazeFaceFile);
});
builder.Services.AddSingleton<FacePredictionService>();
builder.Services.AddHealthChecks().AddCheck<HealthCheck>("models");

// Kestrel's own limit sits a little above ours so that the endpoint, which knows the setting's name, answers first.
builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<WebApiOptions>>((kestrel, limits) =>
    kestrel.Limits.MaxRequestBodySize = limits.Value.MaxRequestBytes + 64 * 1024);
// At most ConcurrentPredictions requests read, decode and predict at once; the others wait (before their body is read).
builder.Services.AddRateLimiter(_ => { });
builder.Services.AddOptions<RateLimiterOptions>().Configure<IOptions<WebApiOptions>>((o, options) =>
{
    var limits = options.Value;
    o.RejectionStatusCode = StatusCodes.Status503ServiceUnavailable;
    o.AddConcurrencyLimiter(PredictPolicy, c =>
    {
        c.PermitLimit = limits.ConcurrentPredictions;
        c.QueueLimit = limits.QueueLength;
        c.QueueProcessingOrder = QueueProcessingOrder.OldestFirst;
    });
    o.OnRejected = (context, token) => new ValueTask(context.HttpContext.Response.WriteAsJsonAsync(
        new ErrorResponse($"The server is busy: {limits.ConcurrentPredictions} predictions are running and {limits.QueueLength} waiting (WebApi:QueueLength); try again."),
        token));
});

var app = builder.Build();

// Open the models now, so that a wrong path fails at start with the setting's name, not at the first request.
try
{
    app.Services.GetRequiredService<FacePredictionService>();
}
catch (OptionsValidationException e)
{
    throw new InvalidOperationException(
        $"The emotion recognition settings are invalid: {string.Join(" ", e.Failures)} Set EmotionRecognition:ModelPath to an .onnx model " +
        "(appsettings.json, --EmotionRecognition:ModelPath=PATH or the environment variable EmotionRecognition__ModelPath); make one with " +
        "'emotion export --model mini-xception-fer2013 --out mini-xception-fer2013.onnx'.", e);
}

app.UseDefaultFiles();
app.UseStaticFiles();
app.UseRateLimiter();

app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = HealthCheck.WriteJsonAsync });

app.MapPost("/predict", async (HttpContext context, FacePredictionService service, IOptions<WebApiOptions> limits, CancellationToken cancellationToken) =>
    {
        try
        {
            var bytes = await ImageRequestReader.ReadAsync(context.Request, limits.Value.MaxRequestBytes, cancellationToken);
            return Results.Ok(service.Predict(bytes));
        }
        catch (BadImageRequestException e)
        {
            // A refused request may leave body bytes unread: close the connection after answering rather than drain them.
            if (e.StatusCode == StatusCodes.Status413PayloadTooLarge) context.Response.Headers.Connection = "close";
            return Results.Json(new ErrorResponse(e.Message), statusCode: e.StatusCode);
        }
    })
    .RequireRateLimiting(PredictPolicy)
    .DisableAntiforgery();

app.Run();

/// <summary>The entry point, visible to WebApplicationFactory in the integration tests.</summary>
public partial class Program
{
    /// <summary>The concurrency limiter of <c>POST /predict</c>.</summary>
    private const string PredictPolicy = "predict";
}
