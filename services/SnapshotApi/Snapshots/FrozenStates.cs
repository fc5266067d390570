using Microsoft.EntityFrameworkCore;
using Sts.Shared.Rooms;
using Sts.SnapshotApi.Data;

namespace Sts.SnapshotApi.Snapshots;

/// <summary>Where a snapshot's frozen room state is kept: inline in its row, or claim-checked in the snapshot store.</summary>
public static class FrozenStates
{
    /// <summary>The state of <paramref name="row"/>, to read with <see cref="RoomStateReader"/>; the inline text is loaded only when there is no claim check.</summary>
    public static async Task<FrozenState> FrozenStateAsync(this StsDbContext db, SnapshotRow row, CancellationToken ct)
    {
        var inline = row.StateKey is null
            ? await db.SnapshotStates.AsNoTracking().Where(s => s.Id == row.Id).Select(s => s.RoomState).FirstOrDefaultAsync(ct)
            : null;
        return new FrozenState(row.ContentHash, inline, row.StateKey);
    }
}
