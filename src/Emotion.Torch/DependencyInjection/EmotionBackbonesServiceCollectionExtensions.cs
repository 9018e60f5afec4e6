using Emotion.Torch.Backbones;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the backbone registry of Emotion.Torch in a service collection.</summary>
public static class EmotionBackbonesServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="BackboneRegistry"/> (built-in backbones plus those added by
    /// <paramref name="configure"/>). Calling it again configures the same registry.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Registers custom backbones, for example <c>r =&gt; r.Register("mine", spec =&gt; new MyBackbone())</c>.</param>
    /// <returns>The service collection, for chaining.</returns>
    public static IServiceCollection AddEmotionBackbones(this IServiceCollection services, Action<BackboneRegistry>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        BackboneRegistry? registry = null;
        foreach (var descriptor in services)
        {
            if (descriptor.ServiceType == typeof(BackboneRegistry) && !descriptor.IsKeyedService && descriptor.ImplementationInstance is BackboneRegistry existing)
            {
                registry = existing;
                break;
            }
        }
        if (registry is null)
        {
            registry = new BackboneRegistry();
            services.AddSingleton(registry);
        }
        configure?.Invoke(registry);
        return services;
    }
}
