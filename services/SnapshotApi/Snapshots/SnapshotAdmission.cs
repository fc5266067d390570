using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sts.Api.V1;
using Sts.SnapshotApi.Data;

namespace Sts.SnapshotApi.Snapshots;

/// <summary>
/// Backpressure: refuses work the workers cannot reach soon, rather than queue it without bound. Scheduled work meets a
/// lower bound (Tasks:ScheduledShare), so the headroom above it stays free for people waiting on a snapshot.
/// </summary>
public sealed class SnapshotAdmission(IOptions<TaskOptions> options)
{
    /// <summary>Null when the snapshot may be created, else the refusal.</summary>
    public async Task<CreateOutcome.Busy?> CheckAsync(StsDbContext db, bool scheduled, CancellationToken ct)
    {
        var bound = scheduled ? options.Value.MaxPendingScheduledTasks : options.Value.MaxPendingTasks;
        var pending = await db.Tasks.CountAsync(t => t.Status == SnapshotTaskStatus.Pending, ct);
        return pending >= bound ? new CreateOutcome.Busy(pending, TimeSpan.FromSeconds(scheduled ? 30 : 5)) : null;
    }
}
