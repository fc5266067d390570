using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sts.Api.V1;
using Sts.Shared.Storage;
using Sts.SnapshotApi.Audit;
using Sts.SnapshotApi.Data;

namespace Sts.SnapshotApi.Snapshots;

/// <summary>
/// Says which snapshots produced a file with a given SHA-256, and what the service can prove of each: from the snapshot
/// while it exists, from the audit log once it is deleted (the completion record keeps the file's SHA-256, the creation
/// record who asked for it and what was frozen), and whether the hash chain verifies up to those records. Knows nothing
/// of gRPC or of the caller: the service decides what the caller may see.
/// </summary>
public sealed class SnapshotVerification(StsDbContext db, ISnapshotStore store, IOptions<AuditOptions> auditOptions, TimeProvider clock)
{
    private const string CreatedAction = "SnapshotService.CreateSnapshot";
    private const string CompletedAction = "SnapshotCompleted";
    private const string DeletedAction = "SnapshotService.DeleteSnapshot";

    /// <summary>Every snapshot whose file had this SHA-256, existing or deleted, oldest first (ids are UUIDv7).</summary>
    public async Task<IReadOnlyList<(Guid SnapshotId, string RoomId)>> FindAsync(string sha256, CancellationToken ct)
    {
        var existing = await db.Snapshots.AsNoTracking().Where(s => s.Sha256 == sha256).Select(s => new { s.Id, s.RoomId }).ToListAsync(ct);
        // The literal action matches the partial index ix_audit_log_completed_sha256.
        var completed = await db.AuditLog
            .FromSql($"SELECT * FROM audit_log WHERE action = 'SnapshotCompleted' AND metadata ->> 'sha256' = {sha256}")
            .AsNoTracking()
            .Where(a => a.SnapshotId != null && a.RoomId != null)
            .Select(a => new { Id = a.SnapshotId!.Value, RoomId = a.RoomId! })
            .ToListAsync(ct);
        return existing.Concat(completed).Select(s => (s.Id, s.RoomId)).Distinct().OrderBy(s => s.Id).ToList();
    }

    public async Task<VerifiedFile> DescribeAsync(Guid snapshotId, string roomId, CancellationToken ct)
    {
        var row = await db.Snapshots.AsNoTracking().FirstOrDefaultAsync(s => s.Id == snapshotId, ct);
        var records = await RecordsAsync(snapshotId, ct);
        var file = new VerifiedFile { SnapshotId = snapshotId.ToString("D"), RoomId = roomId, SnapshotExists = row is not null };
        if (row is not null)
        {
            file.Type = row.SnapshotType;
            file.CreatedBy = row.CreatedBy;
            file.CreateTime = Timestamp.FromDateTimeOffset(row.CreatedAt);
            file.ContentHash = row.ContentHash;
            file.RoomVersion = row.RoomVersion;
            file.SizeBytes = row.SizeBytes ?? 0;
            file.CompleteTime = row.CompletedAt is { } done ? Timestamp.FromDateTimeOffset(done) : null;
            file.Title = row.Title;
            file.FileStored = await StoredAsync(row.FileKey, ct);
        }
        else
        {
            // What the audit log kept of a deleted snapshot.
            if (records.FirstOrDefault(r => r.Action == CreatedAction) is { } created)
            {
                file.CreatedBy = created.Actor;
                file.CreateTime = created.Time;
                var type = created.Metadata.GetValueOrDefault("type", "");
                file.Type = System.Enum.GetValues<SnapshotType>().FirstOrDefault(t => EnumText<SnapshotType>.ToText(t) == type);
                file.ContentHash = created.Metadata.GetValueOrDefault("content_hash", "");
                file.RoomVersion = long.TryParse(created.Metadata.GetValueOrDefault("room_version"), NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : 0;
            }
            if (records.LastOrDefault(r => r.Action == CompletedAction) is { } completed)
            {
                file.CompleteTime = completed.Time;
                file.SizeBytes = long.TryParse(completed.Metadata.GetValueOrDefault("size_bytes"), NumberStyles.None, CultureInfo.InvariantCulture, out var size) ? size : 0;
            }
        }
        file.AuditEvents.AddRange(records);
        (file.AuditChainVerified, file.AuditChainDetail) = await VerifyChainAsync(records, ct);
        return file;
    }

    /// <summary>
    /// The records of the snapshot's creation (not of repeats answered from it), completion and deletion, in the order
    /// they were written. Records are sealed into the chain within about a second; this waits up to Audit:VerifyWait for that.
    /// </summary>
    private async Task<List<AuditEvent>> RecordsAsync(Guid snapshotId, CancellationToken ct)
    {
        var deadline = clock.GetUtcNow() + auditOptions.Value.VerifyWait;
        while (true)
        {
            var rows = await db.AuditLog.AsNoTracking()
                .Where(a => a.SnapshotId == snapshotId
                            && (a.Action == CompletedAction || ((a.Action == CreatedAction || a.Action == DeletedAction) && a.Outcome == "ok")))
                .OrderBy(a => a.Id)
                .ToListAsync(ct);
            var records = rows.Select(AuditGrpcService.ToProto)
                .Where(e => !(e.Action == CreatedAction && e.Metadata.ContainsKey("replay_of_request_id")))
                .ToList();
            if (records.All(e => e.Sequence > 0) || clock.GetUtcNow() >= deadline) return records;
            await Task.Delay(TimeSpan.FromMilliseconds(50), clock, ct);
        }
    }

    /// <summary>Walks the sealed chain from its first record up to the last of <paramref name="records"/>.</summary>
    private async Task<(bool Verified, string Detail)> VerifyChainAsync(List<AuditEvent> records, CancellationToken ct)
    {
        if (records.Count == 0)
            return (false, "the audit log has no record of this snapshot's creation or completion");
        if (records.Any(e => e.Sequence == 0))
            return (false, "some of these records are not sealed into the chain yet (that takes about a second); ask again");
        var upTo = records.Max(e => e.Sequence);
        var reported = records.ToDictionary(e => e.Sequence, e => e.Hash);
        AuditRow? previous = null;
        var chain = db.AuditLog.AsNoTracking().Where(a => a.Sequence != null && a.Sequence <= upTo).OrderBy(a => a.Sequence).AsAsyncEnumerable();
        await foreach (var row in chain.WithCancellation(ct))
        {
            var (valid, reason) = AuditChain.Check(previous, row);
            if (valid && reported.TryGetValue(row.Sequence!.Value, out var hash) && hash != row.Hash)
                (valid, reason) = (false, "the record changed while it was being verified");
            if (!valid) return (false, $"the chain breaks at record {row.Sequence}: {reason}");
            previous = row;
        }
        return previous?.Sequence == upTo
            ? (true, "")
            : (false, $"the chain ends at record {previous?.Sequence ?? 0}, before record {upTo}");
    }

    private async Task<bool> StoredAsync(string? key, CancellationToken ct)
    {
        if (key is null) return false;
        await using var stream = await store.OpenReadAsync(key, ct);
        return stream is not null;
    }
}
