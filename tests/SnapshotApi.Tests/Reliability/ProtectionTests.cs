using Google.Rpc;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Sts.Api.V1;
using Sts.SnapshotApi.Snapshots;

namespace Sts.SnapshotApi.Tests.Reliability;

/// <summary>No worker runs in this collection, so every snapshot stays pending: stuck, as far as the API can tell.</summary>
[Collection(ApiCollection.Name)]
public sealed class ProtectionTests(ApiFixture api)
{
    [Fact]
    public async Task A_task_without_progress_is_requeued_up_to_the_limit_then_failed_with_a_reason()
    {
        var room = TestRooms.WithEveryRole();
        await api.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });
        var created = (await api.Admin.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = room.Id, Title = "stuck", Type = SnapshotType.Csv })).Snapshot;
        var id = Guid.Parse(created.Id);
        var reaper = api.Services.GetServices<IHostedService>().OfType<TaskReaper>().Single();

        for (var attempt = 2; attempt <= 3; attempt++)
        {
            await BackdateAsync(id);
            await reaper.RunOnceAsync(CancellationToken.None);
            Assert.Equal(attempt, await api.ScalarAsync<int>("SELECT attempts FROM tasks WHERE snapshot_id = @p0", id));
            Assert.Equal(attempt, await api.ScalarAsync<long>("SELECT count(*) FROM outbox WHERE payload LIKE @p0", $"%{created.Id}%"));
        }
        await BackdateAsync(id);
        await reaper.RunOnceAsync(CancellationToken.None);

        var snapshot = (await api.Admin.Snapshots.GetSnapshotAsync(new GetSnapshotRequest { SnapshotId = created.Id })).Snapshot;
        Assert.Equal(SnapshotStatus.Failed, snapshot.Status);
        Assert.Contains("No progress", snapshot.Error, StringComparison.Ordinal);
        Assert.Equal(3, await api.ScalarAsync<long>("SELECT count(*) FROM outbox WHERE payload LIKE @p0", $"%{created.Id}%"));
    }

    [Fact]
    public async Task A_task_still_waiting_for_a_worker_is_sent_again_without_using_an_attempt_and_fails_after_the_queue_time()
    {
        var room = TestRooms.WithEveryRole();
        await api.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });
        var created = (await api.Admin.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = room.Id, Title = "behind a backlog", Type = SnapshotType.Csv })).Snapshot;
        var id = Guid.Parse(created.Id);
        var reaper = api.Services.GetServices<IHostedService>().OfType<TaskReaper>().Single();
        var attempts = await api.ScalarAsync<int>("SELECT attempts FROM tasks WHERE snapshot_id = @p0", id);

        // Behind a backlog, longer than the lease, several times over: sent again each time, never counted.
        for (var round = 2; round <= 4; round++)
        {
            await BackdateAsync(id, started: false);
            await reaper.RunOnceAsync(CancellationToken.None);
            Assert.Equal(round, await api.ScalarAsync<long>("SELECT count(*) FROM outbox WHERE snapshot_id = @p0 AND message_type = 'GenerateSnapshot'", id));
            Assert.Equal(attempts, await api.ScalarAsync<int>("SELECT attempts FROM tasks WHERE snapshot_id = @p0", id));
        }
        Assert.Equal(SnapshotStatus.Queued, (await api.Admin.Snapshots.GetSnapshotAsync(new GetSnapshotRequest { SnapshotId = created.Id })).Snapshot.Status);

        // Not taken by any worker within Tasks:MaxQueueTime (1 h) of its creation: FAILED, with the reason.
        await api.ExecuteAsync("UPDATE tasks SET created_at = now() - interval '61 minutes' WHERE snapshot_id = @p0", id);
        await BackdateAsync(id, started: false);
        await reaper.RunOnceAsync(CancellationToken.None);

        var snapshot = (await api.Admin.Snapshots.GetSnapshotAsync(new GetSnapshotRequest { SnapshotId = created.Id })).Snapshot;
        Assert.Equal(SnapshotStatus.Failed, snapshot.Status);
        Assert.Contains("No worker took it within", snapshot.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_task_whose_message_has_not_left_the_outbox_is_not_counted_against_the_workers()
    {
        var room = TestRooms.WithEveryRole();
        await api.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });
        var created = (await api.Admin.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = room.Id, Title = "broker down", Type = SnapshotType.Csv })).Snapshot;
        var id = Guid.Parse(created.Id);
        await BackdateAsync(id);
        // As if the broker were down: a message for the task still waits in the outbox. Its type is one the relay
        // does not know, so the relay keeps it unsent (as it would while the broker refuses it) for as long as we need.
        await api.ExecuteAsync(
            "INSERT INTO outbox (message_id, message_type, payload, created_at, attempts, snapshot_id) VALUES (gen_random_uuid(), 'HeldByTest', '{}', now(), 0, @p0)", id);
        var reaper = api.Services.GetServices<IHostedService>().OfType<TaskReaper>().Single();

        await reaper.RunOnceAsync(CancellationToken.None);

        await api.ExecuteAsync("UPDATE outbox SET sent_at = now() WHERE snapshot_id = @p0 AND message_type = 'HeldByTest'", id);
        Assert.Equal(0, await api.ScalarAsync<int>("SELECT attempts FROM tasks WHERE snapshot_id = @p0", id));
        Assert.Equal(1, await api.ScalarAsync<long>("SELECT count(*) FROM outbox WHERE snapshot_id = @p0 AND message_type = 'GenerateSnapshot'", id));
    }

    [Fact]
    public async Task Reapers_on_two_replicas_requeue_a_stale_task_once()
    {
        var replica = await api.StartApiAsync();
        try
        {
            var room = TestRooms.WithEveryRole();
            await api.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });
            var created = (await api.Admin.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = room.Id, Title = "raced", Type = SnapshotType.Csv })).Snapshot;
            await BackdateAsync(Guid.Parse(created.Id));
            var reapers = new[] { api.Api, replica }.Select(h => h.Services.GetServices<IHostedService>().OfType<TaskReaper>().Single());

            await Task.WhenAll(reapers.Select(r => r.RunOnceAsync(CancellationToken.None)));

            Assert.Equal(2, await api.ScalarAsync<long>("SELECT count(*) FROM outbox WHERE payload LIKE @p0", $"%{created.Id}%"));
            Assert.Equal(2, await api.ScalarAsync<int>("SELECT attempts FROM tasks WHERE snapshot_id = @p0", Guid.Parse(created.Id)));
        }
        finally
        {
            await api.StopAsync(replica);
        }
    }

    [Fact]
    public async Task Create_is_refused_with_retry_info_while_the_backlog_is_full()
    {
        var room = TestRooms.WithEveryRole();
        await api.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });
        await api.Admin.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = room.Id, Title = "fills", Type = SnapshotType.Csv });
        var replica = await api.StartApiAsync(new Dictionary<string, string?> { ["Tasks:MaxPendingTasks"] = "1" });
        try
        {
            var client = await api.AdminOfAsync(replica);
            var before = await api.ScalarAsync<long>("SELECT count(*) FROM snapshots");

            var ex = await Assert.ThrowsAsync<RpcException>(() =>
                client.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = room.Id, Title = "refused", Type = SnapshotType.Csv }).ResponseAsync);

            Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
            Assert.True(ex.GetRpcStatus()!.GetDetail<RetryInfo>().RetryDelay.ToTimeSpan() > TimeSpan.Zero);
            Assert.Equal(before, await api.ScalarAsync<long>("SELECT count(*) FROM snapshots"));
        }
        finally
        {
            await api.StopAsync(replica);
        }
    }

    [Fact]
    public async Task Scheduled_creates_meet_a_lower_bound_so_that_interactive_ones_still_get_in()
    {
        var room = TestRooms.WithEveryRole();
        await api.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });
        await api.Admin.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = room.Id, Title = "fills", Type = SnapshotType.Csv });
        // No worker runs in this collection, so the backlog only grows. One more interactive task fits; the
        // scheduled bound, half of that, is already reached.
        var pending = await api.ScalarAsync<long>("SELECT count(*) FROM tasks WHERE status = 'pending'");
        var replica = await api.StartApiAsync(new Dictionary<string, string?>
        {
            ["Tasks:MaxPendingTasks"] = (pending + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), ["Tasks:ScheduledShare"] = "0.5",
        });
        try
        {
            var client = await api.AdminOfAsync(replica);

            var refused = await Assert.ThrowsAsync<RpcException>(() => client.Snapshots.CreateSnapshotAsync(
                new CreateSnapshotRequest { RoomId = room.Id, Title = "batch", Type = SnapshotType.Csv, Priority = SnapshotPriority.Scheduled }).ResponseAsync);
            var accepted = await client.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = room.Id, Title = "person", Type = SnapshotType.Csv });

            Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
            Assert.True(refused.GetRpcStatus()!.GetDetail<RetryInfo>().RetryDelay.ToTimeSpan() >= TimeSpan.FromSeconds(30));
            Assert.Equal(SnapshotStatus.Queued, accepted.Snapshot.Status);
            Assert.False(await api.ScalarAsync<bool>("SELECT scheduled FROM tasks WHERE snapshot_id = @p0", Guid.Parse(accepted.Snapshot.Id)));
        }
        finally
        {
            await api.StopAsync(replica);
        }
    }

    [Fact]
    public async Task A_caller_over_its_rate_limit_is_told_when_to_retry_and_others_are_unaffected()
    {
        var replica = await api.StartApiAsync(new Dictionary<string, string?>
        {
            ["RateLimits:Enabled"] = "true", ["RateLimits:PermitsPerSecond"] = "1", ["RateLimits:Burst"] = "3",
        });
        try
        {
            var room = TestRooms.WithEveryRole();
            await api.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });
            var noisy = await api.AdminOfAsync(replica);
            var quiet = await api.ClientOfAsync(replica, TestRooms.Email(room.Id, PartyRole.Owner));
            var auditHead = await api.ScalarAsync<long>("SELECT coalesce(max(id), 0) FROM audit_log");
            var statuses = new List<StatusCode>();
            // Burst 3, then 1 a second: 20 calls in a row are refused at some point unless each took most of a second.
            for (var i = 0; i < 20 && !statuses.Contains(StatusCode.ResourceExhausted); i++)
            {
                try
                {
                    await noisy.Rooms.GetRoomAsync(new GetRoomRequest { RoomId = room.Id });
                    statuses.Add(StatusCode.OK);
                }
                catch (RpcException ex)
                {
                    statuses.Add(ex.StatusCode);
                    Assert.NotNull(ex.GetRpcStatus()?.GetDetail<RetryInfo>());
                }
            }

            Assert.Contains(StatusCode.ResourceExhausted, statuses);
            Assert.Equal(StatusCode.OK, statuses[0]);
            // Each refusal is audited, for this caller and call; another caller on the same replica still gets in.
            Assert.Equal(statuses.Count(s => s == StatusCode.ResourceExhausted), await api.ScalarAsync<long>(
                "SELECT count(*) FROM audit_log WHERE id > @p0 AND actor = @p1 AND action = 'RoomService.GetRoom' AND outcome = 'resource_exhausted'",
                auditHead, ApiFixture.AdminEmail));
            Assert.Equal(room.Id, (await quiet.Rooms.GetRoomAsync(new GetRoomRequest { RoomId = room.Id })).Room.Id);
        }
        finally
        {
            await api.StopAsync(replica);
        }
    }

    // Stale means: its message was published, and nothing was heard for longer than the lease; by default from a
    // worker that had started it (RUNNING), otherwise while it still waited for one (PENDING).
    private async Task BackdateAsync(Guid snapshotId, bool started = true)
    {
        await api.WaitUntilRelayedAsync(snapshotId);
        await api.ExecuteAsync(
            "UPDATE tasks SET updated_at = now() - interval '11 minutes', status = CASE WHEN @p1 THEN 'running' ELSE status END WHERE snapshot_id = @p0",
            snapshotId, started);
    }
}
