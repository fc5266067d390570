using Sts.Shared.Hosting;

namespace Sts.PdfWorker.Cache;

/// <summary>Registers the render cache (memory, then disk), keyed by content hash.</summary>
public static class CacheSetup
{
    public static IServiceCollection AddRenderCache(this IServiceCollection services)
    {
        services.AddValidatedOptions<RenderCacheOptions>(RenderCacheOptions.Section);
        services.AddSingleton<RenderCache>();
        return services;
    }
}
