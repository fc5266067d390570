using System.Security.Cryptography;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using Sts.Api.V1;
using Sts.Shared.Messaging;
using Sts.Shared.Rooms;
using Sts.Shared.Storage;
using Sts.SnapshotApi.Audit;
using Sts.SnapshotApi.Auth;
using Sts.SnapshotApi.Data;
using Sts.SnapshotApi.Outbox;
using Sts.SnapshotApi.Rooms;
using Sts.SnapshotApi.Rpc;
using Sts.SnapshotApi.Telemetry;

namespace Sts.SnapshotApi.Snapshots;

/// <summary>Creates, reads, lists and deletes snapshots. Validate, authorise, do the work, map.</summary>
public sealed partial class SnapshotGrpcService(
    StsDbContext db, RoomAccess access, RpcCall call, AuditLog auditLog, TimeProvider clock,
    SnapshotChangeFeed changes, ISnapshotStore store, RoomFreezer freezer, ApiMetrics metrics, IOptions<TaskOptions> taskOptions,
    IHostApplicationLifetime lifetime, ILogger<SnapshotGrpcService> logger)
    : SnapshotService.SnapshotServiceBase
{
    private const int ChunkBytes = 64 * 1024;
    // Watchers are woken by notifications; this poll only bounds the delay when a notification is lost.
    private static readonly TimeSpan WatchPoll = TimeSpan.FromSeconds(2);

    public override async Task<CreateSnapshotResponse> CreateSnapshot(CreateSnapshotRequest request, ServerCallContext context)
    {
        SnapshotValidator.Validate(request);
        var ct = context.CancellationToken;
        await access.DemandAsync(db, request.RoomId, RoomAction.Create, ct);

        var options = SnapshotMapping.Effective(request.Options);
        var optionsJson = SnapshotMapping.OptionsJson(options);
        var requestId = request.RequestId.Length > 0 ? Guid.ParseExact(request.RequestId, "D").ToString("D") : null;
        if (requestId is not null && await ReplayAsync(request, requestId, optionsJson, ct) is { } replay)
            return replay;

        // Backpressure: refuse work the workers cannot reach soon, rather than queue it without bound. Scheduled
        // work meets a lower bound, so the headroom above it stays free for people waiting on a snapshot.
        var scheduled = request.Priority == SnapshotPriority.Scheduled;
        if (scheduled) call.Audit["priority"] = "scheduled";
        var bound = scheduled ? taskOptions.Value.MaxPendingScheduledTasks : taskOptions.Value.MaxPendingTasks;
        var pending = await db.Tasks.CountAsync(t => t.Status == SnapshotTaskStatus.Pending, ct);
        if (pending >= bound)
        {
            call.Audit["reason"] = $"{pending} tasks pending";
            throw RetryLater.Exhausted(
                scheduled
                    ? $"{pending} snapshots are waiting for a worker, the most scheduled work may add to; try again later."
                    : $"{pending} snapshots are waiting for a worker; try again shortly.",
                TimeSpan.FromSeconds(scheduled ? 30 : 5));
        }

        var now = clock.StoredNow();
        var snapshotId = Guid.CreateVersion7(now);
        var frozen = await freezer.FreezeAsync(db, request.RoomId, snapshotId, ct)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"Room '{request.RoomId}' not found."));
        var snapshot = new SnapshotRow
        {
            Id = snapshotId,
            TaskId = Guid.CreateVersion7(now),
            RoomId = request.RoomId,
            Title = request.Title,
            CreatedBy = call.Caller.Email,
            Status = SnapshotStatus.Queued,
            SnapshotType = request.Type,
            Options = optionsJson,
            RoomVersion = frozen.RoomVersion,
            ContentHash = frozen.ContentHash,
            StateBytes = frozen.Bytes,
            StateKey = frozen.StateKey,
            RequestId = requestId,
            CreatedAt = now,
        };
        call.SnapshotId = snapshot.Id;
        if (frozen.StateKey is not null) call.Audit["state"] = "claim-checked";
        db.Snapshots.Add(snapshot);
        db.SnapshotStates.Add(new SnapshotStateRow { Id = snapshot.Id, RoomState = frozen.Inline });
        db.Tasks.Add(new TaskRow
        {
            Id = snapshot.TaskId, SnapshotId = snapshot.Id, Status = SnapshotTaskStatus.Pending, Scheduled = scheduled, CreatedAt = now, UpdatedAt = now,
        });
        db.Outbox.Add(OutboxRow.For(SnapshotMapping.ToMessage(snapshot, options, frozen.Inline, scheduled), now, System.Diagnostics.Activity.Current?.Id));

        // The snapshot, its task, the outbox message and the audit record commit together or not at all; a claim-checked
        // state written for a snapshot that did not commit is removed again.
        try
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await db.SaveChangesAsync(ct);
            await auditLog.AppendInTransactionAsync(db, call.ToAuditEntry(StatusCode.OK), ct);
            await db.Database.ExecuteSqlAsync($"SELECT pg_notify({OutboxRelay.WakeChannel}, '')", ct);
            await tx.CommitAsync(ct);
            call.AuditWritten = true;
            metrics.SnapshotCreated(EnumText<SnapshotType>.ToText(snapshot.SnapshotType));
        }
        catch (DbUpdateException ex) when (requestId is not null && ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // A concurrent call with the same request_id won the race; answer as it did.
            await freezer.DiscardAsync(frozen);
            db.ChangeTracker.Clear();
            return await ReplayAsync(request, requestId, optionsJson, ct)
                ?? throw new RpcException(new Status(StatusCode.Aborted, "A concurrent request with the same request_id is in flight; retry."));
        }
        catch
        {
            await freezer.DiscardAsync(frozen);
            throw;
        }
        return new CreateSnapshotResponse { Snapshot = SnapshotMapping.ToProto(snapshot) };
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
        if (row.Status is not (SnapshotStatus.Completed or SnapshotStatus.Failed))
            throw new RpcException(new Status(StatusCode.FailedPrecondition,
                $"Snapshot '{row.Id}' is {EnumText<SnapshotStatus>.ToText(row.Status)}; it can be deleted once it has completed or failed."));
        // Raw SQL: EF cannot bulk-delete a table split between two entity types. The task goes by cascade.
        await db.Database.ExecuteSqlAsync($"DELETE FROM snapshots WHERE id = {row.Id}", context.CancellationToken);
        // Row first, objects second: a failure here leaves an orphan (reported by verification), never a row without its file.
        foreach (var (key, what) in new[] { (row.FileKey, "file"), (row.StateKey, "state") })
        {
            if (key is null) continue;
            try
            {
                await store.DeleteAsync(key, CancellationToken.None);
            }
            catch (IOException ex)
            {
                logger.LogWarning(ex, "Snapshot {SnapshotId} deleted but its {What} {Key} could not be removed", row.Id, what, key);
                call.Audit[$"orphan_{what}"] = key;
            }
        }
        return new DeleteSnapshotResponse();
    }

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
            try
            {
                await subscription.WaitAsync(WatchPoll, stopping.Token);
            }
            catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                throw new RpcException(new Status(StatusCode.Unavailable, "The server is shutting down; watch again."));
            }
            var row = await db.Snapshots.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, ct)
                ?? throw new RpcException(new Status(StatusCode.NotFound, $"Snapshot '{id}' was deleted."));
            var current = SnapshotMapping.ToProto(row);
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

        await using var file = await store.OpenReadAsync(row.FileKey, ct) ?? throw DataLoss(row, "its stored file is missing");
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
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[ChunkBytes];
        long total = 0;
        int read;
        while ((read = await file.ReadAsync(buffer, ct)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            total += read;
            await responseStream.WriteAsync(new DownloadSnapshotResponse { Chunk = ByteString.CopyFrom(buffer, 0, read) }, ct);
        }
        if (total != row.SizeBytes || Convert.ToHexStringLower(hash.GetHashAndReset()) != row.Sha256)
            throw DataLoss(row, "its stored file does not match the recorded SHA-256");
        call.Audit["bytes"] = total.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "Integrity failure: snapshot {SnapshotId} ({FileKey}): {What}")]
    private static partial void IntegrityFailure(ILogger logger, Guid snapshotId, string? fileKey, string what);

    private RpcException DataLoss(SnapshotRow row, string what)
    {
        IntegrityFailure(logger, row.Id, row.FileKey, what);
        metrics.ChecksumMismatch();
        call.Audit["reason"] = what;
        return new RpcException(new Status(StatusCode.DataLoss, $"Snapshot '{row.Id}' cannot be served: {what}."));
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

    /// <summary>Loads a snapshot and checks the caller's right on its room; either failure reads as NOT_FOUND to outsiders.</summary>
    private async Task<SnapshotRow> FindVisibleAsync(Guid id, RoomAction action, CancellationToken ct)
    {
        call.SnapshotId = id;
        var resource = $"Snapshot '{id}'";
        var row = await db.Snapshots.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, ct)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"{resource} not found."));
        await access.DemandAsync(db, row.RoomId, action, ct, resource);
        return row;
    }

    /// <summary>AIP-155: the first snapshot made with this request_id, if any. A different request under the same id is an error.</summary>
    private async Task<CreateSnapshotResponse?> ReplayAsync(CreateSnapshotRequest request, string requestId, string optionsJson, CancellationToken ct)
    {
        var first = await db.Snapshots.AsNoTracking()
            .FirstOrDefaultAsync(s => s.CreatedBy == call.Caller.Email && s.RequestId == requestId, ct);
        if (first is null) return null;
        call.SnapshotId = first.Id;
        var sameOptions = SnapshotMapping.OptionsJson(SnapshotMapping.ToProto(first).Options) == optionsJson;
        if (first.RoomId != request.RoomId || first.Title != request.Title || first.SnapshotType != request.Type || !sameOptions)
        {
            var v = new Violations();
            v.Add("request_id", $"was already used for a different request (snapshot {first.Id}); use a new request_id");
            v.ThrowIfAny();
        }
        call.Audit["replay_of_request_id"] = requestId;
        return new CreateSnapshotResponse { Snapshot = SnapshotMapping.ToProto(first) };
    }
}
