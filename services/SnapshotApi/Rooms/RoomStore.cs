using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Sts.Api.V1;
using Sts.SnapshotApi.Data;

namespace Sts.SnapshotApi.Rooms;

/// <summary>Reads and writes a room with its children. Used by the room API and by snapshot creation, which freezes rooms.</summary>
public static class RoomStore
{
    public static async Task<RoomSummary> UpsertAsync(StsDbContext db, Room room, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        // Insert-if-missing then lock: concurrent upserts of one room queue up instead of failing.
        await db.Database.ExecuteSqlAsync(
            $"INSERT INTO rooms (id, title, location, version, updated_at) VALUES ({room.Id}, '', '', 0, {now}) ON CONFLICT (id) DO NOTHING",
            cancellationToken);
        var row = await LockAsync(db, room.Id, cancellationToken)
            ?? throw new InvalidOperationException("The room row vanished inside its own transaction.");
        row.Title = room.Title;
        row.Location = room.Location;
        row.StsEta = room.StsEta?.ToDateTimeOffset();
        row.Version++;
        row.UpdatedAt = now;

        await db.Vessels.Where(x => x.RoomId == room.Id).ExecuteDeleteAsync(cancellationToken);
        await db.Parties.Where(x => x.RoomId == room.Id).ExecuteDeleteAsync(cancellationToken);
        await db.Documents.Where(x => x.RoomId == room.Id).ExecuteDeleteAsync(cancellationToken);
        await db.Approvals.Where(x => x.RoomId == room.Id).ExecuteDeleteAsync(cancellationToken);
        await db.Activities.Where(x => x.RoomId == room.Id).ExecuteDeleteAsync(cancellationToken);

        db.Vessels.AddRange(room.Vessels.Select((v, i) => new VesselRow { RoomId = room.Id, Ordinal = i, Name = v.Name, Imo = v.Imo, Role = v.Role }));
        db.Parties.AddRange(room.Parties.Select((p, i) => new PartyRow
        {
            RoomId = room.Id, Email = p.Email.ToLowerInvariant(), Ordinal = i, Role = p.Role, Company = p.Company, Name = p.Name,
        }));
        db.Documents.AddRange(room.Documents.Select((d, i) => new DocumentRow
        {
            RoomId = room.Id, Id = d.Id, Ordinal = i, Type = d.Type, Vessel = d.Vessel, Status = d.Status,
            ExpiresOn = d.ExpiresOn, UploadedBy = d.UploadedBy, Notes = d.Notes,
        }));
        db.Approvals.AddRange(room.Approvals.Select((a, i) => new ApprovalRow
        {
            RoomId = room.Id, Ordinal = i, PartyRole = a.PartyRole, Status = a.Status, DecidedBy = a.DecidedBy,
            DecidedAt = a.DecidedAt?.ToDateTimeOffset(),
        }));
        db.Activities.AddRange(room.Activities.Select((a, i) => ToRow(room.Id, i, a)));
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        db.ChangeTracker.Clear();

        return new RoomSummary
        {
            Id = room.Id, Version = row.Version, PartyCount = room.Parties.Count, DocumentCount = room.Documents.Count,
            ApprovalCount = room.Approvals.Count, ActivityCount = room.Activities.Count, UpdateTime = Timestamp.FromDateTimeOffset(now),
        };
    }

