using MassTransit;
using Sts.Shared.Messaging;

namespace Sts.SnapshotApi.Snapshots.Events;

/// <summary>
/// MassTransit publishes Fault&lt;GenerateSnapshot&gt; once a worker's retries are exhausted and the message
/// has gone to the error queue; the snapshot then ends FAILED with the last exception as its reason.
/// </summary>
public sealed class GenerateSnapshotFaultConsumer(SnapshotTransitions transitions, TimeProvider clock) : IConsumer<Fault<GenerateSnapshot>>
{
    public Task Consume(ConsumeContext<Fault<GenerateSnapshot>> context)
    {
        var error = context.Message.Exceptions.FirstOrDefault();
        var reason = error is null ? "Rendering failed after all retries." : $"Rendering failed after all retries: {error.Message}";
        return transitions.ApplyFailureAsync(context.Message.Message.SnapshotId, reason, clock.GetUtcNow(), "error-queue", context.CancellationToken);
    }
}
