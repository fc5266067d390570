using Microsoft.EntityFrameworkCore;
using Sts.Shared.Storage;
using Sts.SnapshotApi.Audit;
using Sts.SnapshotApi.Data;

namespace Sts.SnapshotApi.Snapshots;

/// <summary>What became of a request to delete a snapshot.</summary>
public abstract record DeleteOutcome
{
    private DeleteOutcome() { }

    /// <summary>The row is gone; <paramref name="Orphans"/> are stored objects ("file" or "state", key) that could not be removed.</summary>
    public sealed record Deleted(IReadOnlyList<(string What, string Key)> Orphans) : DeleteOutcome;

    /// <summary>Under legal hold: kept.</summary>
    public sealed record Held(SnapshotRow Snapshot) : DeleteOutcome;

    /// <summary>Still QUEUED or RUNNING: kept.</summary>
    public sealed record Unfinished(SnapshotRow Snapshot) : DeleteOutcome;

    public sealed record NotFound : DeleteOutcome;
}

/// <summary>
/// Deletes a snapshot for DeleteSnapshot and for retention: the row (its task goes by cascade), then its file and its
/// claim-checked state. The delete is conditional, so a snapshot that is under legal hold or unfinished at that very
/// moment is kept, whatever the caller read before; a trigger refuses any other DELETE of a held row too.
/// </summary>
public sealed class SnapshotDeleter(AuditLog auditLog, ISnapshotStore store, ILogger<SnapshotDeleter> logger)
{
    /// <param name="audit">Written in the same transaction as the delete when given (retention); else the caller audits.</param>
    public async Task<DeleteOutcome> DeleteAsync(StsDbContext db, Guid snapshotId, AuditEntry? audit, CancellationToken ct)
    {
        List<StoredKeys> deleted;
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            // Raw SQL: EF cannot bulk-delete a table split between two entity types.
            deleted = await db.Database.SqlQuery<StoredKeys>($"""
                DELETE FROM snapshots WHERE id = {snapshotId} AND legal_hold_at IS NULL AND status IN ('completed', 'failed')
                RETURNING file_key AS "FileKey", state_key AS "StateKey"
                """).ToListAsync(ct);
            if (deleted.Count > 0 && audit is not null)
            {
                auditLog.Add(db, audit);
                await db.SaveChangesAsync(ct);
            }
            await tx.CommitAsync(ct);
        }
        if (deleted.Count == 0)
        {
            var row = await db.Snapshots.AsNoTracking().FirstOrDefaultAsync(s => s.Id == snapshotId, ct);
            return row is null ? new DeleteOutcome.NotFound()
                : row.LegalHoldAt is not null ? new DeleteOutcome.Held(row)
                : new DeleteOutcome.Unfinished(row);
        }

        // Row first, objects second: a failure here leaves an orphan (reported by verification), never a row without its file.
        var orphans = new List<(string, string)>();
        foreach (var (key, what) in new[] { (deleted[0].FileKey, "file"), (deleted[0].StateKey, "state") })
        {
            if (key is null) continue;
            try
            {
                await store.DeleteAsync(key, CancellationToken.None);
            }
            catch (IOException ex)
            {
                logger.LogWarning(ex, "Snapshot {SnapshotId} deleted but its {What} {Key} could not be removed", snapshotId, what, key);
                orphans.Add((what, key));
            }
        }
        return new DeleteOutcome.Deleted(orphans);
    }

    private sealed record StoredKeys(string? FileKey, string? StateKey);
}
