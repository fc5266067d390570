using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Sts.SnapshotApi.Data;

namespace Sts.SnapshotApi.Audit;

/// <summary>Appends records to the hash-chained audit log and verifies the chain.</summary>
public sealed class AuditLog(IDbContextFactory<StsDbContext> dbFactory, TimeProvider clock)
{
    // Appends are serialised by a transaction-scoped advisory lock: a chain has one head.
    private const long ChainLock = 0x5354_5341_5544_4954; // "STSAUDIT"

    /// <summary>Writes one record in its own transaction.</summary>
    public async Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        await AppendInTransactionAsync(db, entry, cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Adds the record to <paramref name="db"/>'s open transaction, so it commits or rolls back with the
    /// caller's change.
    /// </summary>
    public async Task AppendInTransactionAsync(StsDbContext db, AuditEntry entry, CancellationToken cancellationToken)
    {
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({ChainLock})", cancellationToken);
        var head = await db.AuditLog.AsNoTracking()
            .OrderByDescending(a => a.Sequence)
            .Select(a => new { a.Sequence, a.Hash })
            .FirstOrDefaultAsync(cancellationToken);
        var row = new AuditRow
        {
            Sequence = (head?.Sequence ?? 0) + 1,
            At = clock.StoredNow(),
            Actor = entry.Actor,
            Action = entry.Action,
            RoomId = entry.RoomId,
            SnapshotId = entry.SnapshotId,
            Outcome = entry.Outcome,
            Metadata = JsonSerializer.Serialize(entry.Metadata),
            PreviousHash = head?.Hash ?? AuditChain.GenesisHash,
            Hash = "",
        };
        row.Hash = AuditChain.Hash(row);
        db.AuditLog.Add(row);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Walks the whole chain in order and reports the first record that does not verify.</summary>
    public async Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        AuditRow? previous = null;
        long checkedCount = 0;
        await foreach (var row in db.AuditLog.AsNoTracking().OrderBy(a => a.Sequence).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            var (valid, reason) = AuditChain.Check(previous, row);
            if (!valid) return new AuditVerification(false, checkedCount, row.Sequence, reason);
            checkedCount++;
            previous = row;
        }
        return new AuditVerification(true, checkedCount, 0, "");
    }
}

/// <summary>What one audit record says: who did what to which room or snapshot, and how it ended.</summary>
public sealed record AuditEntry(string Actor, string Action, string? RoomId, Guid? SnapshotId, string Outcome, IReadOnlyDictionary<string, string> Metadata);

public sealed record AuditVerification(bool Valid, long Checked, long FirstBadSequence, string Reason);
