using System.Diagnostics;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Sts.Api.V1;
using Sts.SnapshotApi.Auth;
using Sts.SnapshotApi.Data;
using Sts.SnapshotApi.Rpc;

namespace Sts.SnapshotApi.Snapshots;

/// <summary>Creates, reads, lists and deletes snapshots. Validate, authorise, do the work, map.</summary>
public sealed partial class SnapshotGrpcService(
    StsDbContext db, RoomAccess access, RpcCall call, SnapshotCreator creator, SnapshotChangeFeed changes, SnapshotFileReader files,
    SnapshotDeleter deleter, TimeProvider clock, IHostApplicationLifetime lifetime, SnapshotVerification verification, SnapshotDiff diffs)
    : SnapshotService.SnapshotServiceBase
{
    public override async Task<CreateSnapshotResponse> CreateSnapshot(CreateSnapshotRequest request, ServerCallContext context)
    {
        var input = SnapshotValidator.Validate(request, call.Caller.Email);
        var ct = context.CancellationToken;
        await access.DemandAsync(db, request.RoomId, RoomAction.Create, ct);
        if (input.Options.CompareToSnapshotId.Length > 0)
            input = input with { CompareTo = await CompareToAsync(request.RoomId, input.Options.CompareToSnapshotId, ct) };

        var outcome = await creator.CreateAsync(input, call.OkRecordFor, call.Audit, ct);

        switch (outcome)
        {
            case CreateOutcome.Created created:
                call.AuditCommitted();
                return new CreateSnapshotResponse { Snapshot = SnapshotMapping.ToProto(created.Snapshot) };
            case CreateOutcome.Replayed replayed:
                call.SnapshotId = replayed.Snapshot.Id;
                return new CreateSnapshotResponse { Snapshot = SnapshotMapping.ToProto(replayed.Snapshot) };
            case CreateOutcome.RequestIdReused reused:
                call.SnapshotId = reused.First.Id;
                var v = new FieldValidator();
                v.Add("request_id", $"was already used for a different request (snapshot {reused.First.Id}); use a new request_id");
                v.ThrowIfAny();
                throw new UnreachableException();
            case CreateOutcome.Busy busy:
                throw RetryLater.Exhausted(
                    input.Scheduled
                        ? $"{busy.Pending} snapshots are waiting for a worker, the most scheduled work may add to; try again later."
                        : $"{busy.Pending} snapshots are waiting for a worker; try again shortly.",
                    busy.RetryAfter);
            case CreateOutcome.NoRoom:
                throw new RpcException(new Status(StatusCode.NotFound, $"Room '{request.RoomId}' not found."));
            default:
                throw new RpcException(new Status(StatusCode.Aborted, "A concurrent request with the same request_id is in flight; retry."));
        }
    }

    public override async Task<GetSnapshotResponse> GetSnapshot(GetSnapshotRequest request, ServerCallContext context)
    {
        var row = await FindVisibleAsync(SnapshotValidator.Validate(request), RoomAction.View, context.CancellationToken);
        return new GetSnapshotResponse { Snapshot = SnapshotMapping.ToProto(row) };
    }

    public override async Task<ListSnapshotsResponse> ListSnapshots(ListSnapshotsRequest request, ServerCallContext context)
    {
        var (pageSize, token, filters) = SnapshotValidator.Validate(request);
        await access.DemandAsync(db, request.RoomId, RoomAction.List, context.CancellationToken);

        var query = db.Snapshots.AsNoTracking().Where(s => s.RoomId == request.RoomId);
        if (request.Status != SnapshotStatus.Unspecified) query = query.Where(s => s.Status == request.Status);
        if (request.Type != SnapshotType.Unspecified) query = query.Where(s => s.SnapshotType == request.Type);
        if (request.CreatedBy.Length > 0)
        {
            var createdBy = request.CreatedBy.ToLowerInvariant();
            query = query.Where(s => s.CreatedBy == createdBy);
        }
        if (token is { } after)
        {
            var at = new DateTimeOffset(after.Position, TimeSpan.Zero);
            query = query.Where(s => s.CreatedAt < at || (s.CreatedAt == at && s.Id.CompareTo(after.Id) < 0));
        }
        var rows = await query.OrderByDescending(s => s.CreatedAt).ThenByDescending(s => s.Id)
            .Take(pageSize + 1).ToListAsync(context.CancellationToken);

        var response = new ListSnapshotsResponse();
        response.Snapshots.AddRange(rows.Take(pageSize).Select(SnapshotMapping.ToProto));
        if (rows.Count > pageSize)
        {
            var last = rows[pageSize - 1];
            response.NextPageToken = new PageToken(last.CreatedAt.UtcTicks, last.Id).Encode(filters);
        }
        return response;
    }

    public override async Task<DeleteSnapshotResponse> DeleteSnapshot(DeleteSnapshotRequest request, ServerCallContext context)
    {
        var row = await FindVisibleAsync(SnapshotValidator.Validate(request), RoomAction.Delete, context.CancellationToken);
        switch (await deleter.DeleteAsync(db, row.Id, audit: null, context.CancellationToken))
        {
            case DeleteOutcome.Deleted deleted:
                foreach (var (what, key) in deleted.Orphans) call.Audit[$"orphan_{what}"] = key;
                return new DeleteSnapshotResponse();
            case DeleteOutcome.Held held:
                call.Audit["reason"] = "legal hold";
                throw new RpcException(new Status(StatusCode.FailedPrecondition, $"Snapshot '{row.Id}' is {LegalHoldText(held.Snapshot)}; release the hold (SetLegalHold) before deleting it."));
            case DeleteOutcome.Unfinished unfinished:
                throw new RpcException(new Status(StatusCode.FailedPrecondition,
                    $"Snapshot '{row.Id}' is {EnumText<SnapshotStatus>.ToText(unfinished.Snapshot.Status)}; it can be deleted once it has completed or failed."));
            default:
                throw new RpcException(new Status(StatusCode.NotFound, $"Snapshot '{row.Id}' not found."));
        }
    }

    public override async Task<SetLegalHoldResponse> SetLegalHold(SetLegalHoldRequest request, ServerCallContext context)
    {
        var (id, hold, reason) = SnapshotValidator.Validate(request);
        var ct = context.CancellationToken;
        await FindVisibleAsync(id, RoomAction.Delete, ct);
        call.Audit["legal_hold"] = hold ? "placed" : "released";
        if (reason.Length > 0) call.Audit["hold_reason"] = reason;
        var at = clock.StoredNow();
        SnapshotRow? row = null;
        await call.InAuditedTransactionAsync(db, async () =>
        {
            var changed = await db.Snapshots.Where(s => s.Id == id).ExecuteUpdateAsync(u => u
                .SetProperty(s => s.LegalHoldAt, hold ? at : null)
                .SetProperty(s => s.LegalHoldBy, hold ? call.Caller.Email : null)
                .SetProperty(s => s.LegalHoldReason, hold ? reason : null), ct);
            if (changed == 0) throw new RpcException(new Status(StatusCode.NotFound, $"Snapshot '{id}' not found."));
            row = await db.Snapshots.AsNoTracking().FirstAsync(s => s.Id == id, ct);
        }, ct);
        return new SetLegalHoldResponse { Snapshot = SnapshotMapping.ToProto(row!) };
    }

    /// <summary>"under legal hold placed by x on 2027-01-02T03:04:05Z: reason", for messages that name the hold.</summary>
    internal static string LegalHoldText(SnapshotRow row) =>
        $"under legal hold placed by {row.LegalHoldBy} on {row.LegalHoldAt:yyyy-MM-dd'T'HH:mm:ss'Z'}: {row.LegalHoldReason}";

    public override async Task WatchSnapshot(WatchSnapshotRequest request, IServerStreamWriter<WatchSnapshotResponse> responseStream, ServerCallContext context)
    {
        var id = SnapshotValidator.Validate(request);
        var ct = context.CancellationToken;
        // Subscribe before the first read, so that no change can slip between reading and waiting.
        using var subscription = changes.Subscribe(id);
        var last = SnapshotMapping.ToProto(await FindVisibleAsync(id, RoomAction.View, ct));
        await responseStream.WriteAsync(new WatchSnapshotResponse { Snapshot = last }, ct);
        // On shutdown the stream ends with UNAVAILABLE at once, so the client re-watches on another replica
        // instead of holding this one up until its shutdown timeout.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(ct, lifetime.ApplicationStopping);
        while (last.Status is not (SnapshotStatus.Completed or SnapshotStatus.Failed))
        {
            SnapshotChangeFeed.Change change;
            try
            {
                change = await subscription.NextAsync(stopping.Token);
            }
            catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                throw new RpcException(new Status(StatusCode.Unavailable, "The server is shutting down; watch again."));
            }
            var current = change.Snapshot ?? throw new RpcException(new Status(StatusCode.NotFound, $"Snapshot '{id}' was deleted."));
            if (current.Equals(last)) continue;
            await responseStream.WriteAsync(new WatchSnapshotResponse { Snapshot = current }, ct);
            last = current;
        }
    }

    public override async Task DownloadSnapshot(DownloadSnapshotRequest request, IServerStreamWriter<DownloadSnapshotResponse> responseStream, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var row = await FindVisibleAsync(SnapshotValidator.Validate(request), RoomAction.View, ct);
        if (row.Status != SnapshotStatus.Completed || row.FileKey is null || row.Sha256 is null)
            throw new RpcException(new Status(StatusCode.FailedPrecondition,
                $"Snapshot '{row.Id}' is {EnumText<SnapshotStatus>.ToText(row.Status)}; it can be downloaded once it has completed."));

        // Opened before anything is sent: a missing file ends the call with DATA_LOSS and no metadata.
        try
        {
            await using var file = await files.OpenAsync(row, ct);
            var extension = Path.GetExtension(row.FileKey);
            await responseStream.WriteAsync(new DownloadSnapshotResponse
            {
                Metadata = new FileMetadata
                {
                    FileName = $"{row.RoomId}-{row.Id:D}{extension}",
                    ContentType = SnapshotMapping.ContentType(row.SnapshotType),
                    SizeBytes = row.SizeBytes ?? 0,
                    Sha256 = row.Sha256,
                },
            }, ct);

            // The hash is checked as the bytes go out; a mismatch ends the stream with DATA_LOSS, so the client discards what it got.
            var total = await files.CopyCheckedAsync(row, file, chunk =>
                responseStream.WriteAsync(new DownloadSnapshotResponse { Chunk = ByteString.CopyFrom(chunk.Span) }, ct), ct);
            call.Audit["bytes"] = total.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (SnapshotIntegrityException ex)
        {
            call.Audit["reason"] = ex.What;
            throw new RpcException(new Status(StatusCode.DataLoss, ex.Message));
        }
    }

    public override async Task<GetTaskResponse> GetTask(GetTaskRequest request, ServerCallContext context)
    {
        var taskId = SnapshotValidator.Validate(request);
        var notFound = new RpcException(new Status(StatusCode.NotFound, $"Task '{request.TaskId}' not found."));
        var task = await db.Tasks.AsNoTracking().FirstOrDefaultAsync(t => t.Id == taskId, context.CancellationToken) ?? throw notFound;
        var snapshot = await db.Snapshots.AsNoTracking().FirstOrDefaultAsync(s => s.Id == task.SnapshotId, context.CancellationToken) ?? throw notFound;
        call.SnapshotId = snapshot.Id;
        await access.DemandAsync(db, snapshot.RoomId, RoomAction.View, context.CancellationToken, $"Task '{request.TaskId}'");
        return new GetTaskResponse { Task = SnapshotMapping.ToProto(task, snapshot) };
    }

    // Compiled once: the hottest query of the API (GetSnapshot, watch, download, delete) skips LINQ translation.
    private static readonly Func<StsDbContext, Guid, CancellationToken, Task<SnapshotRow?>> FindById =
        EF.CompileAsyncQuery((StsDbContext db, Guid id, CancellationToken ct) => db.Snapshots.AsNoTracking().FirstOrDefault(s => s.Id == id));

    /// <summary>Loads a snapshot and checks the caller's right on its room; either failure reads as NOT_FOUND to outsiders.</summary>
    private async Task<SnapshotRow> FindVisibleAsync(Guid id, RoomAction action, CancellationToken ct)
    {
        call.SnapshotId = id;
        var resource = $"Snapshot '{id}'";
        var row = await FindById(db, id, ct)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"{resource} not found."));
        await access.DemandAsync(db, row.RoomId, action, ct, resource);
        return row;
    }
}
