using Sts.Shared.Hosting;

namespace Sts.SnapshotApi.Schedules;

/// <summary>Registers scheduled snapshots and retention: the API, the per-replica runner and their instruments.</summary>
public static class ScheduleSetup
{
    public static IServiceCollection AddSchedules(this IServiceCollection services)
    {
        services.AddValidatedOptions<ScheduleOptions>(ScheduleOptions.Section);
        services.AddSingleton<ScheduleGauges>();
        services.AddHostedService(sp => sp.GetRequiredService<ScheduleGauges>());
        services.AddSingleton<ScheduleMetrics>();
        services.AddSingleton<ScheduleFiring>();
        services.AddSingleton<ScheduleRetention>();
        services.AddSingleton<ScheduleRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<ScheduleRunner>());
        return services;
    }

    public static WebApplication MapSchedules(this WebApplication app)
    {
        app.MapGrpcService<ScheduleGrpcService>();
        return app;
    }
}
