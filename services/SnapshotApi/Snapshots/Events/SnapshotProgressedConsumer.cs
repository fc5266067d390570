using MassTransit;
using Sts.Shared.Messaging;

namespace Sts.SnapshotApi.Snapshots.Events;

public sealed class SnapshotProgressedConsumer(SnapshotTransitions transitions) : IConsumer<SnapshotProgressed>
{
    public Task Consume(ConsumeContext<SnapshotProgressed> context) =>
        transitions.ApplyProgressAsync(context.Message, context.CancellationToken);
}
