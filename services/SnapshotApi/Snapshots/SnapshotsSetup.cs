using Sts.Shared.Hosting;
using Sts.Shared.Rooms;

namespace Sts.SnapshotApi.Snapshots;

/// <summary>Registers snapshots: creation (admission, freezing rooms), the state transitions the worker's events drive,
/// the change feed that status streams read, verification, diffs, deletion and the background sweeps.</summary>
public static class SnapshotsSetup
{
    public static IServiceCollection AddSnapshots(this IServiceCollection services)
    {
        services.AddValidatedOptions<TaskOptions>(TaskOptions.Section);
        services.AddValidatedOptions<RoomStateOptions>(RoomStateOptions.Section);
        services.AddSingleton<RoomFreezer>();
        services.AddSingleton<SnapshotAdmission>();
        services.AddScoped<SnapshotCreator>();
        services.AddSingleton<RoomStateReader>();
        services.AddSingleton<SnapshotTransitions>();
        services.AddSingleton<SnapshotChangeFeed>();
        services.AddHostedService(sp => sp.GetRequiredService<SnapshotChangeFeed>());
        services.AddSingleton<SnapshotFileReader>();
        services.AddScoped<SnapshotVerification>();
        services.AddScoped<SnapshotDiff>();
        services.AddSingleton<SnapshotDeleter>();
        services.AddHostedService<Housekeeping>();
        services.AddHostedService<TaskReaper>();
        return services;
    }

    public static WebApplication MapSnapshots(this WebApplication app)
    {
        app.MapGrpcService<SnapshotGrpcService>();
        return app;
    }
}
