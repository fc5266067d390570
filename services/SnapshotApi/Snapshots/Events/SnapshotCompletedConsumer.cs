using MassTransit;
using Sts.Shared.Messaging;

namespace Sts.SnapshotApi.Snapshots.Events;

/// <summary>Completions in batches (SnapshotCompletedConsumerDefinition): one transaction applies them all.</summary>
public sealed class SnapshotCompletedConsumer(SnapshotTransitions transitions) : IConsumer<Batch<SnapshotCompleted>>
{
    public Task Consume(ConsumeContext<Batch<SnapshotCompleted>> context) =>
        transitions.ApplyCompletionsAsync(context.Message.Select(m => m.Message).ToList(), context.CancellationToken);
}

/// <summary>
/// Up to 100 completions at a time, or whatever has come within 5 ms: under load one transaction serves many
/// snapshots, and a lone completion waits no more than that.
/// </summary>
public sealed class SnapshotCompletedConsumerDefinition : ConsumerDefinition<SnapshotCompletedConsumer>
{
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<SnapshotCompletedConsumer> consumerConfigurator, IRegistrationContext context)
    {
        consumerConfigurator.Options<BatchOptions>(o => o.SetMessageLimit(100).SetTimeLimit(TimeSpan.FromMilliseconds(5)).SetConcurrencyLimit(2));
    }
}
