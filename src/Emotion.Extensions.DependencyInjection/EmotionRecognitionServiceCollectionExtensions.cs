using Emotion.Extensions.DependencyInjection;
using Emotion.FaceDetection;
using Emotion.Onnx;
using Emotion.Onnx.Video;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

// Extension methods live in the container's namespace, as the Microsoft.Extensions packages do, so that they are found
// without an extra using directive.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Emotion.Core's ONNX Runtime predictor, face detector and video predictor with a service collection.</summary>
public static class EmotionRecognitionServiceCollectionExtensions
{
    /// <summary>
    /// Registers the default emotion model: <see cref="IEmotionPredictor"/> and <see cref="EmotionPredictor"/> (one
    /// singleton: one ONNX Runtime session shared by every consumer, which is thread-safe), <see cref="IFaceDetector"/>,
    /// and <see cref="IVideoEmotionPredictor"/> / <see cref="VideoEmotionPredictor"/>, configured through
    /// <see cref="EmotionRecognitionOptions"/>:
    /// <c>services.AddEmotionRecognition().BindConfiguration("EmotionRecognition")</c> or
    /// <c>services.AddEmotionRecognition(o =&gt; o.UseOnnxModel("model.onnx"))</c>.
    /// </summary>
    /// <remarks>
    /// <para>The options are validated when the host starts (<c>ValidateOnStart</c>; without a host, when a service is first
    /// resolved) by <see cref="EmotionRecognitionOptionsValidator"/>, whose messages name each failing setting. The model
    /// is opened when the predictor is first resolved; the container disposes the predictor and the detector.</para>
    /// <para><see cref="IFaceDetector"/> (BlazeFace or UltraFace, <see cref="FaceDetectors.Open"/>) is opened on
    /// <see cref="EmotionRecognitionOptions.FaceDetectorPath"/>; resolving it without one configured is an error. The video
    /// predictor finds faces with it when one is configured and takes whole frames as face crops otherwise.</para>
    /// <para>Services registered before this call are kept (<c>TryAdd</c>); register a fake <see cref="IEmotionPredictor"/>
    /// after it to replace the model in tests. When the container has an <see cref="ILoggerFactory"/> (every host has),
    /// the predictors log to it: the model opened, and per video a summary and a warning when the file ends early.</para>
    /// </remarks>
    /// <param name="services">The service collection.</param>
    /// <returns>The model's builder (<see cref="EmotionRecognitionBuilder.BindConfiguration"/>, <see cref="EmotionRecognitionBuilder.Configure"/>, <see cref="EmotionRecognitionBuilder.AddModel"/>, ...).</returns>
    public static EmotionRecognitionBuilder AddEmotionRecognition(this IServiceCollection services) =>
        services.AddEmotionRecognition(Options.Options.DefaultName, null);

    /// <summary>Registers the default emotion model (as <see cref="AddEmotionRecognition(IServiceCollection)"/>) configured in code: <c>services.AddEmotionRecognition(o =&gt; o.UseOnnxModel("model.onnx"))</c>.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the model path and other options.</param>
    /// <returns>The model's builder.</returns>
    public static EmotionRecognitionBuilder AddEmotionRecognition(this IServiceCollection services, Action<EmotionRecognitionOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return services.AddEmotionRecognition(Options.Options.DefaultName, configure);
    }

    /// <summary>Registers the default emotion model (as <see cref="AddEmotionRecognition(IServiceCollection)"/>) with its options bound to <paramref name="configuration"/>, e.g. <c>builder.Configuration.GetSection("EmotionRecognition")</c>.</summary>
    public static EmotionRecognitionBuilder AddEmotionRecognition(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return services.AddEmotionRecognition().Bind(configuration);
    }

