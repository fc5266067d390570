using Microsoft.Extensions.Options;
using Sts.SnapshotApi.Telemetry;

namespace Sts.SnapshotApi.Snapshots;

/// <summary>
/// Backpressure: refuses work the workers cannot reach soon, rather than queue it without bound. Scheduled work meets a
/// lower bound (Tasks:ScheduledShare), so the headroom above it stays free for people waiting on a snapshot. O(1) per
/// create: the backlog is the pending-task count PipelineGauges samples once a second, plus the creates this replica
/// has made since; other replicas' creates show at the next sample, so the bound holds to within a second of creates.
/// </summary>
public sealed class SnapshotAdmission(PipelineGauges gauges, IOptions<TaskOptions> options)
{
    /// <summary>Null when the snapshot may be created, else the refusal.</summary>
    public async ValueTask<CreateOutcome.Busy?> CheckAsync(bool scheduled, CancellationToken ct)
    {
        var bound = scheduled ? options.Value.MaxPendingScheduledTasks : options.Value.MaxPendingTasks;
        var pending = await gauges.PendingTasksAsync(ct);
        return pending >= bound ? new CreateOutcome.Busy(pending, TimeSpan.FromSeconds(scheduled ? 30 : 5)) : null;
    }

    /// <summary>Counts a create this replica has committed, until the next sample counts it.</summary>
    public void Created() => gauges.NoteTaskCreated();
}
