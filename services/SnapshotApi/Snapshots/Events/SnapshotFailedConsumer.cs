using MassTransit;
using Sts.Shared.Messaging;

namespace Sts.SnapshotApi.Snapshots.Events;

/// <summary>A worker found the snapshot impossible to render.</summary>
public sealed class SnapshotFailedConsumer(SnapshotTransitions transitions) : IConsumer<SnapshotFailed>
{
    public Task Consume(ConsumeContext<SnapshotFailed> context) =>
        transitions.ApplyFailureAsync(context.Message.SnapshotId, context.Message.Reason, context.Message.At, "worker", context.CancellationToken);
}
