using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;
using Sts.Api.V1;
using Sts.Chaos;
using Sts.Shared.Hosting;
using Sts.Shared.Messaging;
using Sts.SnapshotApi.Snapshots;

namespace Sts.EndToEnd.Tests.Messaging;

/// <summary>
/// Bus:QueueType=quorum on the local single-node RabbitMQ 3.10: every queue the services declare is a quorum queue,
/// and the pipeline, the error queue, redelivery after a worker is killed and the reaper behave as with classic ones.
/// (STS_TEST_QUEUE_TYPE=quorum runs the whole suite this way.) A queue already declared with the other type stops
/// both services at start-up with a message that names it.
/// </summary>
[Collection(QuorumPipelineCollection.Name)]
public sealed class QuorumQueueTests(QuorumPipelineFixture cluster)
{
    [Fact]
    public async Task Every_queue_the_services_declare_is_a_quorum_queue_and_snapshots_complete()
    {
        var room = TestRooms.WithEveryRole();
        await cluster.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });
        var interactive = await CreateAsync(room.Id, "interactive", SnapshotPriority.Unspecified);
        var scheduled = await CreateAsync(room.Id, "scheduled", SnapshotPriority.Scheduled);

        Assert.Equal(SnapshotStatus.Completed, (await cluster.Admin.WatchToEndAsync(interactive.Id))[^1].Status);
        Assert.Equal(SnapshotStatus.Completed, (await cluster.Admin.WatchToEndAsync(scheduled.Id))[^1].Status);
        var types = await QueueTypesAsync();
        string[] expected =
        [
            GenerateSnapshot.Queue, GenerateSnapshot.ScheduledQueue, "snapshot-progressed", "snapshot-completed", "snapshot-failed",
            "generate-snapshot-fault", "worker-stats-reported",
        ];
        Assert.All(expected, queue => Assert.Equal((queue, "quorum"), (queue, types.GetValueOrDefault(queue))));
        // The buses' own reply queues are exclusive and auto-deleted, which a quorum queue cannot be.
        Assert.All(types.Where(t => t.Key.Contains("_bus_", StringComparison.Ordinal)), t => Assert.Equal("classic", t.Value));
    }

    [Fact]
    public async Task A_poison_message_ends_in_the_quorum_error_queue_and_its_snapshot_fails() => await cluster.WithFailingStorageWorkerAsync(async () =>
    {
        var room = TestRooms.WithEveryRole();
        await cluster.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });
        var created = await CreateAsync(room.Id, "doomed", SnapshotPriority.Unspecified);

        var final = (await cluster.Admin.WatchToEndAsync(created.Id))[^1];

        Assert.Equal(SnapshotStatus.Failed, final.Status);
        Assert.Contains("after all retries", final.Error, StringComparison.Ordinal);
        await SnapshotWaiting.EventuallyAsync(async () => await cluster.Broker.QueueFigureAsync("generate-snapshot_error") >= 1,
            TimeSpan.FromSeconds(30), "the message to reach the error queue");
        Assert.Equal("quorum", (await QueueTypesAsync())["generate-snapshot_error"]);
    });

    [Fact]
    public async Task A_worker_killed_in_the_middle_of_a_render_leaves_its_message_to_another_worker()
    {
        var room = await TestRooms.SlowAsync(cluster);
        var logs = Directory.CreateTempSubdirectory("sts-quorum-kill-").FullName;
        using var doomed = new ServiceProcess("doomed-worker", ServiceBuild.Dll("PdfWorker", "Sts.PdfWorker.dll"), Path.Combine(logs, "worker.log"));
        cluster.ConfigureProcess(doomed);
        doomed.Environment["Storage__Root"] = cluster.StorageRoot;
        doomed.Environment["Kestrel__Endpoints__Http__Url"] = $"http://127.0.0.1:{ServiceBuild.FreePort()}";
        doomed.Environment["RenderCache__Enabled"] = "false";
        doomed.Environment["Worker__WorkerId"] = "doomed-worker";
        await cluster.StopAsync(cluster.Worker);
        try
        {
            doomed.Start();
            var created = await CreateAsync(room.Id, "killed mid-render", SnapshotPriority.Unspecified);
            await SnapshotWaiting.EventuallyAsync(async () =>
            {
                Assert.False(doomed.Exited, $"the worker exited:\n{doomed.Tail(20)}");
                return (await GetAsync(created.Id)).Status == SnapshotStatus.Running;
            }, TimeSpan.FromSeconds(90), "the doomed worker to start rendering");

            doomed.Kill();
            await SnapshotWaiting.EventuallyAsync(async () => await cluster.Broker.ReadyMessagesAsync(GenerateSnapshot.Queue) == 1,
                TimeSpan.FromSeconds(30), "the killed worker's message to be back in the queue");
            await cluster.RestartWorkerAsync();

            var final = (await cluster.Admin.WatchToEndAsync(created.Id, TimeSpan.FromSeconds(180)))[^1];
            Assert.Equal(SnapshotStatus.Completed, final.Status);
            var completedBy = await cluster.ScalarAsync<string>(
                "SELECT metadata FROM audit_log WHERE snapshot_id = @p0 AND action = 'SnapshotCompleted'", Guid.Parse(created.Id));
            Assert.DoesNotContain("doomed-worker", completedBy, StringComparison.Ordinal);
            Assert.Single(await cluster.Store.KeysAsync($"rooms/{room.Id}/{created.Id}"));
        }
        finally
        {
            await cluster.RestartWorkerAsync();
            Directory.Delete(logs, recursive: true);
        }
    }

    [Fact]
    public async Task The_reaper_sends_a_stale_task_again_through_the_quorum_queue_and_it_completes()
    {
        var room = TestRooms.WithEveryRole();
        await cluster.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });
        await cluster.StopAsync(cluster.Worker);
        try
        {
            var created = await CreateAsync(room.Id, "lost message", SnapshotPriority.Unspecified);
            var id = Guid.Parse(created.Id);
            await cluster.WaitUntilRelayedAsync(id);
            Assert.Equal(1u, await cluster.Broker.ReadyMessagesAsync(GenerateSnapshot.Queue));
            // The message is lost (as after a broker disaster): purged from the quorum queue.
            await PurgeAsync(GenerateSnapshot.Queue);
            Assert.Equal(0u, await cluster.Broker.ReadyMessagesAsync(GenerateSnapshot.Queue));
            await cluster.ExecuteAsync("UPDATE tasks SET updated_at = now() - interval '11 minutes' WHERE snapshot_id = @p0", id);

            await cluster.Api.Services.GetServices<IHostedService>().OfType<TaskReaper>().Single().RunOnceAsync(CancellationToken.None);
            Assert.Equal(2L, await cluster.ScalarAsync<long>("SELECT count(*) FROM outbox WHERE snapshot_id = @p0", id));
            await cluster.WaitUntilRelayedAsync(id);
            Assert.Equal(1u, await cluster.Broker.ReadyMessagesAsync(GenerateSnapshot.Queue));
            await cluster.RestartWorkerAsync();

            Assert.Equal(SnapshotStatus.Completed, (await cluster.Admin.WatchToEndAsync(created.Id))[^1].Status);
        }
        finally
        {
            await cluster.RestartWorkerAsync();
        }
    }

    private async Task<Snapshot> CreateAsync(string roomId, string title, SnapshotPriority priority) =>
        (await cluster.Admin.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = roomId, Title = title, Type = SnapshotType.Pdf, Priority = priority })).Snapshot;

    private async Task<Snapshot> GetAsync(string id) =>
        (await cluster.Admin.Snapshots.GetSnapshotAsync(new GetSnapshotRequest { SnapshotId = id })).Snapshot;

    private async Task<Dictionary<string, string>> QueueTypesAsync()
    {
        using var queues = JsonDocument.Parse(await Management.GetStringAsync($"queues/{Uri.EscapeDataString(cluster.Broker.VirtualHost)}?columns=name,type"));
        return queues.RootElement.EnumerateArray().ToDictionary(q => q.GetProperty("name").GetString()!, q => q.GetProperty("type").GetString()!);
    }

    private async Task PurgeAsync(string queue) =>
        (await Management.DeleteAsync($"queues/{Uri.EscapeDataString(cluster.Broker.VirtualHost)}/{queue}/contents")).EnsureSuccessStatusCode();

    private HttpClient Management => cluster.Broker.Management ?? throw new InvalidOperationException("These tests need the broker's management API (scripts/infra.sh).");
}

