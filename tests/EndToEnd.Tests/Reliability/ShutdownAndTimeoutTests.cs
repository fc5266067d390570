using System.Diagnostics;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Sts.Api.V1;
using Sts.PdfWorker.Generation;
using Sts.Shared.Messaging;

namespace Sts.EndToEnd.Tests.Reliability;

[Collection(PipelineCollection.Name)]
public sealed class ShutdownAndTimeoutTests(PipelineFixture cluster)
{
    /// <summary>
    /// A stopping worker (the host's StopAsync, which is what SIGTERM runs) finishes the render it holds and hands
    /// back the messages it had prefetched; another worker completes those, and nothing is FAILED.
    /// </summary>
    [Fact]
    public async Task A_stopping_worker_finishes_the_render_in_hand_and_returns_its_prefetched_messages()
    {
        var room = await TestRooms.SlowAsync(cluster);
        WebApplication? draining = null;
        try
        {
            // All three wait in the queue before the worker starts, so that it takes them at once: one to render, two prefetched.
            await cluster.StopAsync(cluster.Worker);
            var ids = new List<string>();
            for (var i = 0; i < 3; i++)
                ids.Add((await cluster.Admin.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = room.Id, Title = $"drain {i}", Type = SnapshotType.Pdf })).Snapshot.Id);
            foreach (var id in ids) await cluster.WaitUntilRelayedAsync(Guid.Parse(id));
            draining = await cluster.StartWorkerAsync(new Dictionary<string, string?>
            {
                // One message in hand (rendering) and two prefetched: taken messages waiting for a render slot would be
                // rendered within the drain time like the one in hand, which is not what this test is about.
                ["Worker:Concurrency"] = "1", ["Worker:MessageConcurrency"] = "1", ["Worker:Prefetch"] = "3", ["RenderCache:Enabled"] = "false",
            });
            var statistics = draining.Services.GetRequiredService<WorkerStatistics>();
            await SnapshotWaiting.EventuallyAsync(() => Task.FromResult(statistics.InFlight == 1), TimeSpan.FromSeconds(30), "the worker to start a render");

            await cluster.StopAsync(draining);

            // Finished or handed back, each of them: MassTransit may still start a message it had already
            // dispatched when the stop came, so one or two renders finish here, and the rest wait in the queue.
            Assert.Equal(0, statistics.InFlight);
            var finished = (int)statistics.Renders;
            Assert.InRange(finished, 1, 2);
            // The completion events are on their way to the API; wait for them before counting.
            await SnapshotWaiting.EventuallyAsync(async () => (await StatesAsync(ids)).Count(s => s.Status == SnapshotStatus.Completed) == finished,
                TimeSpan.FromSeconds(30), $"{finished} completion(s) to reach the API");
            var states = await StatesAsync(ids);
            Assert.Equal(3 - finished, states.Count(s => s.Status == SnapshotStatus.Queued));
            await AssertQueueHoldsAsync(3 - finished);

