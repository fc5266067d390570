using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sts.Api.V1;
using Sts.SnapshotApi.Audit;
using Sts.SnapshotApi.Auth;
using Sts.SnapshotApi.Data;
using Sts.SnapshotApi.Rpc;

namespace Sts.SnapshotApi.Schedules;

/// <summary>Creates, reads, lists, changes and deletes schedules, and sets rooms' policies for manual snapshots. Validate, authorise, do the work, map.</summary>
public sealed class ScheduleGrpcService(
    StsDbContext db, RoomAccess access, RpcCall call, TimeProvider clock, IOptions<ScheduleOptions> options)
    : ScheduleService.ScheduleServiceBase
{
    public override async Task<CreateScheduleResponse> CreateSchedule(CreateScheduleRequest request, ServerCallContext context)
    {
        var now = clock.StoredNow();
        var spec = ScheduleValidator.Validate(request, options.Value, now);
        var ct = context.CancellationToken;
        await access.DemandAsync(db, spec.RoomId, RoomAction.Create, ct);

        var row = spec.NewRow(Guid.CreateVersion7(now), call.Caller.Email, now);
        call.Audit["schedule_id"] = row.Id.ToString("D");
        await call.InAuditedTransactionAsync(db, () =>
        {
            db.Schedules.Add(row);
            return Task.CompletedTask;
        }, ct);
        return new CreateScheduleResponse { Schedule = ScheduleMapping.ToProto(row, lastSuccess: null) };
    }

    public override async Task<GetScheduleResponse> GetSchedule(GetScheduleRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var row = await FindVisibleAsync(ScheduleValidator.Validate(request), RoomAction.View, ct);
        return new GetScheduleResponse { Schedule = (await MapAsync([row], ct))[0] };
    }

    public override async Task<ListSchedulesResponse> ListSchedules(ListSchedulesRequest request, ServerCallContext context)
    {
        var (pageSize, token, filters) = ScheduleValidator.Validate(request);
        var ct = context.CancellationToken;
        await access.DemandAsync(db, request.RoomId, RoomAction.List, ct);

        var query = db.Schedules.AsNoTracking().Where(s => s.RoomId == request.RoomId);
        if (token is { } after)
        {
            var at = new DateTimeOffset(after.Position, TimeSpan.Zero);
            query = query.Where(s => s.CreatedAt > at || (s.CreatedAt == at && s.Id.CompareTo(after.Id) > 0));
        }
        var rows = await query.OrderBy(s => s.CreatedAt).ThenBy(s => s.Id).Take(pageSize + 1).ToListAsync(ct);

        var response = new ListSchedulesResponse();
        response.Schedules.AddRange(await MapAsync(rows.Take(pageSize).ToList(), ct));
        if (rows.Count > pageSize)
        {
            var last = rows[pageSize - 1];
            response.NextPageToken = new PageToken(last.CreatedAt.UtcTicks, last.Id).Encode(filters);
        }
        return response;
    }

    public override async Task<UpdateScheduleResponse> UpdateSchedule(UpdateScheduleRequest request, ServerCallContext context)
    {
        var now = clock.StoredNow();
        var update = ScheduleValidator.Validate(request, options.Value, now);
        var ct = context.CancellationToken;
        await FindVisibleAsync(update.Id, RoomAction.Create, ct);

        call.Audit["changed"] = string.Join(",", update.Mask.Order(StringComparer.Ordinal));
        ScheduleRow? row = null;
        // Under the row lock, so the update lays over what is stored now; a run that read the schedule before commits
        // only if its timing and pause state are as it read them (the concurrency tokens).
        await call.InAuditedTransactionAsync(db, async () =>
        {
            row = await LockAsync(update.Id, update.Version, ct);
            var spec = ScheduleValidator.Merge(ScheduleMapping.ToProto(row, lastSuccess: null), update, options.Value, now);
            if (spec.Paused != row.Paused) call.Audit["paused"] = spec.Paused ? "true" : "false";
            spec.ApplyTo(row, update.ChangesTiming, now);
        }, ct);
        return new UpdateScheduleResponse { Schedule = (await MapAsync([row!], ct))[0] };
    }

    public override async Task<DeleteScheduleResponse> DeleteSchedule(DeleteScheduleRequest request, ServerCallContext context)
    {
        var (id, version) = ScheduleValidator.Validate(request);
        var ct = context.CancellationToken;
        await FindVisibleAsync(id, RoomAction.Create, ct);

        await call.InAuditedTransactionAsync(db, async () => db.Schedules.Remove(await LockAsync(id, version, ct)), ct);
        return new DeleteScheduleResponse();
    }

    public override async Task<GetRoomRetentionResponse> GetRoomRetention(GetRoomRetentionRequest request, ServerCallContext context)
    {
        var roomId = ScheduleValidator.Validate(request);
        var ct = context.CancellationToken;
        await access.DemandAsync(db, roomId, RoomAction.View, ct);

        var row = await db.RoomRetention.AsNoTracking().FirstOrDefaultAsync(r => r.RoomId == roomId, ct);
        return new GetRoomRetentionResponse { Retention = ScheduleMapping.ToProto(roomId, row) };
    }

    public override async Task<SetRoomRetentionResponse> SetRoomRetention(SetRoomRetentionRequest request, ServerCallContext context)
    {
        var (roomId, maxAge) = ScheduleValidator.Validate(request);
        var ct = context.CancellationToken;
        await access.DemandAsync(db, roomId, RoomAction.Delete, ct);

        call.Audit["manual_max_age"] = maxAge is { } age ? ScheduleValidator.Describe(age) : "none";
        var now = clock.StoredNow();
        var by = call.Caller.Email;
        await call.InAuditedTransactionAsync(db, async () =>
        {
            if (maxAge is { } keep)
            {
                await db.Database.ExecuteSqlAsync($"""
                    INSERT INTO room_retention (room_id, manual_max_age, updated_at, updated_by) VALUES ({roomId}, {keep}, {now}, {by})
                    ON CONFLICT (room_id) DO UPDATE SET manual_max_age = excluded.manual_max_age, updated_at = excluded.updated_at, updated_by = excluded.updated_by
                    """, ct);
            }
            else await db.RoomRetention.Where(r => r.RoomId == roomId).ExecuteDeleteAsync(ct);
        }, ct);
        var row = maxAge is null ? null : new RoomRetentionRow { RoomId = roomId, ManualMaxAge = maxAge.Value, UpdatedAt = now, UpdatedBy = by };
        return new SetRoomRetentionResponse { Retention = ScheduleMapping.ToProto(roomId, row) };
    }

    /// <summary>Loads a schedule and checks the caller's right on its room; either failure reads as NOT_FOUND to outsiders.</summary>
    private async Task<ScheduleRow> FindVisibleAsync(Guid id, RoomAction action, CancellationToken ct)
    {
        call.Audit["schedule_id"] = id.ToString("D");
        var resource = $"Schedule '{id}'";
        var row = await db.Schedules.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, ct)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"{resource} not found."));
        await access.DemandAsync(db, row.RoomId, action, ct, resource);
        return row;
    }

    /// <summary>The schedule, tracked and locked for this transaction; ABORTED when it no longer has the etag the caller sent.</summary>
    private async Task<ScheduleRow> LockAsync(Guid id, int? version, CancellationToken ct)
    {
        var row = (await db.Schedules.FromSql($"SELECT * FROM schedules WHERE id = {id} FOR UPDATE").ToListAsync(ct)).SingleOrDefault()
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"Schedule '{id}' not found."));
        if (version is { } expected && expected != row.Version)
            throw new RpcException(new Status(StatusCode.Aborted, $"Schedule '{id}' has changed since etag {expected} (it is now {row.Version}); read it again."));
        return row;
    }

    /// <summary>The schedules as messages, each with the due time of its newest slot whose snapshot completed.</summary>
    private async Task<List<Schedule>> MapAsync(IReadOnlyList<ScheduleRow> rows, CancellationToken ct)
    {
        var ids = rows.Select(r => r.Id).ToList();
        var lastSuccess = await db.ScheduleSlots
            .Where(sl => ids.Contains(sl.ScheduleId))
            .Join(db.Snapshots.Where(s => s.Status == SnapshotStatus.Completed), sl => sl.SnapshotId, s => (Guid?)s.Id, (sl, _) => sl)
            .GroupBy(sl => sl.ScheduleId)
            .Select(g => new { ScheduleId = g.Key, DueAt = g.Max(sl => sl.DueAt) })
            .ToDictionaryAsync(x => x.ScheduleId, x => x.DueAt, ct);
        return rows.Select(r => ScheduleMapping.ToProto(r, lastSuccess.TryGetValue(r.Id, out var due) ? due : null)).ToList();
    }
}
