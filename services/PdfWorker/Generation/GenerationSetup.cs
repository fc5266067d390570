using Sts.PdfWorker.Messaging;
using Sts.Shared.Hosting;
using Sts.Shared.Rooms;

namespace Sts.PdfWorker.Generation;

/// <summary>Registers snapshot generation: the GenerateSnapshot consumers on the bus, render slots, the worker's statistics and its housekeeping.</summary>
public static class GenerationSetup
{
    public static IServiceCollection AddGeneration(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<WorkerOptions>(WorkerOptions.Section);
        services.AddSingleton<WorkerStatistics>();
        services.AddSingleton<RoomStateReader>();
        services.AddSingleton<RenderSlots>();
        services.AddHostedService<CacheHousekeeping>();
        services.AddHostedService<WorkerStatsReporter>();
        services.AddWorkerBus(configuration);
        return services;
    }
}
