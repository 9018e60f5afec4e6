using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Emotion.Extensions.DependencyInjection;

/// <summary>
/// Configures one emotion model registered by <c>services.AddEmotionRecognition(...)</c>, in the style of the
/// Microsoft.Extensions builders (<c>AddHttpClient</c>, <c>AddOptions</c>):
/// <code>
/// services.AddEmotionRecognition()
///     .BindConfiguration("EmotionRecognition")            // appsettings.json, environment, command line
///     .Configure(o => o.UseThreads(2))                    // then code
///     .AddModel("fast").BindConfiguration("Models:Fast"); // a second model, resolved by key "fast"
/// </code>
/// Configuration steps apply in the order they are added, as <see cref="OptionsBuilder{TOptions}"/>'s do.
/// </summary>
public sealed class EmotionRecognitionBuilder
{
    private readonly EmotionRecognitionSections sections;

    internal EmotionRecognitionBuilder(IServiceCollection services, string name, EmotionRecognitionSections sections)
    {
        Services = services;
        Name = name;
        this.sections = sections;
        Options = services.AddOptions<EmotionRecognitionOptions>(name);
    }

    /// <summary>The service collection.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// The model's name: <see cref="Microsoft.Extensions.Options.Options.DefaultName"/> (empty) for the default model, whose
    /// services are registered without a key; otherwise the options name and the key of its keyed services.
    /// </summary>
    public string Name { get; }

    /// <summary>The options builder of this model's <see cref="EmotionRecognitionOptions"/> (named <see cref="Name"/>), for anything the methods here do not cover.</summary>
    public OptionsBuilder<EmotionRecognitionOptions> Options { get; }

    /// <summary>Adds a configuration step in code.</summary>
    public EmotionRecognitionBuilder Configure(Action<EmotionRecognitionOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Options.Configure(configure);
        return this;
    }

    /// <summary>
    /// Binds the options to the section at <paramref name="sectionPath"/> of the application's <see cref="IConfiguration"/>
    /// (resolved from the container): <c>ModelPath</c>, <c>Predictor:IntraOpThreads</c>, <c>Video:Margin</c>, ... under it.
    /// Validation messages then name settings by their keys.
    /// </summary>
    /// <param name="sectionPath">The section, <c>EmotionRecognition</c> by default.</param>
    public EmotionRecognitionBuilder BindConfiguration(string sectionPath = EmotionRecognitionOptions.DefaultSection)
    {
        ArgumentNullException.ThrowIfNull(sectionPath);
        Options.BindConfiguration(sectionPath);
        sections.Bound(Name, sectionPath);
        return this;
    }

    /// <summary>Binds the options to <paramref name="configuration"/> (a section, or the root).</summary>
    public EmotionRecognitionBuilder Bind(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        Options.Bind(configuration);
        sections.Bound(Name, configuration is IConfigurationSection section ? section.Path : "");
        return this;
    }

    /// <summary>
    /// Registers another model, named <paramref name="name"/>: its services are keyed by the name
    /// (<c>[FromKeyedServices("fast")] IEmotionPredictor</c>, <c>GetRequiredKeyedService&lt;IEmotionPredictor&gt;("fast")</c>)
    /// and its options are the named options <paramref name="name"/>. Same as <c>Services.AddEmotionRecognition(name, configure)</c>.
    /// </summary>
    /// <returns>The new model's builder.</returns>
    public EmotionRecognitionBuilder AddModel(string name, Action<EmotionRecognitionOptions>? configure = null) =>
        Services.AddEmotionRecognition(name, configure);
}
