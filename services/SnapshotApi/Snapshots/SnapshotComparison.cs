using Microsoft.EntityFrameworkCore;
using Sts.Shared.Messaging;
using Sts.SnapshotApi.Data;

namespace Sts.SnapshotApi.Snapshots;

/// <summary>
/// Resolves options.compare_to_snapshot_id into what a worker needs to draw a "Changes since" section: the compared
/// snapshot's identity and where its frozen state is. The state travels as the snapshot's own does: inline when it was
/// small enough to be kept inline (RoomState:InlineMaxBytes, so the message grows by at most that), else as the key of
/// its claim-checked copy, which never passes through the outbox or the broker. The worker computes the diff from the
/// two states (<see cref="Sts.Shared.Rooms.RoomDiff"/>, as DiffSnapshots does), so a create costs no more memory here
/// than before, whatever the rooms' sizes.
/// </summary>
public static class SnapshotComparison
{
    /// <summary>The compared snapshot and its room, or null when there is no such snapshot.</summary>
    public static async Task<(string RoomId, ComparedSnapshot Compared)?> FindAsync(StsDbContext db, Guid snapshotId, CancellationToken ct)
    {
        var row = await db.Snapshots.AsNoTracking().FirstOrDefaultAsync(s => s.Id == snapshotId, ct);
        if (row is null) return null;
        var state = await db.FrozenStateAsync(row, ct);
        return (row.RoomId, new ComparedSnapshot
        {
            SnapshotId = row.Id,
            Title = row.Title,
            CreatedAt = row.CreatedAt,
            RoomVersion = row.RoomVersion,
            ContentHash = row.ContentHash,
            RoomState = state.Inline,
            RoomStateKey = state.StorageKey,
        });
    }

    /// <summary>
    /// For a message sent again (the reaper): the compared snapshot as it is now, or, once it is deleted, its id alone, so
    /// that the worker fails the snapshot with that reason instead of leaving the section out.
    /// </summary>
    public static async Task<ComparedSnapshot?> ForResendAsync(StsDbContext db, string compareTo, CancellationToken ct)
    {
        if (!Guid.TryParseExact(compareTo, "D", out var id)) return null;
        return (await FindAsync(db, id, ct))?.Compared
            ?? new ComparedSnapshot { SnapshotId = id, Title = "", CreatedAt = default, RoomVersion = 0, ContentHash = "" };
    }
}
