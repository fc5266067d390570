using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Npgsql;
using Sts.Api.V1;

namespace Sts.EndToEnd.Tests.Schedules;

/// <summary>Retention against the real pipeline (worker, storage, audit), and legal hold.</summary>
[Collection(ScheduleCollection.Name)]
public sealed class ScheduleRetentionTests(ScheduleFixture fixture)
{
    private static readonly DateTimeOffset Start = new(2027, 2, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private const string ScheduleSpecPrincipalDomain = Sts.SnapshotApi.Schedules.ScheduleSpec.PrincipalDomain;

    [Fact]
    public async Task Keep_last_three_over_ten_runs_leaves_exactly_the_newest_three()
    {
        await using var runners = await fixture.StartRunnersAsync(1, Start);
        var room = await fixture.RoomAsync();
        var admin = await runners.AdminAsync();
        var manual = await ManualSnapshotsAsync(admin, room.Id, 2);
        var schedule = await CreateAsync(admin, room.Id, new RetentionPolicy { KeepLast = 3 });

        var files = new Dictionary<Guid, string>();
        for (var run = 1; run <= 10; run++)
        {
            var snapshotId = await RunOneAsync(runners, schedule, run);
            files[snapshotId] = (await fixture.ScalarAsync<string>("SELECT file_key FROM snapshots WHERE id = @p0", snapshotId))!;
            var expected = Math.Min(run, 3);
            await SnapshotWaiting.EventuallyAsync(async () => await ScheduledCountAsync(schedule) == expected, TimeSpan.FromSeconds(30),
                $"retention after run {run} to leave {expected}");
        }

        var slots = await fixture.SlotsAsync(schedule.Id);
        var kept = slots.Where(s => s.SnapshotId is not null).ToList();
        Assert.Equal(slots.TakeLast(3).Select(s => s.DueAt), kept.Select(s => s.DueAt));
        Assert.Equal(3, await ScheduledCountAsync(schedule));
        Assert.Equal(7, await fixture.CountAsync("SELECT count(*) FROM audit_log WHERE action = 'RetentionDeleted' AND actor = @p0", schedule.Principal));
        foreach (var (id, key) in files)
            Assert.Equal(kept.Any(s => s.SnapshotId == id), File.Exists(Path.Combine(fixture.StorageRoot, key)));
        // The people's snapshots in the same room are not the schedule's to prune.
        foreach (var id in manual) Assert.Equal(1, await fixture.CountAsync("SELECT count(*) FROM snapshots WHERE id = @p0", id));
        var metrics = await ScheduleFixture.MetricsAsync(runners.Replicas[0],
            "sts_schedule_runs_total", "sts_schedule_slot_lag_seconds_bucket", "sts_schedule_retention_deleted_total{", "sts_schedules_active", "sts_schedules_overdue");
        Assert.Contains("policy=\"schedule\"", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain(schedule.Id, metrics, StringComparison.Ordinal);
        Assert.DoesNotContain(ScheduleSpecPrincipalDomain, metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_held_snapshot_survives_retention_and_delete_until_released()
    {
        await using var runners = await fixture.StartRunnersAsync(1, Start);
        var room = await fixture.RoomAsync();
        var admin = await runners.AdminAsync();
        var schedule = await CreateAsync(admin, room.Id, new RetentionPolicy { KeepLast = 1 });
        var first = await RunOneAsync(runners, schedule, 1);

        var held = (await admin.Snapshots.SetLegalHoldAsync(new SetLegalHoldRequest { SnapshotId = first.ToString(), Hold = true, Reason = "Case 2027-114" })).Snapshot;
        Assert.Equal("Case 2027-114", held.LegalHold.Reason);
        Assert.Equal(ApiFixture.AdminEmail, held.LegalHold.PlacedBy);
        var second = await RunOneAsync(runners, schedule, 2);
        var third = await RunOneAsync(runners, schedule, 3);
        await SnapshotWaiting.EventuallyAsync(async () => !await ExistsAsync(second), TimeSpan.FromSeconds(30), "retention to delete the second run");

        Assert.True(await ExistsAsync(first), "retention deleted a held snapshot");
        Assert.True(await ExistsAsync(third));
        var refused = await Assert.ThrowsAsync<RpcException>(() => admin.Snapshots.DeleteSnapshotAsync(new DeleteSnapshotRequest { SnapshotId = first.ToString() }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Contains("legal hold", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("Case 2027-114", refused.Status.Detail, StringComparison.Ordinal);
        // Not even SQL past the service removes it.
        var raw = await Assert.ThrowsAsync<PostgresException>(() => fixture.ExecuteAsync("DELETE FROM snapshots WHERE id = @p0", first));
        Assert.Equal(PostgresErrorCodes.IntegrityConstraintViolation, raw.SqlState);
        Assert.True(await ExistsAsync(first));
        Assert.Equal("placed", await fixture.ScalarAsync<string>(
            "SELECT metadata ->> 'legal_hold' FROM audit_log WHERE action = 'SnapshotService.SetLegalHold' AND snapshot_id = @p0 AND outcome = 'ok'", first));

        var released = (await admin.Snapshots.SetLegalHoldAsync(new SetLegalHoldRequest { SnapshotId = first.ToString(), Hold = false, Reason = "Case closed" })).Snapshot;
        Assert.Null(released.LegalHold);
        var fourth = await RunOneAsync(runners, schedule, 4);
        await SnapshotWaiting.EventuallyAsync(async () => !await ExistsAsync(first) && !await ExistsAsync(third), TimeSpan.FromSeconds(30),
            "retention to delete the released snapshot and the third run");
        await admin.Snapshots.DeleteSnapshotAsync(new DeleteSnapshotRequest { SnapshotId = fourth.ToString() });
        Assert.False(await ExistsAsync(fourth));
    }

    [Fact]
    public async Task The_rooms_policy_prunes_old_manual_snapshots_but_not_the_newest_held_or_scheduled_ones()
    {
        await using var runners = await fixture.StartRunnersAsync(1, Start, overrides: new Dictionary<string, string?> { ["Schedules:RoomRetentionInterval"] = "00:01:00" });
        var room = await fixture.RoomAsync();
        var admin = await runners.AdminAsync();
        var manual = await ManualSnapshotsAsync(admin, room.Id, 3, runners);
        await admin.Snapshots.SetLegalHoldAsync(new SetLegalHoldRequest { SnapshotId = manual[0].ToString(), Hold = true, Reason = "Dispute" });
        var schedule = await CreateAsync(admin, room.Id, retention: null);
        var scheduled = await RunOneAsync(runners, schedule, 1);

        var policy = (await admin.Schedules.SetRoomRetentionAsync(new SetRoomRetentionRequest
        {
            Retention = new RoomRetention { RoomId = room.Id, ManualMaxAge = Duration.FromTimeSpan(TimeSpan.FromHours(1)) },
        })).Retention;
        Assert.Equal(TimeSpan.FromHours(1), policy.ManualMaxAge.ToTimeSpan());
        Assert.Equal(policy.ManualMaxAge, (await admin.Schedules.GetRoomRetentionAsync(new GetRoomRetentionRequest { RoomId = room.Id })).Retention.ManualMaxAge);
        runners.Clock.Advance(TimeSpan.FromHours(2));
        await SnapshotWaiting.EventuallyAsync(async () => !await ExistsAsync(manual[1]), TimeSpan.FromSeconds(30), "the room's policy to delete the old manual snapshot");

        Assert.True(await ExistsAsync(manual[0]), "held");
        Assert.True(await ExistsAsync(manual[2]), "the newest completed manual snapshot");
        Assert.True(await ExistsAsync(scheduled), "a schedule's snapshot is not manual");
        Assert.Equal(1, await fixture.CountAsync("SELECT count(*) FROM audit_log WHERE action = 'RetentionDeleted' AND actor = 'system:retention' AND room_id = @p0", room.Id));
    }

    private static async Task<Schedule> CreateAsync(ApiClient admin, string roomId, RetentionPolicy? retention) =>
        (await admin.Schedules.CreateScheduleAsync(new CreateScheduleRequest { Schedule = ScheduleFixture.Every(roomId, Minute, retention, Start) })).Schedule;

    /// <summary>Moves the clock to run slot <paramref name="run"/>, waits for its snapshot to complete, then gives the runner one more pass (retention).</summary>
    private async Task<Guid> RunOneAsync(Runners runners, Schedule schedule, int run)
    {
        runners.Clock.SetUtcNow(Start + run * Minute);
        await fixture.WaitForSlotsAsync(schedule.Id, run, $"run {run}");
        var snapshotId = (await fixture.SlotsAsync(schedule.Id))[^1].SnapshotId!.Value;
        await WaitCompletedAsync(snapshotId);
        runners.Clock.Advance(TimeSpan.FromSeconds(1));
        return snapshotId;
    }

    private async Task<List<Guid>> ManualSnapshotsAsync(ApiClient admin, string roomId, int count, Runners? spacedBy = null)
    {
        var ids = new List<Guid>();
        for (var i = 0; i < count; i++)
        {
            var created = (await admin.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = roomId, Title = $"Manual {i}", Type = SnapshotType.Json })).Snapshot;
            ids.Add(Guid.Parse(created.Id));
            await WaitCompletedAsync(ids[^1]);
            spacedBy?.Clock.Advance(TimeSpan.FromSeconds(1));
        }
        return ids;
    }

    private Task WaitCompletedAsync(Guid snapshotId) =>
        SnapshotWaiting.EventuallyAsync(async () => await fixture.ScalarAsync<string>("SELECT status FROM snapshots WHERE id = @p0", snapshotId) == "completed",
            TimeSpan.FromSeconds(60), $"snapshot {snapshotId} to complete");

    private async Task<bool> ExistsAsync(Guid snapshotId) => await fixture.CountAsync("SELECT count(*) FROM snapshots WHERE id = @p0", snapshotId) == 1;

    private Task<long> ScheduledCountAsync(Schedule schedule) => fixture.CountAsync("SELECT count(*) FROM snapshots WHERE created_by = @p0", schedule.Principal);
}
