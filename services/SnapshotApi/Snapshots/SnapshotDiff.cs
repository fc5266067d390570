using Google.Protobuf.WellKnownTypes;
using Sts.Api.V1;
using Sts.Shared.Rooms;
using Sts.SnapshotApi.Data;

namespace Sts.SnapshotApi.Snapshots;

/// <summary>
/// Compares two snapshots from their frozen room states (inline or claim-checked, read by the same
/// <see cref="RoomStateReader"/> as the worker's), never from their files, so it works for every type and status.
/// Knows nothing of gRPC: callers map the outcome.
/// </summary>
public sealed class SnapshotDiff(StsDbContext db, RoomStateReader states)
{
    public async Task<DiffOutcome> ComputeAsync(SnapshotRow from, SnapshotRow to, CancellationToken ct)
    {
        Room before, after;
        try
        {
            before = await ReadAsync(from, ct);
        }
        catch (UnreadableStateException ex)
        {
            return new DiffOutcome.Unreadable(from.Id, ex.Message);
        }
        try
        {
            // A snapshot compared with itself: one read, and the diff is empty by construction.
            after = from.Id == to.Id ? before : await ReadAsync(to, ct);
        }
        catch (UnreadableStateException ex)
        {
            return new DiffOutcome.Unreadable(to.Id, ex.Message);
        }
        return new DiffOutcome.Computed(RoomDiff.Compute(before, after));
    }

    /// <summary>One page of <paramref name="diff"/>, with the summary of all of it.</summary>
    public static DiffSnapshotsResponse Page(SnapshotRow from, SnapshotRow to, RoomDiff diff, int offset, int pageSize, Func<int, string> nextPageToken)
    {
        var response = new DiffSnapshotsResponse
        {
            RoomId = to.RoomId,
            Base = Side(from),
            Target = Side(to),
            TotalChanges = diff.Changes.Count,
        };
        response.Summary.AddRange(diff.Summary);
        response.Changes.AddRange(diff.Changes.Skip(offset).Take(pageSize));
        if (offset + pageSize < diff.Changes.Count)
            response.NextPageToken = nextPageToken(offset + pageSize);
        return response;
    }

    private async Task<Room> ReadAsync(SnapshotRow row, CancellationToken ct) => await states.ReadAsync(await db.FrozenStateAsync(row, ct), ct);

    private static DiffedSnapshot Side(SnapshotRow row) => new()
    {
        SnapshotId = row.Id.ToString("D"),
        Title = row.Title,
        CreateTime = Timestamp.FromDateTimeOffset(row.CreatedAt),
        RoomVersion = row.RoomVersion,
        ContentHash = row.ContentHash,
    };
}

/// <summary>What became of a diff.</summary>
public abstract record DiffOutcome
{
    private DiffOutcome() { }

    public sealed record Computed(RoomDiff Diff) : DiffOutcome;

    /// <summary>A snapshot's frozen state is missing or no longer matches its content hash.</summary>
    public sealed record Unreadable(Guid SnapshotId, string Reason) : DiffOutcome;
}
