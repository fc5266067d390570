using MassTransit;
using Sts.Shared.Messaging;

namespace Sts.SnapshotApi.Snapshots.Events;

public sealed class SnapshotCompletedConsumer(SnapshotTransitions transitions) : IConsumer<SnapshotCompleted>
{
    public Task Consume(ConsumeContext<SnapshotCompleted> context) =>
        transitions.ApplyCompletionAsync(context.Message, context.CancellationToken);
}
