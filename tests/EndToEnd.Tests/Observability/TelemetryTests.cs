using System.Collections.Concurrent;
using System.Diagnostics;
using Activity = System.Diagnostics.Activity;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Sts.Api.V1;

namespace Sts.EndToEnd.Tests.Observability;

[Collection(PipelineCollection.Name)]
public sealed class TelemetryTests(PipelineFixture cluster)
{
    private static readonly string[] ApiSeries =
    [
        "rpc_server_duration_seconds_bucket", "sts_snapshots_created_total", "sts_snapshots_finished_total",
        "sts_snapshot_end_to_end_seconds_bucket", "sts_snapshot_queue_wait_seconds_bucket", "sts_outbox_backlog",
        "sts_outbox_relay_lag_seconds", "sts_outbox_published_total", "sts_tasks_stale", "sts_watch_streams_active",
    ];

    private static readonly string[] WorkerSeries =
    [
        "sts_render_duration_seconds_bucket", "sts_worker_renders_total", "sts_worker_concurrency_in_use",
        "sts_worker_concurrency_limit", "sts_storage_written_bytes_total", "sts_cache_misses_total", "sts_cache_bytes", "sts_cache_entries",
    ];

    [Fact]
    public async Task Both_services_expose_the_promised_series_without_high_cardinality_labels()
    {
        var room = TestRooms.WithEveryRole();
        await cluster.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });
        var created = (await cluster.Admin.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = room.Id, Title = "metrics", Type = SnapshotType.Csv })).Snapshot;
        await cluster.Admin.WatchToEndAsync(created.Id);
        using var http = new HttpClient();

        string api = "", worker = "";
        await SnapshotWaiting.EventuallyAsync(async () =>
        {
            api = await http.GetStringAsync(new Uri(await ApiFixture.HttpAddressOfAsync(cluster.Api), "/metrics"));
            worker = await http.GetStringAsync(new Uri(await ApiFixture.HttpAddressOfAsync(cluster.Worker), "/metrics"));
            return ApiSeries.All(api.Contains) && WorkerSeries.All(worker.Contains);
        }, TimeSpan.FromSeconds(20), "every series to appear");

        Assert.All(ApiSeries, name => Assert.Contains(name, api, StringComparison.Ordinal));
        Assert.All(WorkerSeries, name => Assert.Contains(name, worker, StringComparison.Ordinal));
        Assert.Contains("rpc_method=\"CreateSnapshot\"", api, StringComparison.Ordinal);
        // No snapshot ids, room ids or emails in any label.
        foreach (var text in new[] { api, worker })
        {
            Assert.DoesNotContain(created.Id, text, StringComparison.Ordinal);
            Assert.DoesNotContain(room.Id, text, StringComparison.Ordinal);
            Assert.DoesNotContain("@", text.Split('\n').Where(l => !l.StartsWith('#')).Aggregate("", (a, l) => a + l), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task One_trace_covers_create_relay_render_store_and_complete()
    {
        var spans = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(listener);
        var room = TestRooms.WithEveryRole();
        await cluster.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });

        var created = (await cluster.Admin.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = room.Id, Title = "traced", Type = SnapshotType.Pdf })).Snapshot;
        await cluster.Admin.WatchToEndAsync(created.Id);

        // The relay span of this snapshot's message (a reaper re-send would start a trace of its own).
        var messageId = (await cluster.ScalarAsync<Guid>("SELECT message_id FROM outbox WHERE snapshot_id = @p0 ORDER BY id LIMIT 1", Guid.Parse(created.Id))).ToString();
        var relay = spans.Single(s => s.OperationName == "outbox relay" && s.GetTagItem("messaging.message.id") as string == messageId);
        var server = spans.First(s => s.OperationName == "Microsoft.AspNetCore.Hosting.HttpRequestIn"
                                      && s.DisplayName.Contains("CreateSnapshot", StringComparison.Ordinal)
                                      && s.TraceId == relay.TraceId);
        await SnapshotWaiting.EventuallyAsync(() => Task.FromResult(
            spans.Any(s => s.TraceId == server.TraceId && s.Source.Name == "MassTransit" && s.DisplayName.Contains("snapshot-completed", StringComparison.Ordinal))),
            TimeSpan.FromSeconds(10), "the completion to be consumed within the trace");
        var trace = spans.Where(s => s.TraceId == server.TraceId).ToList();

        Assert.Contains(trace, s => s.OperationName == "outbox relay");
        Assert.Contains(trace, s => s.Source.Name == "MassTransit" && s.DisplayName.Contains("generate-snapshot", StringComparison.Ordinal));
        Assert.Contains(trace, s => s.OperationName == "render");
        Assert.Contains(trace, s => s.OperationName == "store");
    }

    [Fact]
    public async Task Health_answers_for_readiness_and_liveness()
    {
        using var channel = GrpcChannel.ForAddress(cluster.Address);
        var health = new Health.HealthClient(channel);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest { Service = "" })).Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest { Service = "liveness" })).Status);

        using var http = new HttpClient();
        var worker = await ApiFixture.HttpAddressOfAsync(cluster.Worker);
        Assert.True((await http.GetAsync(new Uri(worker, "/healthz"))).IsSuccessStatusCode);
        Assert.True((await http.GetAsync(new Uri(worker, "/readyz"))).IsSuccessStatusCode);
    }

    [Fact]
    public async Task Housekeeping_removes_old_finished_tasks_and_sent_outbox_rows_but_keeps_snapshots()
    {
        var room = TestRooms.WithEveryRole();
        await cluster.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });
        var created = (await cluster.Admin.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = room.Id, Title = "old", Type = SnapshotType.Csv })).Snapshot;
        await cluster.Admin.WatchToEndAsync(created.Id);
        await cluster.ExecuteAsync("UPDATE tasks SET updated_at = now() - interval '25 hours' WHERE snapshot_id = @p0", Guid.Parse(created.Id));
        await cluster.ExecuteAsync("UPDATE outbox SET sent_at = now() - interval '25 hours' WHERE payload LIKE @p0", $"%{created.Id}%");
        var housekeeping = cluster.Api.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<Sts.SnapshotApi.Snapshots.Housekeeping>().Single();

        var (tasks, outbox, _) = await housekeeping.RunOnceAsync(CancellationToken.None);

        Assert.True(tasks >= 1 && outbox >= 1);
        Assert.Equal(0, await cluster.ScalarAsync<long>("SELECT count(*) FROM tasks WHERE snapshot_id = @p0", Guid.Parse(created.Id)));
        var snapshot = (await cluster.Admin.Snapshots.GetSnapshotAsync(new GetSnapshotRequest { SnapshotId = created.Id })).Snapshot;
        Assert.Equal(SnapshotStatus.Completed, snapshot.Status);
        Assert.NotEmpty(snapshot.Sha256);
    }
}
