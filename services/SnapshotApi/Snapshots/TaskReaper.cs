using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using Sts.Api.V1;
using Sts.Shared.Messaging;
using Sts.SnapshotApi.Data;
using Sts.SnapshotApi.Outbox;

namespace Sts.SnapshotApi.Snapshots;

/// <summary>
/// Finds tasks that have shown no progress for longer than their lease (a lost message, a worker that died
/// without its delivery being returned) and hands them to the workers again through the outbox, up to
/// Tasks:MaxAttempts times; after that the snapshot fails with a reason. A task whose message has not even
/// left the outbox (the broker is down, the relay is behind) is not the workers' fault and is left alone:
/// the outbox backlog alert covers that case. Rows are claimed with
/// FOR UPDATE SKIP LOCKED and refreshed in the same transaction, so several replicas never act twice.
/// </summary>
public sealed partial class TaskReaper(
    IDbContextFactory<StsDbContext> dbFactory, SnapshotTransitions transitions, IOptions<TaskOptions> options,
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
                catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
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
        var exhausted = new List<(Guid SnapshotId, int Attempts)>();
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
                if (task.Attempts >= settings.MaxAttempts)
                {
                    exhausted.Add((task.SnapshotId, task.Attempts));
                    continue;
                }
                var snapshot = await db.Snapshots.AsNoTracking().FirstOrDefaultAsync(s => s.Id == task.SnapshotId, ct);
                var state = await db.SnapshotStates.AsNoTracking().FirstOrDefaultAsync(s => s.Id == task.SnapshotId, ct);
                if (snapshot is null || state is null) continue;
                var message = SnapshotMapping.ToMessage(snapshot, SnapshotMapping.ToProto(snapshot).Options, state.RoomState, task.Scheduled);
                db.Outbox.Add(new OutboxRow
                {
                    MessageId = Guid.CreateVersion7(now), MessageType = nameof(GenerateSnapshot), SnapshotId = snapshot.Id,
                    Payload = JsonSerializer.Serialize(message), CreatedAt = now,
                });
                // A fresh lease, and a fresh event sequence so the next worker's progress applies;
                // the snapshot's own progress only ever moves forward regardless.
                task.Attempts = Math.Max(task.Attempts, 1) + 1;
                task.Status = SnapshotTaskStatus.Pending;
                task.LastEventSequence = 0;
                task.UpdatedAt = now;
                requeued++;
                Requeued(logger, task.SnapshotId, task.Attempts, settings.Lease);
            }
            await db.SaveChangesAsync(ct);
            if (requeued > 0) await db.Database.ExecuteSqlAsync($"SELECT pg_notify({OutboxRelay.WakeChannel}, '')", ct);
            await tx.CommitAsync(ct);
        }

        var failed = 0;
        foreach (var (snapshotId, attempts) in exhausted)
        {
            var reason = $"No progress for {settings.Lease} after {attempts} attempts; gave up.";
            if (await transitions.ApplyFailureAsync(snapshotId, reason, now, "reaper", ct)) failed++;
        }
        return (requeued, failed);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task of snapshot {SnapshotId} showed no progress for {Lease}; re-queued as attempt {Attempt}")]
    private static partial void Requeued(ILogger logger, Guid snapshotId, int attempt, TimeSpan lease);
}
