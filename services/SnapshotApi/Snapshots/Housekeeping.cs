using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sts.Api.V1;
using Sts.Shared.Storage;
using Sts.SnapshotApi.Data;
using Sts.SnapshotApi.Telemetry;

namespace Sts.SnapshotApi.Snapshots;

/// <summary>
/// Compacts what the pipeline leaves behind: finished task records and published outbox rows older than the
/// retention, and claim-checked room states that no snapshot claims (a create that failed after writing its state)
/// once they are older than RoomState:OrphanGrace. The snapshot row keeps the outcome, so nothing a caller needs is
/// lost. Deletes are idempotent, so several replicas may run this at once.
/// </summary>
public sealed partial class Housekeeping(
    IDbContextFactory<StsDbContext> dbFactory, ISnapshotStore store, IOptions<TaskOptions> options, IOptions<RoomStateOptions> stateOptions,
    TimeProvider clock, ApiMetrics metrics, ILogger<Housekeeping> logger) : BackgroundService
{
    private const int SweepBatch = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.HousekeepingInterval);
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
                    logger.LogWarning("Housekeeping skipped a run: {Error}", ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    public async Task<(int Tasks, int OutboxRows, int OrphanStates)> RunOnceAsync(CancellationToken ct)
    {
        var retention = options.Value.Retention;
        // Cut off by the database's clock (DateTimeOffset.UtcNow becomes now()): the same cut-off from every replica,
        // whatever a replica's own clock says (tests move theirs by days).
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var tasks = await db.Tasks
            .Where(t => (t.Status == SnapshotTaskStatus.Completed || t.Status == SnapshotTaskStatus.Failed) && t.UpdatedAt < DateTimeOffset.UtcNow - retention)
            .ExecuteDeleteAsync(ct);
        metrics.HousekeepingRan("tasks", tasks);
        var outbox = await db.Outbox.Where(o => o.SentAt != null && o.SentAt < DateTimeOffset.UtcNow - retention).ExecuteDeleteAsync(ct);
        metrics.HousekeepingRan("outbox", outbox);
        // One row per worker process ever started; only the last few minutes' are read.
        metrics.HousekeepingRan("worker_stats", await db.WorkerStats.Where(w => w.ReportedAt < DateTimeOffset.UtcNow - retention).ExecuteDeleteAsync(ct));
        var states = await SweepOrphanStatesAsync(ct);
        metrics.HousekeepingRan("orphan_states", states);
        Compacted(logger, tasks, outbox, states, retention);
        return (tasks, outbox, states);
    }

    private async Task<int> SweepOrphanStatesAsync(CancellationToken ct)
    {
        var cutoff = clock.GetUtcNow() - stateOptions.Value.OrphanGrace;
        var removed = 0;
        var candidates = new List<string>(SweepBatch);
        await foreach (var stored in store.ListAsync(ct))
        {
            if (!StorageKey.IsState(stored.Key) || stored.LastModified > cutoff) continue;
            candidates.Add(stored.Key);
            if (candidates.Count == SweepBatch)
            {
                removed += await RemoveUnclaimedAsync(candidates, ct);
                candidates.Clear();
            }
        }
        return removed + await RemoveUnclaimedAsync(candidates, ct);
    }

    private async Task<int> RemoveUnclaimedAsync(List<string> keys, CancellationToken ct)
    {
        if (keys.Count == 0) return 0;
        HashSet<string> claimed;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
            claimed = (await db.Snapshots.AsNoTracking().Where(s => s.StateKey != null && keys.Contains(s.StateKey)).Select(s => s.StateKey!).ToListAsync(ct))
                .ToHashSet(StringComparer.Ordinal);
        var removed = 0;
        foreach (var key in keys.Where(k => !claimed.Contains(k)))
        {
            if (await store.DeleteAsync(key, ct)) removed++;
        }
        return removed;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Housekeeping removed {Tasks} finished tasks, {OutboxRows} published outbox rows older than {Retention} and {OrphanStates} unclaimed room states")]
    private static partial void Compacted(ILogger logger, int tasks, int outboxRows, int orphanStates, TimeSpan retention);
}
