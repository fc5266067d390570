using Sts.Shared.Hosting;

namespace Sts.SnapshotApi.Outbox;

/// <summary>Registers the transactional outbox: rows are written with the snapshot, and the relay publishes them with confirms.</summary>
public static class OutboxSetup
{
    /// <summary>Call after the bus is registered: hosted services start in order, and the relay must start once the bus is up.</summary>
    public static IServiceCollection AddOutbox(this IServiceCollection services)
    {
        services.AddValidatedOptions<OutboxOptions>(OutboxOptions.Section);
        services.AddSingleton<OutboxSignal>();
        services.AddHostedService<OutboxRelay>();
        return services;
    }
}
