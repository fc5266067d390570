using Microsoft.EntityFrameworkCore;
using Sts.Api.V1;
using Sts.Shared.Messaging;
using Sts.Shared.Storage;
using Sts.SnapshotApi.Audit;
using Sts.SnapshotApi.Data;
using Sts.SnapshotApi.Telemetry;

namespace Sts.SnapshotApi.Snapshots;

/// <summary>
/// Applies worker events to snapshots and tasks, idempotently: each update is conditional on the
/// current state, so a duplicate, stale or late event matches no row and changes nothing.
/// Progress only moves forward (by sequence) and the first terminal event wins.
/// </summary>
public sealed class SnapshotTransitions(IDbContextFactory<StsDbContext> dbFactory, AuditLog audit, ApiMetrics metrics, ILogger<SnapshotTransitions> logger)
{
    /// <summary>PostgreSQL channel on which every applied change is announced, so watchers on any replica wake up.</summary>
    public const string ChangeChannel = "snapshot_changed";

    private const string WorkerActor = "system:pdf-worker";
    private const int MaxReasonLength = 2000;

    public async Task<bool> ApplyProgressAsync(SnapshotProgressed e, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await LockAsync(db, e.SnapshotId, ct);
        var applied = await db.Tasks
            .Where(t => t.SnapshotId == e.SnapshotId && t.LastEventSequence < e.Sequence
                        && (t.Status == SnapshotTaskStatus.Pending || t.Status == SnapshotTaskStatus.Running))
            .ExecuteUpdateAsync(u => u
                .SetProperty(t => t.Status, SnapshotTaskStatus.Running)
                .SetProperty(t => t.Progress, t => t.Progress > e.Percent ? t.Progress : e.Percent)
                .SetProperty(t => t.LastEventSequence, e.Sequence)
                .SetProperty(t => t.Attempts, t => t.Attempts == 0 ? 1 : t.Attempts)
                .SetProperty(t => t.StartedAt, t => t.StartedAt ?? e.At)
                .SetProperty(t => t.UpdatedAt, e.At), ct);
        if (applied == 0) return false;
        await db.Snapshots
            .Where(s => s.Id == e.SnapshotId && (s.Status == SnapshotStatus.Queued || s.Status == SnapshotStatus.Running))
            .ExecuteUpdateAsync(u => u
                .SetProperty(s => s.Status, SnapshotStatus.Running)
                .SetProperty(s => s.Progress, s => s.Progress > e.Percent ? s.Progress : e.Percent)
                .SetProperty(s => s.StartedAt, s => s.StartedAt ?? e.At), ct);
        await AnnounceAsync(db, e.SnapshotId, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    public async Task<bool> ApplyCompletionAsync(SnapshotCompleted e, CancellationToken ct)
    {
        if (!StorageKey.IsValid(e.FileKey) || e.Sha256.Length != 64 || e.SizeBytes < 0)
        {
            logger.LogError("Ignoring malformed completion of snapshot {SnapshotId} (key {FileKey})", e.SnapshotId, e.FileKey);
            return false;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await LockAsync(db, e.SnapshotId, ct);
        var applied = await db.Snapshots
            .Where(s => s.Id == e.SnapshotId && (s.Status == SnapshotStatus.Queued || s.Status == SnapshotStatus.Running))
            .ExecuteUpdateAsync(u => u
                .SetProperty(s => s.Status, SnapshotStatus.Completed)
                .SetProperty(s => s.Progress, 100)
                .SetProperty(s => s.FileKey, e.FileKey)
                .SetProperty(s => s.SizeBytes, e.SizeBytes)
                .SetProperty(s => s.Sha256, e.Sha256)
                .SetProperty(s => s.Cached, e.Cached)
                .SetProperty(s => s.StartedAt, s => s.StartedAt ?? e.At)
                .SetProperty(s => s.CompletedAt, e.At), ct);
        if (applied == 0) return false;
        await db.Tasks.Where(t => t.SnapshotId == e.SnapshotId)
            .ExecuteUpdateAsync(u => u
                .SetProperty(t => t.Status, SnapshotTaskStatus.Completed)
                .SetProperty(t => t.Progress, 100)
                .SetProperty(t => t.LastEventSequence, (long)RenderStage.Completed)
                .SetProperty(t => t.Attempts, t => t.Attempts == 0 ? 1 : t.Attempts)
                .SetProperty(t => t.RenderMillis, e.RenderMillis)
                .SetProperty(t => t.StartedAt, t => t.StartedAt ?? e.At)
                .SetProperty(t => t.UpdatedAt, e.At)
                .SetProperty(t => t.CompletedAt, e.At), ct);
        var done = await AuditAsync(db, e.SnapshotId, "SnapshotCompleted", "ok", new Dictionary<string, string>
        {
            ["worker"] = e.WorkerId, ["sha256"] = e.Sha256, ["size_bytes"] = e.SizeBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["cached"] = e.Cached ? "true" : "false",
        }, ct);
        await AnnounceAsync(db, e.SnapshotId, ct);
        await tx.CommitAsync(ct);
        metrics.SnapshotCompleted(EnumText<SnapshotType>.ToText(done.SnapshotType), e.Cached, e.At - done.CreatedAt, done.StartedAt - done.CreatedAt);
        return true;
    }

    public async Task<bool> ApplyFailureAsync(Guid snapshotId, string reason, DateTimeOffset at, string source, CancellationToken ct)
    {
        reason = reason.Length > MaxReasonLength ? reason[..MaxReasonLength] : reason;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await LockAsync(db, snapshotId, ct);
        var applied = await db.Snapshots
            .Where(s => s.Id == snapshotId && (s.Status == SnapshotStatus.Queued || s.Status == SnapshotStatus.Running))
            .ExecuteUpdateAsync(u => u
                .SetProperty(s => s.Status, SnapshotStatus.Failed)
                .SetProperty(s => s.Error, reason)
                .SetProperty(s => s.CompletedAt, at), ct);
        if (applied == 0) return false;
        await db.Tasks.Where(t => t.SnapshotId == snapshotId)
            .ExecuteUpdateAsync(u => u
                .SetProperty(t => t.Status, SnapshotTaskStatus.Failed)
                .SetProperty(t => t.Error, reason)
                .SetProperty(t => t.UpdatedAt, at)
                .SetProperty(t => t.CompletedAt, at), ct);
        var failed = await AuditAsync(db, snapshotId, "SnapshotFailed", "failed", new Dictionary<string, string> { ["reason"] = reason, ["source"] = source }, ct);
        await AnnounceAsync(db, snapshotId, ct);
        await tx.CommitAsync(ct);
        metrics.SnapshotFailed(EnumText<SnapshotType>.ToText(failed.SnapshotType));
        logger.LogWarning("Snapshot {SnapshotId} failed ({Source}): {Reason}", snapshotId, source, reason);
        return true;
    }

    /// <summary>Audits a terminal transition and returns the snapshot as it now is, for the metrics.</summary>
    private async Task<SnapshotRow> AuditAsync(StsDbContext db, Guid snapshotId, string action, string outcome, Dictionary<string, string> metadata, CancellationToken ct)
    {
        var snapshot = await db.Snapshots.AsNoTracking().FirstAsync(s => s.Id == snapshotId, ct);
        await audit.AppendInTransactionAsync(db, new AuditEntry(WorkerActor, action, snapshot.RoomId, snapshotId, outcome, metadata), ct);
        return snapshot;
    }

    // Events for one snapshot arrive on several queues at once. Every transition locks the snapshot row
    // before touching its task, so they queue up in one order instead of deadlocking.
    private static Task<int> LockAsync(StsDbContext db, Guid snapshotId, CancellationToken ct) =>
        db.Database.ExecuteSqlAsync($"SELECT 1 FROM snapshots WHERE id = {snapshotId} FOR UPDATE", ct);

    // NOTIFY is delivered on commit, so watchers never see a change that rolled back.
    private static Task<int> AnnounceAsync(StsDbContext db, Guid snapshotId, CancellationToken ct) =>
        db.Database.ExecuteSqlAsync($"SELECT pg_notify({ChangeChannel}, {snapshotId.ToString("D")})", ct);
}
