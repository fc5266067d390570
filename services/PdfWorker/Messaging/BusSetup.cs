using MassTransit;
using Sts.PdfWorker.Generation;
using Sts.Shared.Messaging;

namespace Sts.PdfWorker.Messaging;

/// <summary>The worker's side of RabbitMQ: one competing-consumer endpoint for GenerateSnapshot.</summary>
public static class BusSetup
{
    public const string QueueName = "generate-snapshot";

    public static IServiceCollection AddWorkerBus(this IServiceCollection services, IConfiguration configuration, WorkerOptions worker)
    {
        var address = BusAddress.From(configuration);
        services.AddMassTransit(x =>
        {
            x.AddConsumer<GenerateSnapshotConsumer>();
            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(address.Host, h =>
                {
                    h.Username(address.Username);
                    h.Password(address.Password);
                    h.PublisherConfirmation = true;
                });
                cfg.ReceiveEndpoint(QueueName, e =>
                {
                    e.PrefetchCount = worker.EffectivePrefetch;
                    e.ConcurrentMessageLimit = worker.EffectiveConcurrency;
                    // A few short retries for transient faults (storage, broker); then the error queue,
                    // and MassTransit's Fault<GenerateSnapshot> tells the API to mark the snapshot FAILED.
                    e.UseMessageRetry(r => r.Intervals(200, 1000, 3000));
                    e.ConfigureConsumer<GenerateSnapshotConsumer>(context);
                });
            });
        });
        services.AddOptions<MassTransitHostOptions>().Configure(o =>
        {
            o.WaitUntilStarted = true;
            o.StartTimeout = TimeSpan.FromSeconds(60);
            // On SIGTERM, finish the renders in hand before the connection closes.
            o.StopTimeout = TimeSpan.FromSeconds(60);
        });
        return services;
    }
}
