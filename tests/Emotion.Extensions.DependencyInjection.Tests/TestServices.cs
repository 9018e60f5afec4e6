using Emotion.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Emotion.Extensions.DependencyInjection.Tests;

/// <summary>
/// What the DI tests share: the tiny fixture model, the BlazeFace detector, and a service collection whose
/// <see cref="IConfiguration"/> holds in-memory settings, registered as an application's host registers its configuration.
/// </summary>
internal static class TestServices
{
    /// <summary>The tiny combined model written by Fixtures/make_tiny_model.py, copied next to the tests.</summary>
    public static string ModelPath => Path.Combine(AppContext.BaseDirectory, "Fixtures", "tiny_combined.onnx");

    /// <summary>The BlazeFace short-range detector from the asset cache.</summary>
    public static string BlazeFace => TestAssets.Path("blazeface_front_128.onnx");

    /// <summary>A configuration holding <paramref name="settings"/> (configuration key to value) in memory.</summary>
    public static IConfigurationRoot Configuration(IEnumerable<KeyValuePair<string, string?>> settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build();

    /// <summary>A new service collection with the <see cref="Configuration"/> of <paramref name="settings"/> registered as its <see cref="IConfiguration"/>.</summary>
    public static ServiceCollection WithConfiguration(IEnumerable<KeyValuePair<string, string?>> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(Configuration(settings));
        return services;
    }
}
