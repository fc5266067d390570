namespace Sts.SnapshotApi.Admin;

/// <summary>Registers the operators' API: storage verification, worker statistics and pipeline figures.</summary>
public static class AdminSetup
{
    public static IServiceCollection AddAdmin(this IServiceCollection services)
    {
        services.AddSingleton<StorageVerifier>();
        return services;
    }

    public static WebApplication MapAdmin(this WebApplication app)
    {
        app.MapGrpcService<AdminGrpcService>();
        return app;
    }
}
