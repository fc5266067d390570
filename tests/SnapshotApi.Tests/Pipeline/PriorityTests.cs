using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Sts.Api.V1;
using Sts.PdfWorker.Generation;
using Sts.SnapshotApi.Tests.Infrastructure;

namespace Sts.SnapshotApi.Tests.Pipeline;

[Collection(PipelineCollection.Name)]
public sealed class PriorityTests(PipelineFixture cluster)
{
    /// <summary>
    /// A backlog of slow scheduled renders does not stand in front of a person's snapshot: scheduled work has its own
    /// queue and render slot, so the interactive snapshot completes while most of the backlog is still waiting.
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
            worker = await cluster.StartWorkerAsync(new Dictionary<string, string?>
            {
                ["Worker:Concurrency"] = "1", ["Worker:ScheduledConcurrency"] = "1", ["RenderCache:Enabled"] = "false",
            });
            for (var i = 0; i < 4; i++)
            {
                batch.Add((await cluster.Admin.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest
                    { RoomId = slow.Id, Title = $"nightly {i}", Type = SnapshotType.Pdf, Priority = SnapshotPriority.Scheduled })).Snapshot.Id);
            }
            var statistics = worker.Services.GetRequiredService<WorkerStatistics>();
            await SnapshotWaiting.EventuallyAsync(() => Task.FromResult(statistics.InFlight == 1), TimeSpan.FromSeconds(30), "a scheduled render to start");

            var person = (await cluster.Admin.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = small.Id, Title = "now", Type = SnapshotType.Pdf })).Snapshot;
            var final = (await cluster.Admin.WatchToEndAsync(person.Id, TimeSpan.FromSeconds(60)))[^1];

            Assert.Equal(SnapshotStatus.Completed, final.Status);
            var batchDone = 0;
            foreach (var id in batch)
            {
                var state = (await cluster.Admin.Snapshots.GetSnapshotAsync(new GetSnapshotRequest { SnapshotId = id })).Snapshot;
                if (state.Status == SnapshotStatus.Completed) batchDone++;
            }
            Assert.True(batchDone <= 1, $"{batchDone} of the 4 scheduled snapshots finished before the interactive one");
            Assert.True(await cluster.ScalarAsync<bool>("SELECT scheduled FROM tasks WHERE snapshot_id = @p0", Guid.Parse(batch[0])));
            // The backlog still finishes.
            foreach (var id in batch) Assert.Equal(SnapshotStatus.Completed, (await cluster.Admin.WatchToEndAsync(id, TimeSpan.FromSeconds(180)))[^1].Status);
        }
        finally
        {
            if (worker is not null) await cluster.StopAsync(worker);
            await cluster.RestartWorkerAsync();
        }
    }
}
