using Microsoft.EntityFrameworkCore;
using Npgsql;
using Sts.Api.V1;
using Sts.SnapshotApi.Audit;
using Sts.SnapshotApi.Data;
using Sts.SnapshotApi.Outbox;
using Sts.SnapshotApi.Telemetry;

namespace Sts.SnapshotApi.Snapshots;

/// <summary>
/// Makes snapshots: replays a repeated request_id (AIP-155), admits or refuses (backpressure), freezes the room, and
/// commits the snapshot, its task, its outbox message and its audit record in one transaction. Knows nothing of gRPC:
/// callers map the outcome.
/// </summary>
public sealed class SnapshotCreator(
    StsDbContext db, RoomFreezer freezer, SnapshotAdmission admission, AuditLog auditLog, OutboxSignal outbox, TimeProvider clock, ApiMetrics metrics)
{
    /// <param name="audit">The audit record of the creation, given the new snapshot's id; written in the same transaction.</param>
    /// <param name="auditDetail">Filled with what the audit record of any outcome should say (priority, replays, refusals).</param>
    public async Task<CreateOutcome> CreateAsync(
        NewSnapshot request, Func<Guid, AuditEntry> audit, IDictionary<string, string> auditDetail, CancellationToken ct)
    {
        var optionsJson = SnapshotMapping.OptionsJson(request.Options);
        if (request.Scheduled) auditDetail["priority"] = "scheduled";
        if (request.RequestId is not null && await ReplayAsync(request, optionsJson, auditDetail, ct) is { } replay)
            return replay;

        if (await admission.CheckAsync(request.Scheduled, ct) is { } busy)
        {
            auditDetail["reason"] = $"{busy.Pending} tasks pending";
            return busy;
        }

        var now = clock.StoredNow();
        var snapshotId = Guid.CreateVersion7(now);
        if (await freezer.FreezeAsync(db, request.RoomId, snapshotId, ct) is not { } frozen)
            return new CreateOutcome.NoRoom();
        var snapshot = new SnapshotRow
        {
            Id = snapshotId,
            TaskId = Guid.CreateVersion7(now),
            RoomId = request.RoomId,
            Title = request.Title,
            CreatedBy = request.CreatedBy,
            Status = SnapshotStatus.Queued,
            SnapshotType = request.Type,
            Options = optionsJson,
            RoomVersion = frozen.RoomVersion,
            ContentHash = frozen.ContentHash,
            StateBytes = frozen.Bytes,
            StateKey = frozen.StateKey,
            RequestId = request.RequestId,
            CreatedAt = now,
        };
        if (frozen.StateKey is not null) auditDetail["state"] = "claim-checked";
        db.Snapshots.Add(snapshot);
        if (frozen.Inline is not null) db.SnapshotStates.Add(new SnapshotStateRow { Id = snapshot.Id, RoomState = frozen.Inline });
        db.Tasks.Add(new TaskRow
        {
            Id = snapshot.TaskId, SnapshotId = snapshot.Id, Status = SnapshotTaskStatus.Pending, Scheduled = request.Scheduled,
            CreatedAt = now, UpdatedAt = now,
        });
        db.Outbox.Add(OutboxRow.For(SnapshotMapping.ToMessage(snapshot, request.Options, frozen.Inline, request.Scheduled, request.CompareTo), now, System.Diagnostics.Activity.Current?.Id));

        // What VerifyFile can still say of the snapshot once it is deleted and the audit log is all that is left of it.
        auditDetail["type"] = EnumText<SnapshotType>.ToText(snapshot.SnapshotType);
        auditDetail["content_hash"] = snapshot.ContentHash;
        auditDetail["room_version"] = snapshot.RoomVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // The snapshot, its task, the outbox message and the audit record commit together or not at all; a claim-checked
        // state written for a snapshot that did not commit is removed again.
        auditLog.Add(db, audit(snapshot.Id));
        try
        {
            // One SaveChanges is one transaction and one round trip for all four rows.
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (request.RequestId is not null && ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // A concurrent call with the same request_id won the race; answer as it did.
            await freezer.DiscardAsync(frozen);
            db.ChangeTracker.Clear();
            return await ReplayAsync(request, optionsJson, auditDetail, ct) ?? new CreateOutcome.RequestIdInFlight();
        }
        catch
        {
            await freezer.DiscardAsync(frozen);
            throw;
        }
        outbox.Wake();
        admission.Created();
        metrics.SnapshotCreated(EnumText<SnapshotType>.ToText(snapshot.SnapshotType));
        return new CreateOutcome.Created(snapshot);
    }

    /// <summary>AIP-155: the first snapshot made with this request_id, if any; a different request under the same id is refused.</summary>
    private async Task<CreateOutcome?> ReplayAsync(NewSnapshot request, string optionsJson, IDictionary<string, string> auditDetail, CancellationToken ct)
    {
        var first = await db.Snapshots.AsNoTracking()
            .FirstOrDefaultAsync(s => s.CreatedBy == request.CreatedBy && s.RequestId == request.RequestId, ct);
        if (first is null) return null;
        var sameOptions = SnapshotMapping.OptionsJson(SnapshotMapping.ToProto(first).Options) == optionsJson;
        if (first.RoomId != request.RoomId || first.Title != request.Title || first.SnapshotType != request.Type || !sameOptions)
            return new CreateOutcome.RequestIdReused(first);
        auditDetail["replay_of_request_id"] = request.RequestId!;
        return new CreateOutcome.Replayed(first);
    }
}
