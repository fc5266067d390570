using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sts.Api.V1;
using Sts.SnapshotApi.Data;
using Sts.SnapshotApi.Outbox;

namespace Sts.SnapshotApi.Snapshots;

/// <summary>
/// Finds tasks that have shown no progress for longer than their lease and hands them to the workers again
/// through the outbox. Only a task a worker had started (RUNNING) and then went silent on counts as an attempt:
/// after Tasks:MaxAttempts of those the snapshot fails with a reason. A task still waiting for a worker (PENDING)
/// is usually just behind a backlog or a broker outage, so its message is sent again (in case it was lost) without
/// using up an attempt, and the snapshot fails only when no worker has taken it within Tasks:MaxQueueTime of its
/// creation. A task whose message has not even left the outbox (the broker is down, the relay is behind) is left
/// alone: the outbox backlog alert covers that case. Rows are claimed with FOR UPDATE SKIP LOCKED and refreshed in
/// the same transaction, so several replicas never act twice.
/// </summary>
public sealed partial class TaskReaper(
    IDbContextFactory<StsDbContext> dbFactory, SnapshotTransitions transitions, OutboxSignal outbox, IOptions<TaskOptions> options,
    TimeProvider clock, ILogger<TaskReaper> logger) : BackgroundService
{
    private const int BatchSize = 100;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ReaperInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await RunOnceAsync(stoppingToken);
                }
                catch (Exception ex) when (Data.TransientFaults.IsTransient(ex))
                {
                    logger.LogWarning("Task reaper skipped a run: {Error}", ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    /// <summary>One pass; returns how many tasks were re-queued and how many failed.</summary>
    public async Task<(int Requeued, int Failed)> RunOnceAsync(CancellationToken ct)
    {
        var settings = options.Value;
        var now = clock.StoredNow();
        var exhausted = new List<(Guid SnapshotId, string Reason)>();
        var requeued = 0;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            var cutoff = now - settings.Lease;
            var stale = await db.Tasks
                .FromSql($"""
                    SELECT * FROM tasks t WHERE t.status IN ('pending', 'running') AND t.updated_at < {cutoff}
                      AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.snapshot_id = t.snapshot_id AND o.sent_at IS NULL)
                    ORDER BY t.updated_at LIMIT {BatchSize} FOR UPDATE OF t SKIP LOCKED
                    """)
                .ToListAsync(ct);
            foreach (var task in stale)
            {
                var started = task.Status == SnapshotTaskStatus.Running;
                if (started && task.Attempts >= settings.MaxAttempts)
                {
                    exhausted.Add((task.SnapshotId, $"No progress for {settings.Lease} after {task.Attempts} attempts; gave up."));
                    continue;
                }
                if (!started && now - task.CreatedAt > settings.MaxQueueTime)
                {
                    exhausted.Add((task.SnapshotId, $"No worker took it within {settings.MaxQueueTime} (Tasks:MaxQueueTime); gave up."));
                    continue;
                }
                var snapshot = await db.Snapshots.AsNoTracking().FirstOrDefaultAsync(s => s.Id == task.SnapshotId, ct);
                var state = await db.SnapshotStates.AsNoTracking().FirstOrDefaultAsync(s => s.Id == task.SnapshotId, ct);
                if (snapshot is null || (state?.RoomState is null && snapshot.StateKey is null)) continue;
                var options = SnapshotMapping.ToProto(snapshot).Options;
                var message = SnapshotMapping.ToMessage(snapshot, options, state?.RoomState, task.Scheduled,
                    await SnapshotComparison.ForResendAsync(db, options.CompareToSnapshotId, ct));
                db.Outbox.Add(OutboxRow.For(message, now));
                // A fresh lease; after a silent worker also a new attempt and a fresh event sequence, so the next
                // worker's progress applies. The snapshot's own progress only ever moves forward regardless.
                if (started)
                {
                    task.Attempts = Math.Max(task.Attempts, 1) + 1;
                    task.Status = SnapshotTaskStatus.Pending;
                    task.LastEventSequence = 0;
                }
                task.UpdatedAt = now;
                requeued++;
                Requeued(logger, task.SnapshotId, started ? "a worker went silent on it" : "it is still waiting for a worker", settings.Lease, Math.Max(task.Attempts, 1));
            }
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        if (requeued > 0) outbox.Wake();

        var failed = 0;
        foreach (var (snapshotId, reason) in exhausted)
        {
            if (await transitions.ApplyFailureAsync(snapshotId, reason, now, "reaper", ct)) failed++;
        }
        return (requeued, failed);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task of snapshot {SnapshotId} showed no progress for {Lease} ({Why}); its message was sent again (attempt {Attempt})")]
    private static partial void Requeued(ILogger logger, Guid snapshotId, string why, TimeSpan lease, int attempt);
}