    /// <summary>
    /// Registers an emotion model named <paramref name="name"/>: the services of
    /// <see cref="AddEmotionRecognition(IServiceCollection)"/> as keyed services with
    /// the key <paramref name="name"/> (<c>[FromKeyedServices("fast")] IEmotionPredictor fast</c>), configured by the named
    /// options <paramref name="name"/>. Several models, each with its own file and settings, live side by side. An empty
    /// name is the default model (services without a key).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The model's name: the services' key and the options' name.</param>
    /// <param name="configure">Sets the model's options (may be null).</param>
    /// <returns>The model's builder.</returns>
    public static EmotionRecognitionBuilder AddEmotionRecognition(this IServiceCollection services, string name, Action<EmotionRecognitionOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(name);
        var sections = SectionsOf(services);
        var builder = new EmotionRecognitionBuilder(services, name, sections);
        if (configure is not null) builder.Configure(configure);
        builder.Options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EmotionRecognitionOptions>, EmotionRecognitionOptionsValidator>(
            _ => new EmotionRecognitionOptionsValidator(sections)));
        if (name.Length == 0) AddDefault(services);
        else AddKeyed(services, name);
        return builder;
    }

    private static void AddDefault(IServiceCollection services)
    {
        const string name = "";
        services.TryAddSingleton(provider => OpenPredictor(provider, name));
        services.TryAddSingleton<IEmotionPredictor>(provider => provider.GetRequiredService<EmotionPredictor>());
        services.TryAddSingleton(provider => OpenDetector(provider, name));
        services.TryAddSingleton(provider => CreateVideoPredictor(provider, name,
            provider.GetRequiredService<EmotionPredictor>(), () => provider.GetRequiredService<IFaceDetector>()));
        services.TryAddSingleton<IVideoEmotionPredictor>(provider => provider.GetRequiredService<VideoEmotionPredictor>());
    }

    private static void AddKeyed(IServiceCollection services, string name)
    {
        services.TryAddKeyedSingleton(name, (provider, _) => OpenPredictor(provider, name));
        services.TryAddKeyedSingleton<IEmotionPredictor>(name, (provider, key) => provider.GetRequiredKeyedService<EmotionPredictor>(key));
        services.TryAddKeyedSingleton(name, (provider, _) => OpenDetector(provider, name));
        services.TryAddKeyedSingleton(name, (provider, key) => CreateVideoPredictor(provider, name,
            provider.GetRequiredKeyedService<EmotionPredictor>(key), () => provider.GetRequiredKeyedService<IFaceDetector>(key)));
        services.TryAddKeyedSingleton<IVideoEmotionPredictor>(name, (provider, key) => provider.GetRequiredKeyedService<VideoEmotionPredictor>(key));
    }

    private static EmotionRecognitionOptions OptionsOf(IServiceProvider provider, string name) =>
        provider.GetRequiredService<IOptionsMonitor<EmotionRecognitionOptions>>().Get(name); // validates

    private static EmotionPredictor OpenPredictor(IServiceProvider provider, string name)
    {
        var options = OptionsOf(provider, name);
        return new EmotionPredictor(options.ModelPath!, options.ToPredictorOptions(), provider.GetService<ILoggerFactory>()?.CreateLogger<EmotionPredictor>());
    }

    private static IFaceDetector OpenDetector(IServiceProvider provider, string name)
    {
        var options = OptionsOf(provider, name);
        if (options.FaceDetectorPath is null)
            throw new InvalidOperationException(
                $"No face detector is configured{(name.Length == 0 ? "" : $" for model '{name}'")}: set FaceDetectorPath " +
                "(AddEmotionRecognition(o => o.UseOnnxModel(\"model.onnx\").UseFaceDetector(\"blazeface.onnx\")), or the configuration key EmotionRecognition:FaceDetectorPath).");
        return options.BlazeFace is { } blazeFace
            ? new BlazeFaceDetector(options.FaceDetectorPath, blazeFace)
            : FaceDetectors.Open(options.FaceDetectorPath);
    }

    private static VideoEmotionPredictor CreateVideoPredictor(IServiceProvider provider, string name, EmotionPredictor predictor, Func<IFaceDetector> detector)
    {
        var options = OptionsOf(provider, name);
        return new VideoEmotionPredictor(predictor, options.ToVideoOptions(options.FaceDetectorPath is null ? null : detector()),
            provider.GetService<ILoggerFactory>()?.CreateLogger<VideoEmotionPredictor>());
    }

    /// <summary>The collection's one <see cref="EmotionRecognitionSections"/>, added on first use.</summary>
    private static EmotionRecognitionSections SectionsOf(IServiceCollection services)
    {
        foreach (var descriptor in services)
            if (descriptor.ServiceType == typeof(EmotionRecognitionSections) && descriptor.ImplementationInstance is EmotionRecognitionSections existing)
                return existing;
        var sections = new EmotionRecognitionSections();
        services.AddSingleton(sections);
        return sections;
    }
}
