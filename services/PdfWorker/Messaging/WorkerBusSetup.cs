using MassTransit;
using Microsoft.Extensions.Options;
using Sts.PdfWorker.Generation;
using Sts.Shared.Messaging;
using Sts.Shared.Tls;

namespace Sts.PdfWorker.Messaging;

/// <summary>The worker's side of RabbitMQ: competing-consumer endpoints for GenerateSnapshot, interactive and scheduled.</summary>
public static class WorkerBusSetup
{
    public static IServiceCollection AddWorkerBus(this IServiceCollection services, IConfiguration configuration)
    {
        var address = BusAddress.From(configuration);
        var bus = services.AddQueueTopology(configuration);
        var brokerTrust = BrokerTrust.From(configuration, address.Host);
        services.AddMassTransit(x =>
        {
            x.AddConsumer<GenerateSnapshotConsumer>();
            x.UsingRabbitMq((context, cfg) =>
            {
                var worker = context.GetRequiredService<IOptions<WorkerOptions>>().Value;
                cfg.Host(address.Host, h =>
                {
                    h.Username(address.Username);
                    h.Password(address.Password);
                    h.PublisherConfirmation = true;
                    // MassTransit turns TLS on by itself only on port 5671; amqps:// means TLS on any port.
                    if (address.Host.Scheme == "amqps") h.UseSsl(s => s.CertificateValidationCallback = brokerTrust);
                });
                // Interactive and scheduled work arrive on separate queues with separate render slots.
                cfg.ReceiveEndpoint(GenerateSnapshot.Queue, e => Consume(e, context, bus, worker.EffectivePrefetch, worker.EffectiveMessageConcurrency));
                cfg.ReceiveEndpoint(GenerateSnapshot.ScheduledQueue, e => Consume(e, context, bus, worker.ScheduledConcurrency, worker.ScheduledConcurrency));
            });
        });
        services.AddOptions<MassTransitHostOptions>().Configure<IOptions<WorkerOptions>>((o, options) =>
        {
            var worker = options.Value;
            o.WaitUntilStarted = true;
            o.StartTimeout = TimeSpan.FromSeconds(60);
            // On SIGTERM: stop consuming, let the renders in hand finish for DrainTimeout, then cancel the rest
            // (their messages are not acknowledged, so RabbitMQ hands them to another worker).
            o.ConsumerStopTimeout = worker.DrainTimeout;
            o.StopTimeout = worker.DrainTimeout + TimeSpan.FromSeconds(15);
        });
        // The host's own limit on stopping (30 s by default) must not cut the drain short.
        services.AddOptions<HostOptions>().Configure<IOptions<WorkerOptions>>((o, worker) => o.ShutdownTimeout = worker.Value.DrainTimeout + TimeSpan.FromSeconds(25));
        return services;
    }

    private static void Consume(IRabbitMqReceiveEndpointConfigurator e, IBusRegistrationContext context, BusOptions bus, int prefetch, int concurrency)
    {
        // The same type QueueTopology declared the queue with (and its _error queue copies it).
        if (bus.IsQuorum) e.SetQuorumQueue();
        e.PrefetchCount = prefetch;
        e.ConcurrentMessageLimit = concurrency;
        // A few short retries for transient faults (storage, broker); then the error queue,
        // and MassTransit's Fault<GenerateSnapshot> tells the API to mark the snapshot FAILED.
        e.UseMessageRetry(r => r.Intervals(200, 1000, 3000));
        e.ConfigureConsumer<GenerateSnapshotConsumer>(context);
    }
}
