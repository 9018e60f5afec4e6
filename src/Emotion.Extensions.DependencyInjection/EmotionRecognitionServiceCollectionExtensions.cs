using Emotion.Extensions.DependencyInjection;
using Emotion.Onnx;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

// Extension methods live in the container's namespace, as the Microsoft.Extensions packages do, so that they are found
// without an extra using directive.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Emotion.Core's ONNX Runtime predictor with a service collection.</summary>
public static class EmotionRecognitionServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="EmotionPredictor"/> as a singleton (one ONNX Runtime session shared by every consumer, which
    /// is thread-safe) configured through <see cref="IOptions{EmotionRecognitionOptions}"/>:
    /// <c>services.AddEmotionRecognition(o =&gt; o.UseOnnxModel("model.onnx"))</c>. The options are validated, and the
    /// model opened, when the predictor is first resolved; the container disposes it.
    /// </summary>
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
        return services;
    }
}
