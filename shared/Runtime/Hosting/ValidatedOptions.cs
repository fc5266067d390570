using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Sts.Shared.Hosting;

/// <summary>The one way both services bind a settings section: to a class, checked before the host starts.</summary>
public static class ValidatedOptions
{
    /// <summary>Binds <paramref name="section"/> to <typeparamref name="T"/>; its data annotations and any registered
    /// <see cref="IValidateOptions{T}"/> are checked at start-up, so a bad setting stops the service with its name.</summary>
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services, string section) where T : class =>
        services.AddOptions<T>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();

    /// <summary>
    /// The same section's values while the services are being registered, for the wiring choices that cannot wait for
    /// the container (which authentication handler, whether TLS is on, whether to sign). The container's copy is bound
    /// from the same configuration and validated at start-up, so invalid values still stop the service.
    /// </summary>
    public static T ReadOptions<T>(this IConfiguration configuration, string section) where T : class, new() =>
        configuration.GetSection(section).Get<T>() ?? new T();
}
