using System.Diagnostics;
using Grpc.Core;
using Sts.Api.V1;
using Sts.Shared.Messaging;
using Sts.SnapshotApi.Auth;
using Sts.SnapshotApi.Rpc;

namespace Sts.SnapshotApi.Snapshots;

/// <summary>The RPCs that prove what a file is and show what changed: VerifyFile, DiffSnapshots, and CreateSnapshot's comparison.</summary>
public sealed partial class SnapshotGrpcService
{
    public override async Task<VerifyFileResponse> VerifyFile(VerifyFileRequest request, ServerCallContext context)
    {
        var sha256 = SnapshotValidator.Validate(request);
        var ct = context.CancellationToken;
        call.Audit["sha256"] = sha256;

        // Only snapshots of rooms the caller may view count: for an outsider a known file reads as an unknown hash.
        var candidates = await verification.FindAsync(sha256, ct);
        var visible = new List<(Guid SnapshotId, string RoomId)>();
        foreach (var candidate in candidates)
        {
            if (await access.AllowsAsync(db, candidate.RoomId, RoomAction.View, ct)) visible.Add(candidate);
        }
        if (visible.Count == 0)
        {
            // The answer reveals nothing, but the room's audit log does record that an outsider holds one of its files.
            if (candidates.Count > 0) (call.SnapshotId, call.RoomId) = candidates[0];
            call.Audit["reason"] = candidates.Count > 0 ? "caller is not a party to the room of the file" : "no snapshot has this file";
            throw new RpcException(new Status(StatusCode.NotFound,
                $"No snapshot file with SHA-256 {sha256} is known to you. A file changed in any byte has another SHA-256."));
        }
        (call.SnapshotId, call.RoomId) = visible[0];

        var response = new VerifyFileResponse();
        foreach (var (snapshotId, roomId) in visible)
            response.Files.Add(await verification.DescribeAsync(snapshotId, roomId, ct));
        return response;
    }

    public override async Task<DiffSnapshotsResponse> DiffSnapshots(DiffSnapshotsRequest request, ServerCallContext context)
    {
        var (baseId, targetId, pageSize, offset, filters) = SnapshotValidator.Validate(request);
        var ct = context.CancellationToken;
        call.Audit["base_snapshot_id"] = baseId.ToString("D");
        var from = await FindVisibleAsync(baseId, RoomAction.View, ct);
        var to = await FindVisibleAsync(targetId, RoomAction.View, ct);
        if (from.RoomId != to.RoomId)
        {
            call.Audit["reason"] = "snapshots of different rooms";
            throw new RpcException(new Status(StatusCode.FailedPrecondition,
                $"Snapshot '{baseId}' is of room '{from.RoomId}' and snapshot '{targetId}' of room '{to.RoomId}'; only snapshots of the same room can be compared."));
        }

        switch (await diffs.ComputeAsync(from, to, ct))
        {
            case DiffOutcome.Computed computed:
                call.Audit["changes"] = computed.Diff.Changes.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return SnapshotDiff.Page(from, to, computed.Diff, offset, pageSize, next => new PageToken(next, Guid.Empty).Encode(filters));
            case DiffOutcome.Unreadable unreadable:
                call.Audit["reason"] = unreadable.Reason;
                throw new RpcException(new Status(StatusCode.DataLoss,
                    $"The frozen room state of snapshot '{unreadable.SnapshotId}' cannot be read: {unreadable.Reason}"));
            default:
                throw new UnreachableException();
        }
    }

    /// <summary>The snapshot a new PDF compares with; NOT_FOUND alike for a missing snapshot and one of another room.</summary>
    private async Task<ComparedSnapshot> CompareToAsync(string roomId, string snapshotId, CancellationToken ct)
    {
        var found = await SnapshotComparison.FindAsync(db, Guid.ParseExact(snapshotId, "D"), ct);
        if (found is not { } match || match.RoomId != roomId)
        {
            call.Audit["reason"] = "snapshot to compare with not found in the room";
            throw new RpcException(new Status(StatusCode.NotFound, $"Snapshot '{snapshotId}' to compare with was not found in room '{roomId}'."));
        }
        call.Audit["compare_to_snapshot_id"] = snapshotId;
        return match.Compared;
    }
}
