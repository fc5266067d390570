using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Sts.Shared.Storage;

/// <summary>Registers the configured <see cref="ISnapshotStore"/>.</summary>
public static class StorageSetup
{
    public static IServiceCollection AddSnapshotStore(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
        ISnapshotStore store = options.Kind.ToLowerInvariant() switch
        {
            "filesystem" => new FileSystemStore(options.Root),
            _ => throw new InvalidOperationException($"Storage:Kind '{options.Kind}' is not supported; use 'filesystem'."),
        };
        services.AddSingleton(store);
        return services;
    }
}
