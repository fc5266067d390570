using System.Diagnostics;
using Grpc.Core;
using Sts.Api.V1;
using Sts.SnapshotApi.Tests.Infrastructure;

namespace Sts.SnapshotApi.Tests.Reliability;

[Collection(PipelineCollection.Name)]
public sealed class ShutdownAndTimeoutTests(PipelineFixture cluster)
{
    [Fact]
    public async Task A_render_over_its_time_limit_is_stopped_and_the_snapshot_fails_with_a_reason()
    {
        await cluster.StopAsync(cluster.Worker);
        var slow = await cluster.StartWorkerAsync(new Dictionary<string, string?> { ["Worker:RenderTimeout"] = "00:00:00.001" });
        try
        {
            // The large room takes well over 1 ms a page, so the limit always falls inside the render.
            var room = TestRooms.Fixture("large", TestRooms.UniqueId("large"));
            await cluster.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });
            var created = (await cluster.Admin.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = room.Id, Title = "too slow", Type = SnapshotType.Pdf })).Snapshot;

            var final = (await cluster.Admin.WatchToEndAsync(created.Id))[^1];

            Assert.Equal(SnapshotStatus.Failed, final.Status);
            Assert.Contains("time limit", final.Error, StringComparison.Ordinal);
        }
        finally
        {
            await cluster.StopAsync(slow);
            await cluster.RestartWorkerAsync();
        }
    }

    [Fact]
    public async Task A_stopping_replica_ends_its_watch_streams_at_once_with_unavailable()
    {
        var replica = await cluster.StartApiAsync();
        await cluster.StopAsync(cluster.Worker);
        try
        {
            var room = TestRooms.WithEveryRole();
            await cluster.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });
            var created = (await cluster.Admin.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = room.Id, Title = "draining", Type = SnapshotType.Pdf })).Snapshot;
            var client = await cluster.AdminOfAsync(replica);
            using var call = client.Snapshots.WatchSnapshot(new WatchSnapshotRequest { SnapshotId = created.Id }, deadline: DateTime.UtcNow.AddSeconds(60));
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));

            var watch = Stopwatch.StartNew();
            var stop = cluster.StopAsync(replica);
            var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));
            await stop;

            Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"the stream took {watch.Elapsed} to end");
        }
        finally
        {
            await cluster.StopAsync(replica);
            await cluster.RestartWorkerAsync();
        }
    }
}
