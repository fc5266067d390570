using Microsoft.AspNetCore.Builder;
using Sts.Api.V1;

namespace Sts.EndToEnd.Tests.Pipeline;

[Collection(PipelineCollection.Name)]
public sealed class PriorityTests(PipelineFixture cluster)
{
    /// <summary>
    /// A backlog of slow scheduled renders does not stand in front of a person's snapshot: scheduled work has its own
    /// queue and render slot. The backlog and then the person's request wait in RabbitMQ, in that order, before a
    /// worker with one slot of each kind starts; the person's snapshot is done before all but (at most) the first of
    /// the backlog. With one shared queue it would be done after all four.
    /// </summary>
    [Fact]
    public async Task A_scheduled_backlog_does_not_delay_an_interactive_snapshot()
    {
        var slow = await TestRooms.SlowAsync(cluster);
        var small = TestRooms.WithEveryRole();
        await cluster.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = small });
        var batch = new List<string>();
        WebApplication? worker = null;
        try
        {
            await cluster.StopAsync(cluster.Worker);
            for (var i = 0; i < 4; i++)
            {
                batch.Add((await cluster.Admin.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest
                    { RoomId = slow.Id, Title = $"nightly {i}", Type = SnapshotType.Pdf, Priority = SnapshotPriority.Scheduled })).Snapshot.Id);
            }
            var person = (await cluster.Admin.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = small.Id, Title = "now", Type = SnapshotType.Pdf })).Snapshot;
            foreach (var id in batch.Append(person.Id)) await cluster.WaitUntilRelayedAsync(Guid.Parse(id));
            worker = await cluster.StartWorkerAsync(new Dictionary<string, string?>
            {
                ["Worker:Concurrency"] = "1", ["Worker:ScheduledConcurrency"] = "1", ["RenderCache:Enabled"] = "false",
            });

            var mine = (await cluster.Admin.WatchToEndAsync(person.Id, TimeSpan.FromSeconds(60)))[^1];
            var backlog = new List<Snapshot>();
            foreach (var id in batch) backlog.Add((await cluster.Admin.WatchToEndAsync(id, TimeSpan.FromSeconds(180)))[^1]);

            Assert.Equal(SnapshotStatus.Completed, mine.Status);
            Assert.All(backlog, s => Assert.Equal(SnapshotStatus.Completed, s.Status));
            // Completion times as the worker stamped them, so that how soon this test looked does not matter.
            var ahead = backlog.Count(s => s.CompleteTime.ToDateTimeOffset() < mine.CompleteTime.ToDateTimeOffset());
            Assert.True(ahead <= 1, $"{ahead} of the 4 scheduled snapshots were done before the interactive one " +
                $"(it at {mine.CompleteTime}; they at {string.Join(", ", backlog.Select(s => s.CompleteTime))})");
            Assert.True(await cluster.ScalarAsync<bool>("SELECT scheduled FROM tasks WHERE snapshot_id = @p0", Guid.Parse(batch[0])));
        }
        finally
        {
            if (worker is not null) await cluster.StopAsync(worker);
            await cluster.RestartWorkerAsync();
        }
    }
}
