using Microsoft.EntityFrameworkCore;
using Npgsql;
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

    public async Task<bool> ApplyCompletionAsync(SnapshotCompleted e, CancellationToken ct) => await ApplyCompletionsAsync([e], ct) == 1;

    /// <summary>
    /// Applies many completions in one transaction (the consumer takes them in batches): one statement each for the
    /// snapshots, the tasks, the audit records and the notifications, however many there are. Returns how many applied.
    /// </summary>
    public async Task<int> ApplyCompletionsAsync(IReadOnlyList<SnapshotCompleted> events, CancellationToken ct)
    {
        var wellFormed = new List<SnapshotCompleted>(events.Count);
        foreach (var e in events)
        {
            if (StorageKey.IsValid(e.FileKey) && e.Sha256.Length == 64 && e.SizeBytes >= 0) wellFormed.Add(e);
            else logger.LogError("Ignoring malformed completion of snapshot {SnapshotId} (key {FileKey})", e.SnapshotId, e.FileKey);
        }
        // A redelivered event may share a batch with its first copy; any one of them will do. Id order is lock order.
        var batch = wellFormed.GroupBy(e => e.SnapshotId).Select(g => g.First()).OrderBy(e => e.SnapshotId).ToList();
        if (batch.Count == 0) return 0;

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var ids = batch.Select(e => e.SnapshotId).ToArray();
        await using (var lockRows = new NpgsqlCommand("SELECT 1 FROM snapshots WHERE id = ANY($1) ORDER BY id FOR UPDATE", connection))
        {
            lockRows.Parameters.AddWithValue(ids);
            await lockRows.ExecuteNonQueryAsync(ct);
        }
        var applied = new List<AppliedCompletion>(batch.Count);
        await using (var complete = new NpgsqlCommand("""
            UPDATE snapshots s SET status = 'completed', progress = 100, file_key = v.file_key, size_bytes = v.size_bytes, sha256 = v.sha256,
                   cached = v.cached, started_at = coalesce(s.started_at, v.at), completed_at = v.at
            FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::text[], $5::bool[], $6::timestamptz[]) AS v(id, file_key, size_bytes, sha256, cached, at)
            WHERE s.id = v.id AND s.status IN ('queued', 'running')
            RETURNING s.id, s.room_id, s.snapshot_type, s.created_at, s.started_at
            """, connection))
        {
            complete.Parameters.AddWithValue(ids);
            complete.Parameters.AddWithValue(batch.Select(e => e.FileKey).ToArray());
            complete.Parameters.AddWithValue(batch.Select(e => e.SizeBytes).ToArray());
            complete.Parameters.AddWithValue(batch.Select(e => e.Sha256).ToArray());
            complete.Parameters.AddWithValue(batch.Select(e => e.Cached).ToArray());
            complete.Parameters.AddWithValue(batch.Select(e => e.At).ToArray());
            await using var reader = await complete.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                applied.Add(new AppliedCompletion(reader.GetGuid(0), reader.GetString(1), reader.GetString(2),
                    reader.GetFieldValue<DateTimeOffset>(3), reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4)));
            }
        }
        if (applied.Count == 0) return 0;
        var byId = batch.ToDictionary(e => e.SnapshotId);
        var done = applied.Select(a => byId[a.Id]).ToList();
        await using (var finish = new NpgsqlCommand("""
            UPDATE tasks t SET status = 'completed', progress = 100, last_event_sequence = $4,
                   attempts = CASE WHEN t.attempts = 0 THEN 1 ELSE t.attempts END, render_millis = v.render_millis,
                   started_at = coalesce(t.started_at, v.at), updated_at = v.at, completed_at = v.at
            FROM unnest($1::uuid[], $2::bigint[], $3::timestamptz[]) AS v(id, render_millis, at)
            WHERE t.snapshot_id = v.id
            """, connection))
        {
            finish.Parameters.AddWithValue(done.Select(e => e.SnapshotId).ToArray());
            finish.Parameters.AddWithValue(done.Select(e => e.RenderMillis).ToArray());
            finish.Parameters.AddWithValue(done.Select(e => e.At).ToArray());
            finish.Parameters.AddWithValue((long)RenderStage.Completed);
            await finish.ExecuteNonQueryAsync(ct);
        }
        foreach (var (a, e) in applied.Zip(done))
        {
            audit.Add(db, new AuditEntry(WorkerActor, "SnapshotCompleted", a.RoomId, a.Id, "ok", new Dictionary<string, string>
            {
                ["worker"] = e.WorkerId, ["sha256"] = e.Sha256, ["size_bytes"] = e.SizeBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["cached"] = e.Cached ? "true" : "false",
            }));
        }
        await db.SaveChangesAsync(ct);
        await AnnounceAsync(connection, applied.Select(a => a.Id).ToArray(), ct);
        await tx.CommitAsync(ct);
        foreach (var (a, e) in applied.Zip(done))
            metrics.SnapshotCompleted(a.Type, e.Cached, e.At - a.CreatedAt, a.StartedAt - a.CreatedAt);
        return applied.Count;
    }

    private sealed record AppliedCompletion(Guid Id, string RoomId, string Type, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt);

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
        audit.Add(db, new AuditEntry(WorkerActor, action, snapshot.RoomId, snapshotId, outcome, metadata));
        await db.SaveChangesAsync(ct);
        return snapshot;
    }

    // Events for one snapshot arrive on several queues at once. Every transition locks the snapshot row
    // before touching its task, so they queue up in one order instead of deadlocking.
    private static Task<int> LockAsync(StsDbContext db, Guid snapshotId, CancellationToken ct) =>
        db.Database.ExecuteSqlAsync($"SELECT 1 FROM snapshots WHERE id = {snapshotId} FOR UPDATE", ct);

    // NOTIFY is delivered on commit, so watchers never see a change that rolled back.
    private static Task<int> AnnounceAsync(StsDbContext db, Guid snapshotId, CancellationToken ct) =>
        db.Database.ExecuteSqlAsync($"SELECT pg_notify({ChangeChannel}, {snapshotId.ToString("D")})", ct);

    private static async Task AnnounceAsync(NpgsqlConnection connection, Guid[] snapshotIds, CancellationToken ct)
    {
        await using var notify = new NpgsqlCommand($"SELECT pg_notify('{ChangeChannel}', id::text) FROM unnest($1::uuid[]) AS id", connection);
        notify.Parameters.AddWithValue(snapshotIds);
        await notify.ExecuteNonQueryAsync(ct);
    }
}
