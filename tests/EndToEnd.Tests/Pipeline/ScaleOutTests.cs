using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Sts.Api.V1;
using Sts.PdfWorker.Generation;

namespace Sts.EndToEnd.Tests.Pipeline;

/// <summary>More than one worker and more than one API replica, on the same broker and database.</summary>
[Collection(PipelineCollection.Name)]
public sealed class ScaleOutTests(PipelineFixture cluster)
{
    [Fact]
    public async Task With_two_workers_every_snapshot_is_rendered_exactly_once()
    {
        var second = await cluster.StartWorkerAsync();
        try
        {
            var workers = new[] { cluster.Worker, second }.Select(w => w.Services.GetRequiredService<WorkerStatistics>()).ToArray();
            var before = workers.Select(w => w.Renders).ToArray();
            var room = TestRooms.WithEveryRole();
            await cluster.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });

            var created = await Task.WhenAll(Enumerable.Range(0, 24).Select(async i =>
                (await cluster.Admin.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = room.Id, Title = $"n{i}", Type = SnapshotType.Pdf })).Snapshot));
            var finals = await Task.WhenAll(created.Select(async s => (await cluster.Admin.WatchToEndAsync(s.Id))[^1]));

            Assert.All(finals, s => Assert.Equal(SnapshotStatus.Completed, s.Status));
            var renders = workers.Select((w, i) => w.Renders - before[i]).ToArray();
            Assert.Equal(created.Length, renders.Sum());
            Assert.All(renders, r => Assert.True(r > 0, $"each worker should take a share, got {string.Join("/", renders)}"));
        }
        finally
        {
            await cluster.StopAsync(second);
        }
    }

    [Fact]
    public async Task A_watcher_on_one_replica_sees_a_snapshot_made_on_another()
    {
        var replicaB = await cluster.StartApiAsync();
        try
        {
            var room = TestRooms.WithEveryRole();
            await cluster.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });
            await cluster.StopAsync(cluster.Worker);
            // Created on replica A while no worker runs, so the watcher on B must see every later change arrive.
            var created = (await cluster.Admin.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = room.Id, Title = "cross", Type = SnapshotType.Pdf })).Snapshot;
            using var call = (await cluster.AdminOfAsync(replicaB)).Snapshots.WatchSnapshot(new WatchSnapshotRequest { SnapshotId = created.Id },
                deadline: DateTime.UtcNow.AddSeconds(60));
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            Assert.Equal(SnapshotStatus.Queued, call.ResponseStream.Current.Snapshot.Status);
            await cluster.RestartWorkerAsync();

            var states = new List<Snapshot>();
            await foreach (var message in call.ResponseStream.ReadAllAsync()) states.Add(message.Snapshot);

            Assert.Equal(SnapshotStatus.Completed, states[^1].Status);
        }
        finally
        {
            await cluster.StopAsync(replicaB);
            await cluster.RestartWorkerAsync();
        }
    }

    [Fact]
    public async Task A_render_that_keeps_failing_ends_failed_with_a_reason() => await cluster.WithFailingStorageWorkerAsync(async () =>
    {
        var room = TestRooms.WithEveryRole();
        await cluster.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });
        var created = (await cluster.Admin.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = room.Id, Title = "doomed", Type = SnapshotType.Csv })).Snapshot;

        var final = (await cluster.Admin.WatchToEndAsync(created.Id))[^1];

        Assert.Equal(SnapshotStatus.Failed, final.Status);
        Assert.Contains("after all retries", final.Error, StringComparison.Ordinal);
        var task = (await cluster.Admin.Snapshots.GetTaskAsync(new GetTaskRequest { TaskId = created.TaskId })).Task;
        Assert.Equal(SnapshotTaskStatus.Failed, task.Status);
        Assert.Equal(final.Error, task.Error);
        Assert.Equal(1, await cluster.ScalarAsync<long>(
            "SELECT count(*) FROM audit_log WHERE snapshot_id = @p0 AND action = 'SnapshotFailed'", Guid.Parse(created.Id)));
        // The poison message itself is kept in the error queue, not dropped.
        if (cluster.Broker.Management is not null)
        {
            await SnapshotWaiting.EventuallyAsync(async () => await cluster.Broker.QueueFigureAsync("generate-snapshot_error") >= 1,
                TimeSpan.FromSeconds(30), "the message to reach the error queue");
        }
    });
}
