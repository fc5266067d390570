using MassTransit;
using Sts.Shared.Messaging;
using Sts.Shared.Tls;
using Sts.SnapshotApi.Admin;
using Sts.SnapshotApi.Snapshots.Events;

namespace Sts.SnapshotApi.Messaging;

/// <summary>The API's side of RabbitMQ through MassTransit: the worker events it consumes. The outbox relay (Outbox/) publishes.</summary>
public static class ApiBusSetup
{
    public static IServiceCollection AddApiBus(this IServiceCollection services, IConfiguration configuration)
    {
        var address = BusAddress.From(configuration);
        var names = KebabCaseEndpointNameFormatter.Instance;
        var bus = services.AddQueueTopology(configuration,
            names.Consumer<SnapshotProgressedConsumer>(), names.Consumer<SnapshotCompletedConsumer>(), names.Consumer<SnapshotFailedConsumer>(),
            names.Consumer<GenerateSnapshotFaultConsumer>(), names.Consumer<WorkerStatsReportedConsumer>());
        var brokerTrust = BrokerTrust.From(configuration, address.Host);
        services.AddMassTransit(x =>
        {
            x.SetKebabCaseEndpointNameFormatter();
            // The consumers' queues take the configured type (the bus's own temporary queue stays classic, as it must).
            x.AddConfigureEndpointsCallback((_, endpoint) =>
            {
                if (bus.IsQuorum && endpoint is IRabbitMqReceiveEndpointConfigurator rabbit) rabbit.SetQuorumQueue();
            });
            x.AddConsumer<SnapshotProgressedConsumer>();
            x.AddConsumer<SnapshotCompletedConsumer, SnapshotCompletedConsumerDefinition>();
            x.AddConsumer<SnapshotFailedConsumer>();
            x.AddConsumer<GenerateSnapshotFaultConsumer>();
            x.AddConsumer<WorkerStatsReportedConsumer>();
            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(address.Host, h =>
                {
                    h.Username(address.Username);
                    h.Password(address.Password);
                    h.PublisherConfirmation = true;
                    // MassTransit turns TLS on by itself only on port 5671; amqps:// means TLS on any port.
                    if (address.Host.Scheme == "amqps") h.UseSsl(s => s.CertificateValidationCallback = brokerTrust);
                });
                // Database blips are transient; a few quick in-memory retries, then the error queue.
                cfg.UseMessageRetry(r => r.Intervals(100, 500, 2000));
                cfg.ConfigureEndpoints(context);
            });
        });
        services.AddOptions<MassTransitHostOptions>().Configure(o =>
        {
            o.WaitUntilStarted = true;
            o.StartTimeout = TimeSpan.FromSeconds(60);
            o.StopTimeout = TimeSpan.FromSeconds(30);
        });
        return services;
    }
}
