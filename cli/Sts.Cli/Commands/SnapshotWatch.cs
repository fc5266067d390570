using System.Runtime.CompilerServices;
using Grpc.Core;
using Sts.Api.V1;
using Sts.Cli.Display;

namespace Sts.Cli.Commands;

/// <summary>Follows WatchSnapshot to the end, for `snapshots watch` and `snapshots create --wait`.</summary>
public static class SnapshotWatch
{
    /// <summary>Shows progress, then the outcome; exit 0 only when the snapshot completed.</summary>
    public static async Task<int> FollowAsync(ApiConnection connection, string snapshotId, CancellationToken ct)
    {
        using var call = connection.Snapshots.WatchSnapshot(new WatchSnapshotRequest { SnapshotId = snapshotId }, connection.Stream(ct));
        var last = await ProgressView.ShowAsync(States(call.ResponseStream, ct), ct);
        if (last is null || !SnapshotView.IsFinished(last))
        {
            var where = last is null ? "before the first state" : $"at {SnapshotView.Status(last)}";
            throw new CliException($"The watch of snapshot {snapshotId} ended {where}, before the snapshot finished.");
        }
        SnapshotView.WriteOutcome(last);
        return last.Status == SnapshotStatus.Completed ? ExitCodes.Ok : ExitCodes.Failure;
    }

    private static async IAsyncEnumerable<Snapshot> States(IAsyncStreamReader<WatchSnapshotResponse> stream, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var response in stream.ReadAllAsync(ct))
            yield return response.Snapshot;
    }
}