    public static async Task<RoomSummary> AppendActivityAsync(
        StsDbContext db, string roomId, IReadOnlyList<Activity> activities, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var row = await LockAsync(db, roomId, cancellationToken)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"Room '{roomId}' not found."));
        var existing = await db.Activities.CountAsync(a => a.RoomId == roomId, cancellationToken);
        if (existing + activities.Count > RoomValidator.MaxActivities)
            throw new RpcException(new Status(StatusCode.FailedPrecondition,
                $"Room '{roomId}' holds {existing} activity entries; {activities.Count} more would pass the limit of {RoomValidator.MaxActivities}."));
        var next = (await db.Activities.Where(a => a.RoomId == roomId).MaxAsync(a => (long?)a.Seq, cancellationToken) ?? -1) + 1;
        db.Activities.AddRange(activities.Select((a, i) => ToRow(roomId, next + i, a)));
        row.Version++;
        row.UpdatedAt = now;
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        db.ChangeTracker.Clear();
        return await SummaryAsync(db, row, cancellationToken);
    }

    /// <summary>The room as stored, children in their original order; null when there is no such room.</summary>
    public static async Task<Room?> LoadAsync(StsDbContext db, string roomId, CancellationToken cancellationToken)
    {
        var row = await db.Rooms.AsNoTracking().FirstOrDefaultAsync(r => r.Id == roomId, cancellationToken);
        if (row is null) return null;
        var room = new Room
        {
            Id = row.Id, Title = row.Title, Location = row.Location, Version = row.Version,
            StsEta = row.StsEta is { } eta ? Timestamp.FromDateTimeOffset(eta) : null,
            UpdateTime = Timestamp.FromDateTimeOffset(row.UpdatedAt),
        };
        room.Vessels.AddRange((await db.Vessels.AsNoTracking().Where(x => x.RoomId == roomId).OrderBy(x => x.Ordinal).ToListAsync(cancellationToken))
            .Select(v => new Vessel { Name = v.Name, Imo = v.Imo, Role = v.Role }));
        room.Parties.AddRange((await db.Parties.AsNoTracking().Where(x => x.RoomId == roomId).OrderBy(x => x.Ordinal).ToListAsync(cancellationToken))
            .Select(p => new Party { Email = p.Email, Role = p.Role, Company = p.Company, Name = p.Name }));
        room.Documents.AddRange((await db.Documents.AsNoTracking().Where(x => x.RoomId == roomId).OrderBy(x => x.Ordinal).ToListAsync(cancellationToken))
            .Select(d => new Document
            {
                Id = d.Id, Type = d.Type, Vessel = d.Vessel, Status = d.Status, ExpiresOn = d.ExpiresOn, UploadedBy = d.UploadedBy, Notes = d.Notes,
            }));
        room.Approvals.AddRange((await db.Approvals.AsNoTracking().Where(x => x.RoomId == roomId).OrderBy(x => x.Ordinal).ToListAsync(cancellationToken))
            .Select(a => new Approval
            {
                PartyRole = a.PartyRole, Status = a.Status, DecidedBy = a.DecidedBy,
                DecidedAt = a.DecidedAt is { } at ? Timestamp.FromDateTimeOffset(at) : null,
            }));
        room.Activities.AddRange((await db.Activities.AsNoTracking().Where(x => x.RoomId == roomId).OrderBy(x => x.Seq).ToListAsync(cancellationToken))
            .Select(a => new Activity { At = Timestamp.FromDateTimeOffset(a.At), Actor = a.Actor, Action = a.Action, Detail = a.Detail }));
        return room;
    }

    private static Task<RoomRow?> LockAsync(StsDbContext db, string roomId, CancellationToken cancellationToken) =>
        db.Rooms.FromSql($"SELECT * FROM rooms WHERE id = {roomId} FOR UPDATE").SingleOrDefaultAsync(cancellationToken);

    private static ActivityRow ToRow(string roomId, long seq, Activity a) => new()
    {
        RoomId = roomId, Seq = seq, At = a.At.ToDateTimeOffset(), Actor = a.Actor, Action = a.Action, Detail = a.Detail,
    };

    private static async Task<RoomSummary> SummaryAsync(StsDbContext db, RoomRow row, CancellationToken cancellationToken) => new()
    {
        Id = row.Id,
        Version = row.Version,
        PartyCount = await db.Parties.CountAsync(x => x.RoomId == row.Id, cancellationToken),
        DocumentCount = await db.Documents.CountAsync(x => x.RoomId == row.Id, cancellationToken),
        ApprovalCount = await db.Approvals.CountAsync(x => x.RoomId == row.Id, cancellationToken),
        ActivityCount = await db.Activities.CountAsync(x => x.RoomId == row.Id, cancellationToken),
        UpdateTime = Timestamp.FromDateTimeOffset(row.UpdatedAt),
    };
}