/// <summary>The queue type is fixed once declared: a service configured for the other one refuses to start, and says why.</summary>
[Collection(ServicesCollection.Name)]
public sealed class QueueTypeConflictTests(ServicesFixture api)
{
    [Theory]
    [InlineData("classic", "quorum")]
    [InlineData("quorum", "classic")]
    public async Task A_work_queue_declared_with_the_other_type_stops_both_services_at_start_up(string existing, string configured)
    {
        await using var broker = await TestBroker.CreateAsync();
        await DeclareAsync(broker, GenerateSnapshot.Queue, existing);
        var settings = new Dictionary<string, string?> { ["ConnectionStrings:RabbitMq"] = broker.ConnectionString, ["Bus:QueueType"] = configured };

        foreach (var message in new[]
                 {
                     await ApiFixture.StartupFailureAsync<StartupCheckException>(() => api.CreateApi(settings)),
                     await ApiFixture.StartupFailureAsync<StartupCheckException>(() => api.CreateWorker(settings)),
                 })
        {
            Assert.Contains($"Bus:QueueType is '{configured}'", message, StringComparison.Ordinal);
            Assert.Contains($"queue '{GenerateSnapshot.Queue}' of another type", message, StringComparison.Ordinal);
            Assert.Contains("PRECONDITION_FAILED", message, StringComparison.Ordinal);
            Assert.Contains("docs/queues.md", message, StringComparison.Ordinal);
        }
    }

    private static async Task DeclareAsync(TestBroker broker, string queue, string type)
    {
        var factory = new ConnectionFactory { Uri = new Uri(broker.ConnectionString) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-queue-type"] = type });
    }
}
