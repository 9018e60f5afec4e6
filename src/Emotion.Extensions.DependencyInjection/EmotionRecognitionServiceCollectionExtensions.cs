using Emotion.Extensions.DependencyInjection;
using Emotion.FaceDetection;
using Emotion.Onnx;
using Emotion.Onnx.Video;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

// Extension methods live in the container's namespace, as the Microsoft.Extensions packages do, so that they are found
// without an extra using directive.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Emotion.Core's ONNX Runtime predictor, face detector and video predictor with a service collection.</summary>
public static class EmotionRecognitionServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="EmotionPredictor"/> as a singleton (one ONNX Runtime session shared by every consumer, which
    /// is thread-safe) configured through <see cref="IOptions{EmotionRecognitionOptions}"/>:
    /// <c>services.AddEmotionRecognition(o =&gt; o.UseOnnxModel("model.onnx"))</c>. The options are validated, and the
    /// model opened, when the predictor is first resolved; the container disposes it.
    /// </summary>
    /// <remarks>
    /// Also registered, as singletons on the same options: <see cref="IFaceDetector"/> (BlazeFace or UltraFace, <see cref="FaceDetectors.Open"/>) on
    /// <see cref="EmotionRecognitionOptions.FaceDetectorPath"/> (<c>o.UseFaceDetector("blazeface.onnx")</c>; resolving it
    /// without one configured is an error), and <see cref="VideoEmotionPredictor"/> on the predictor, finding faces with
    /// that detector when one is configured and taking whole frames as face crops otherwise. The container disposes the
    /// predictor and the detector.
    /// </remarks>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the model path and other options (may be null when they are configured elsewhere, for example bound from configuration).</param>
    /// <returns>The service collection, for chaining.</returns>
    public static IServiceCollection AddEmotionRecognition(this IServiceCollection services, Action<EmotionRecognitionOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddOptions<EmotionRecognitionOptions>();
        if (configure is not null) builder.Configure(configure);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EmotionRecognitionOptions>, EmotionRecognitionOptionsValidator>());
        services.TryAddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<EmotionRecognitionOptions>>().Value;
            return new EmotionPredictor(options.ModelPath!, options.ToPredictorOptions());
        });
        services.TryAddSingleton<IFaceDetector>(provider =>
        {
            var options = provider.GetRequiredService<IOptions<EmotionRecognitionOptions>>().Value;
            if (options.FaceDetectorPath is null)
                throw new InvalidOperationException(
                    "No face detector is configured: call AddEmotionRecognition(o => o.UseOnnxModel(\"model.onnx\").UseFaceDetector(\"blazeface.onnx\")).");
            return options.FaceDetectorOptions is { } blazeFace
                ? new BlazeFaceDetector(options.FaceDetectorPath, blazeFace)
                : FaceDetectors.Open(options.FaceDetectorPath);
        });
        services.TryAddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<EmotionRecognitionOptions>>().Value;
            var detector = options.FaceDetectorPath is null ? null : provider.GetRequiredService<IFaceDetector>();
            return new VideoEmotionPredictor(provider.GetRequiredService<EmotionPredictor>(), options.ToVideoOptions(detector));
        });
        return services;
    }
}
