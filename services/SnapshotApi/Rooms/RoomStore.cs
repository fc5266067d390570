using Google.Protobuf.WellKnownTypes;
using Microsoft.EntityFrameworkCore;
using Sts.Api.V1;
using Sts.Shared.Rooms;
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
        row.ContentBytes = room.CalculateSize();

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

    /// <summary>Appends to a room's activity log, or says why not: no such room, or one that would pass a limit.</summary>
    public static async Task<AppendOutcome> AppendActivityAsync(
        StsDbContext db, string roomId, IReadOnlyList<Activity> activities, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var row = await LockAsync(db, roomId, cancellationToken);
        if (row is null) return new AppendOutcome.NoRoom();
        var existing = await db.Activities.CountAsync(a => a.RoomId == roomId, cancellationToken);
        if (existing + activities.Count > RoomValidator.MaxActivities)
            return new AppendOutcome.Refused(
                $"Room '{roomId}' holds {existing} activity entries; {activities.Count} more would pass the limit of {RoomValidator.MaxActivities}.");
        // Rooms stored before sizes were kept learn theirs on their first append.
        var size = row.ContentBytes ?? await ContentBytesAsync(db, roomId, cancellationToken);
        var added = activities.Sum(RoomValidator.EncodedSize);
        if (size + added > RoomValidator.MaxRoomBytes)
            return new AppendOutcome.Refused(
                $"Room '{roomId}' encodes to {size} bytes; these {activities.Count} entries ({added} bytes) would pass the limit of {RoomValidator.MaxRoomBytes} bytes per room.");
        var next = (await db.Activities.Where(a => a.RoomId == roomId).MaxAsync(a => (long?)a.Seq, cancellationToken) ?? -1) + 1;
        db.Activities.AddRange(activities.Select((a, i) => ToRow(roomId, next + i, a)));
        row.Version++;
        row.UpdatedAt = now;
        row.ContentBytes = size + added;
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        db.ChangeTracker.Clear();
        return new AppendOutcome.Appended(await SummaryAsync(db, row, cancellationToken));
    }

    /// <summary>The room's version, or null when there is no such room.</summary>
    public static Task<long?> VersionAsync(StsDbContext db, string roomId, CancellationToken cancellationToken) =>
        db.Rooms.AsNoTracking().Where(r => r.Id == roomId).Select(r => (long?)r.Version).FirstOrDefaultAsync(cancellationToken);

    /// <summary>The room as stored, children in their original order; null when there is no such room.</summary>
    public static async Task<Room?> LoadAsync(StsDbContext db, string roomId, CancellationToken cancellationToken)
    {
        var row = await db.Rooms.AsNoTracking().FirstOrDefaultAsync(r => r.Id == roomId, cancellationToken);
        if (row is null) return null;
        var room = Header(row);
        room.Version = row.Version;
        room.UpdateTime = Timestamp.FromDateTimeOffset(row.UpdatedAt);
        room.Vessels.AddRange((await Vessels(db, roomId).ToListAsync(cancellationToken)).Select(ToProto));
        room.Parties.AddRange((await Parties(db, roomId).ToListAsync(cancellationToken)).Select(ToProto));
        room.Documents.AddRange((await Documents(db, roomId).ToListAsync(cancellationToken)).Select(ToProto));
        room.Approvals.AddRange((await Approvals(db, roomId).ToListAsync(cancellationToken)).Select(ToProto));
        room.Activities.AddRange((await Activities(db, roomId).ToListAsync(cancellationToken)).Select(ToProto));
        return room;
    }

    /// <summary>
    /// Streams the room as stored, children in their original order, into <paramref name="writer"/> as its frozen state
    /// (no update time: when the room last changed is not part of its content). One row is in memory at a time, so a
    /// room at the size limits costs no more memory than a small one. Returns the room's version, or null when there is
    /// no such room. Run it inside a repeatable-read transaction so that a concurrent upsert cannot tear the room.
    /// </summary>
    public static async Task<long?> WriteFrozenAsync(StsDbContext db, string roomId, CanonicalRoomWriter writer, CancellationToken cancellationToken)
    {
        var row = await db.Rooms.AsNoTracking().FirstOrDefaultAsync(r => r.Id == roomId, cancellationToken);
        if (row is null) return null;
        await writer.WriteHeaderAsync(Header(row), cancellationToken);
        await foreach (var v in Vessels(db, roomId).AsAsyncEnumerable().WithCancellation(cancellationToken))
            await writer.WriteAsync(RoomSection.Vessels, ToProto(v), cancellationToken);
        await foreach (var p in Parties(db, roomId).AsAsyncEnumerable().WithCancellation(cancellationToken))
            await writer.WriteAsync(RoomSection.Parties, ToProto(p), cancellationToken);
        await foreach (var d in Documents(db, roomId).AsAsyncEnumerable().WithCancellation(cancellationToken))
            await writer.WriteAsync(RoomSection.Documents, ToProto(d), cancellationToken);
        await foreach (var a in Approvals(db, roomId).AsAsyncEnumerable().WithCancellation(cancellationToken))
            await writer.WriteAsync(RoomSection.Approvals, ToProto(a), cancellationToken);
        await foreach (var a in Activities(db, roomId).AsAsyncEnumerable().WithCancellation(cancellationToken))
            await writer.WriteAsync(RoomSection.Activities, ToProto(a), cancellationToken);
        await writer.EndAsync(row.Version, cancellationToken);
        return row.Version;
    }

    /// <summary>The room's encoded size without the fields the service sets (version, update time), as UpsertRoom receives it.</summary>
    private static async Task<long> ContentBytesAsync(StsDbContext db, string roomId, CancellationToken cancellationToken)
    {
        var room = (await LoadAsync(db, roomId, cancellationToken))!;
        room.Version = 0;
        room.UpdateTime = null;
        return room.CalculateSize();
    }

    private static Room Header(RoomRow row) => new()
    {
        Id = row.Id, Title = row.Title, Location = row.Location, StsEta = row.StsEta is { } eta ? Timestamp.FromDateTimeOffset(eta) : null,
    };

    private static IQueryable<VesselRow> Vessels(StsDbContext db, string roomId) =>
        db.Vessels.AsNoTracking().Where(x => x.RoomId == roomId).OrderBy(x => x.Ordinal);

    private static IQueryable<PartyRow> Parties(StsDbContext db, string roomId) =>
        db.Parties.AsNoTracking().Where(x => x.RoomId == roomId).OrderBy(x => x.Ordinal);

    private static IQueryable<DocumentRow> Documents(StsDbContext db, string roomId) =>
        db.Documents.AsNoTracking().Where(x => x.RoomId == roomId).OrderBy(x => x.Ordinal);

    private static IQueryable<ApprovalRow> Approvals(StsDbContext db, string roomId) =>
        db.Approvals.AsNoTracking().Where(x => x.RoomId == roomId).OrderBy(x => x.Ordinal);

    private static IQueryable<ActivityRow> Activities(StsDbContext db, string roomId) =>
        db.Activities.AsNoTracking().Where(x => x.RoomId == roomId).OrderBy(x => x.Seq);

    private static Vessel ToProto(VesselRow v) => new() { Name = v.Name, Imo = v.Imo, Role = v.Role };

    private static Party ToProto(PartyRow p) => new() { Email = p.Email, Role = p.Role, Company = p.Company, Name = p.Name };

    private static Document ToProto(DocumentRow d) => new()
    {
        Id = d.Id, Type = d.Type, Vessel = d.Vessel, Status = d.Status, ExpiresOn = d.ExpiresOn, UploadedBy = d.UploadedBy, Notes = d.Notes,
    };

    private static Approval ToProto(ApprovalRow a) => new()
    {
        PartyRole = a.PartyRole, Status = a.Status, DecidedBy = a.DecidedBy, DecidedAt = a.DecidedAt is { } at ? Timestamp.FromDateTimeOffset(at) : null,
    };

    private static Activity ToProto(ActivityRow a) => new() { At = Timestamp.FromDateTimeOffset(a.At), Actor = a.Actor, Action = a.Action, Detail = a.Detail };

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

/// <summary>What became of an append.</summary>
public abstract record AppendOutcome
{
    private AppendOutcome() { }

    public sealed record Appended(RoomSummary Room) : AppendOutcome;

    public sealed record NoRoom : AppendOutcome;

    /// <summary>The room would pass one of its limits; nothing was written.</summary>
    public sealed record Refused(string Reason) : AppendOutcome;
}