            await cluster.RestartWorkerAsync();
            foreach (var id in ids) Assert.Equal(SnapshotStatus.Completed, (await cluster.Admin.WatchToEndAsync(id, TimeSpan.FromSeconds(120)))[^1].Status);
        }
        finally
        {
            if (draining is not null) await cluster.StopAsync(draining);
            await cluster.RestartWorkerAsync();
        }
    }

    /// <summary>
    /// A render still running when the drain time is up is cancelled, not failed: its message goes back to the queue.
    /// Whether the render is still running when the stop comes is a race this test does not rule (a render here takes
    /// about a second; seeing it start and stopping the worker usually takes tens of milliseconds, but not always). A
    /// trial in which the render was done before the cancellation proves nothing, so it is run again, up to three
    /// times; a worker that never cuts a render short (no drain timeout) fails all three.
    /// </summary>
    [Fact]
    public async Task A_render_outlasting_the_drain_timeout_is_cancelled_and_its_message_requeued()
    {
        var room = await TestRooms.SlowAsync(cluster);
        const int trials = 3;
        for (var trial = 1; !await CutShortAsync(room, trial); trial++)
            Assert.True(trial < trials, $"In {trials} trials the worker finished its render before stopping, although its drain timeout was 50 ms.");
    }

    /// <summary>One trial: false when the render finished before the drain timeout cut in (the snapshot is then completed before returning).</summary>
    private async Task<bool> CutShortAsync(Room room, int trial)
    {
        WebApplication? impatient = null;
        try
        {
            await cluster.StopAsync(cluster.Worker);
            impatient = await cluster.StartWorkerAsync(new Dictionary<string, string?>
            {
                ["Worker:Concurrency"] = "1", ["Worker:DrainTimeout"] = "00:00:00.050", ["RenderCache:Enabled"] = "false",
            });
            var id = (await cluster.Admin.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = room.Id, Title = $"cut short {trial}", Type = SnapshotType.Pdf })).Snapshot.Id;
            var statistics = impatient.Services.GetRequiredService<WorkerStatistics>();
            await SnapshotWaiting.EventuallyAsync(() => Task.FromResult(statistics.InFlight == 1), TimeSpan.FromSeconds(30), "the worker to start a render");

            var watch = Stopwatch.StartNew();
            await cluster.StopAsync(impatient);

            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"stopping took {watch.Elapsed}");
            Assert.Equal(0, statistics.Failures);
            if (statistics.Renders != 0)
            {
                // Inconclusive: let the standard worker finish whatever is left of this snapshot before the next trial.
                await cluster.RestartWorkerAsync();
                Assert.Equal(SnapshotStatus.Completed, (await cluster.Admin.WatchToEndAsync(id, TimeSpan.FromSeconds(120)))[^1].Status);
                return false;
            }
            Assert.Equal(1, statistics.CutShortRenders);
            // Neither finished nor failed: RUNNING (or still QUEUED if the progress event is yet to be applied).
            Assert.Contains((await StatesAsync([id]))[0].Status, new[] { SnapshotStatus.Running, SnapshotStatus.Queued });
            await AssertQueueHoldsAsync(1);

            await cluster.RestartWorkerAsync();
            Assert.Equal(SnapshotStatus.Completed, (await cluster.Admin.WatchToEndAsync(id, TimeSpan.FromSeconds(120)))[^1].Status);
            return true;
        }
        finally
        {
            if (impatient is not null) await cluster.StopAsync(impatient);
            await cluster.RestartWorkerAsync();
        }
    }

    private async Task<List<Snapshot>> StatesAsync(IEnumerable<string> ids)
    {
        var states = new List<Snapshot>();
        foreach (var id in ids) states.Add((await cluster.Admin.Snapshots.GetSnapshotAsync(new GetSnapshotRequest { SnapshotId = id })).Snapshot);
        return states;
    }

    /// <summary>With no worker running, the returned messages wait in the queue, ready (RabbitMQ's management API, when it answers).</summary>
    private async Task AssertQueueHoldsAsync(int ready)
    {
        if (cluster.Broker.Management is not { } management) return;
        var path = $"queues/{Uri.EscapeDataString(cluster.Broker.VirtualHost)}/{GenerateSnapshot.Queue}";
        // The management API's counts lag by up to its stats interval (5 s by default).
        await SnapshotWaiting.EventuallyAsync(async () =>
        {
            using var queue = System.Text.Json.JsonDocument.Parse(await management.GetStringAsync(path));
            return queue.RootElement.TryGetProperty("messages_ready", out var count) && count.GetInt64() == ready;
        }, TimeSpan.FromSeconds(30), $"{ready} ready messages in {GenerateSnapshot.Queue}");
    }

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

            // Let it finish here, so that its render does not count in a later test's worker statistics.
            await cluster.RestartWorkerAsync();
            Assert.Equal(SnapshotStatus.Completed, (await cluster.Admin.WatchToEndAsync(created.Id))[^1].Status);
        }
        finally
        {
            await cluster.StopAsync(replica);
            await cluster.RestartWorkerAsync();
        }
    }
}
