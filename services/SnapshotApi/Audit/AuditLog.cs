using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sts.SnapshotApi.Data;

namespace Sts.SnapshotApi.Audit;

/// <summary>
/// Writes audit records and verifies the chain. Records are written unsealed, with no lock: a mutation's record in the
/// mutation's own transaction (<see cref="Add"/>), any other call's by group commit (<see cref="AppendAsync"/>).
/// <see cref="AuditSealer"/> chains them within a second.
/// </summary>
public sealed class AuditLog(
    AuditWriter writer, AuditAnchor anchor, IDbContextFactory<StsDbContext> dbFactory, TimeProvider clock, IOptions<AuditOptions> options)
{
    /// <summary>Adds the record to <paramref name="db"/>, so it commits or rolls back with the caller's SaveChanges and transaction.</summary>
    public void Add(StsDbContext db, AuditEntry entry) => db.AuditLog.Add(Row(entry));

    /// <summary>Writes one record on its own; completes once it is committed.</summary>
    public Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken) => writer.WriteAsync(Row(entry), cancellationToken);

    /// <summary>
    /// Walks the sealed chain in order and reports the first record that does not verify, then checks the chain against
    /// its anchor outside the database. Waits (up to Audit:VerifyWait) for the records committed before it began to be sealed.
    /// </summary>
    public async Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var upTo = await db.AuditLog.MaxAsync(a => (long?)a.Id, cancellationToken) ?? 0;
        var deadline = clock.GetUtcNow() + options.Value.VerifyWait;
        long unsealed;
        while ((unsealed = await db.AuditLog.LongCountAsync(a => a.Sequence == null && a.Id <= upTo, cancellationToken)) > 0 && clock.GetUtcNow() < deadline)
            await Task.Delay(TimeSpan.FromMilliseconds(50), clock, cancellationToken);
        AuditAnchor.Head? anchored;
        try
        {
            anchored = await anchor.ReadAsync(cancellationToken);
        }
        catch (System.Text.Json.JsonException ex)
        {
            // Someone who could rewrite the anchor could hide removed records: an unreadable anchor fails verification.
            return new AuditVerification(false, 0, 0, $"the chain head anchored outside the database ({Sts.Shared.Storage.StorageKey.AuditAnchor}) is unreadable: {ex.Message}", unsealed, 0);
        }

        AuditRow? previous = null;
        long checkedCount = 0;
        var sealedRows = db.AuditLog.AsNoTracking().Where(a => a.Sequence != null).OrderBy(a => a.Sequence).AsAsyncEnumerable();
        await foreach (var row in sealedRows.WithCancellation(cancellationToken))
        {
            var (valid, reason) = AuditChain.Check(previous, row);
            if (valid && anchored is not null && row.Sequence == anchored.Sequence && row.Hash != anchored.Hash)
                (valid, reason) = (false, $"the record differs from the chain head anchored outside the database at {anchored.At:O}");
            if (!valid) return new AuditVerification(false, checkedCount, row.Sequence!.Value, reason, unsealed, anchored?.Sequence ?? 0);
            checkedCount++;
            previous = row;
        }
        if (anchored is not null && (previous?.Sequence ?? 0) < anchored.Sequence)
        {
            return new AuditVerification(false, checkedCount, (previous?.Sequence ?? 0) + 1,
                $"the chain ends at {previous?.Sequence ?? 0} but its head was anchored at {anchored.Sequence} ({anchored.At:O}): the newest records were removed",
                unsealed, anchored.Sequence);
        }
        return new AuditVerification(true, checkedCount, 0, "", unsealed, anchored?.Sequence ?? 0);
    }

    private AuditRow Row(AuditEntry entry) => new()
    {
        At = clock.StoredNow(),
        Actor = entry.Actor,
        Action = entry.Action,
        RoomId = entry.RoomId,
        SnapshotId = entry.SnapshotId,
        Outcome = entry.Outcome,
        Metadata = JsonSerializer.Serialize(entry.Metadata),
    };
}

/// <summary>What one audit record says: who did what to which room or snapshot, and how it ended.</summary>
public sealed record AuditEntry(string Actor, string Action, string? RoomId, Guid? SnapshotId, string Outcome, IReadOnlyDictionary<string, string> Metadata);

/// <param name="Unsealed">Records committed before verification began that were still unsealed when it gave up waiting.</param>
/// <param name="AnchoredSequence">The chain head last anchored outside the database (0 before the first).</param>
public sealed record AuditVerification(bool Valid, long Checked, long FirstBadSequence, string Reason, long Unsealed, long AnchoredSequence);
