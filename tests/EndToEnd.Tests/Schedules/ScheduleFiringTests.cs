using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sts.Api.V1;
using Sts.SnapshotApi.Data;
using Sts.SnapshotApi.Schedules;
using Sts.SnapshotApi.Telemetry;
using Xunit.Abstractions;

namespace Sts.EndToEnd.Tests.Schedules;

/// <summary>
/// Slots run by real API replicas on one PostgreSQL, over gRPC, with time moved by a shared FakeTimeProvider: at most
/// one snapshot per slot, the misfire policy, backpressure and pause.
/// </summary>
[Collection(ScheduleCollection.Name)]
public sealed class ScheduleFiringTests(ScheduleFixture fixture, ITestOutputHelper output)
{
    private static readonly DateTimeOffset Start = new(2027, 1, 4, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task Two_replicas_run_each_of_200_one_second_slots_exactly_once()
    {
        await using var runners = await fixture.StartRunnersAsync(2, Start);
        var admin = await runners.AdminAsync();
        var schedule = await runners.ScheduleAsync(roomId => ScheduleFixture.Every(roomId, Second));
        Assert.Equal(Start + Second, schedule.NextRunTime.ToDateTimeOffset());

        // Each step wakes both replicas' runners at once; the next step waits until this slot has run.
        for (var slot = 1; slot <= 200; slot++)
        {
            runners.Clock.Advance(Second);
            await fixture.WaitForSlotsAsync(schedule.Id, slot, $"slot {slot} of 200");
        }
        await PauseAsync(admin, schedule.Id);

        var slots = await fixture.SlotsAsync(schedule.Id);
        var snapshotsPerSlot = await fixture.CountAsync(
            "SELECT count(*) FROM schedule_slots sl JOIN snapshots s ON s.id = sl.snapshot_id WHERE sl.schedule_id = @p0", Guid.Parse(schedule.Id));
        var snapshotsByPrincipal = await fixture.CountAsync("SELECT count(*) FROM snapshots WHERE created_by = @p0", schedule.Principal);
        var audited = await fixture.CountAsync("SELECT count(*) FROM audit_log WHERE action = 'ScheduleRun' AND actor = @p0", schedule.Principal);
        var byReplica = slots.GroupBy(s => s.FiredBy).Select(g => $"{g.Key}: {g.Count()}").ToList();
        output.WriteLine($"200 one-second slots on 2 replicas: {slots.Count} slot records, {slots.Select(s => s.DueAt).Distinct().Count()} distinct due times, " +
                         $"{snapshotsByPrincipal} snapshots by {schedule.Principal}, {audited} ScheduleRun audit records, skipped {slots.Sum(s => s.Skipped)}; by replica: {string.Join(", ", byReplica)}");

        Assert.Equal(Enumerable.Range(1, 200).Select(i => Start + i * Second), slots.Select(s => s.DueAt));
        Assert.All(slots, s => Assert.Equal(0, s.Skipped));
        Assert.Equal(200, slots.Select(s => s.SnapshotId).Distinct().Count());
        Assert.Equal(200, snapshotsPerSlot);
        Assert.Equal(200, snapshotsByPrincipal);
        Assert.Equal(200, audited);
        var final = (await admin.Schedules.GetScheduleAsync(new GetScheduleRequest { ScheduleId = schedule.Id })).Schedule;
        Assert.Equal(200, final.Runs);
        Assert.Equal(0, final.SkippedSlots);
    }

    [Fact]
    public async Task Replicas_racing_for_one_slot_without_a_lease_commit_one_snapshot()
    {
        await using var runners = await fixture.StartRunnersAsync(2, Start);
        // Paused, so neither runner claims it: the test fires it on both replicas at once, past the lease entirely.
        var schedule = await runners.ScheduleAsync(roomId =>
        {
            var paused = ScheduleFixture.Every(roomId, Second);
            paused.Paused = true;
            return paused;
        });
        var id = Guid.Parse(schedule.Id);
        var firings = runners.Replicas.Select(r => r.Services.GetRequiredService<ScheduleFiring>()).ToArray();

        var outcomes = new List<FireOutcome[]>();
        for (var slot = 1; slot <= 25; slot++)
        {
            runners.Clock.Advance(Second);
            // Each replica reads the schedule for itself, as a runner would.
            var reads = await Task.WhenAll(firings.Select(async _ =>
            {
                await using var db = fixture.CreateDbContext();
                return await db.Schedules.AsNoTracking().SingleAsync(s => s.Id == id);
            }));
            outcomes.Add(await Task.WhenAll(firings.Select((firing, i) => firing.FireAsync(reads[i], CancellationToken.None))));
        }

        output.WriteLine("per slot: " + string.Join(" ", outcomes.Select(o => string.Join("/", o))));
        Assert.All(outcomes, o => Assert.Equal(1, o.Count(x => x == FireOutcome.Created)));
        Assert.All(outcomes, o => Assert.Equal(1, o.Count(x => x == FireOutcome.Superseded)));
        Assert.Equal(25, await fixture.SlotCountAsync(schedule.Id));
        Assert.Equal(25, await fixture.CountAsync("SELECT count(*) FROM snapshots WHERE created_by = @p0", schedule.Principal));
    }

    [Fact]
    public async Task After_three_missed_slots_one_catch_up_run_records_two_skipped()
    {
        await using var runners = await fixture.StartRunnersAsync(1, Start);
        var schedule = await runners.ScheduleAsync(roomId => ScheduleFixture.Every(roomId, Minute));
        runners.Clock.Advance(Minute);
        await fixture.WaitForSlotsAsync(schedule.Id, 1, "the first slot");

        // Downtime: the only runner stops; the slots at +2, +3 and +4 min pass; a new replica starts at +4:30.
        await runners.StopAsync(runners.Replicas[0]);
        runners.Clock.Advance(3.5 * Minute);
        await runners.AddAsync();
        await fixture.WaitForSlotsAsync(schedule.Id, 2, "the catch-up run");
        runners.Clock.Advance(0.5 * Minute);
        await fixture.WaitForSlotsAsync(schedule.Id, 3, "the first slot after the catch-up");

        var slots = await fixture.SlotsAsync(schedule.Id);
        Assert.Equal([Start + Minute, Start + 4 * Minute, Start + 5 * Minute], slots.Select(s => s.DueAt));
        Assert.Equal([0, 2, 0], slots.Select(s => s.Skipped));
        var admin = await runners.AdminAsync();
        var after = (await admin.Schedules.GetScheduleAsync(new GetScheduleRequest { ScheduleId = schedule.Id })).Schedule;
        Assert.Equal(3, after.Runs);
        Assert.Equal(2, after.SkippedSlots);
        Assert.Equal(Start + 6 * Minute, after.NextRunTime.ToDateTimeOffset());
        Assert.Equal(3, await fixture.CountAsync("SELECT count(*) FROM snapshots WHERE created_by = @p0", schedule.Principal));
        Assert.Equal("2", await fixture.ScalarAsync<string>(
            "SELECT metadata ->> 'skipped_slots' FROM audit_log WHERE action = 'ScheduleRun' AND snapshot_id = @p0", slots[1].SnapshotId!.Value));
        await ScheduleFixture.MetricsAsync(runners.Replicas[0], "sts_schedule_slots_skipped_total");
        var summary = (await admin.Operations.GetMetricsSummaryAsync(new GetMetricsSummaryRequest { Hours = 1 })).Schedules;
        output.WriteLine($"GetMetricsSummary(1 h).schedules: {summary}");
        Assert.True(summary.SkippedSlots >= 2 && summary.Runs >= 3, summary.ToString());
    }

    [Fact]
    public async Task Backpressure_delays_a_slot_which_then_runs_once_as_itself()
    {
        await fixture.StopAsync(fixture.Worker);
        try
        {
            // Scheduled work may fill the backlog up to what is pending now plus one.
            var pending = await fixture.CountAsync("SELECT count(*) FROM tasks WHERE status = 'pending'");
            await using var runners = await fixture.StartRunnersAsync(1, Start, overrides: new Dictionary<string, string?>
            {
                ["Tasks:MaxPendingTasks"] = (2 * (pending + 1)).ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Tasks:ScheduledShare"] = "0.5",
            });
            var schedule = await runners.ScheduleAsync(roomId => ScheduleFixture.Every(roomId, Minute));
            var id = Guid.Parse(schedule.Id);
            runners.Clock.Advance(Minute);
            await fixture.WaitForSlotsAsync(schedule.Id, 1, "slot 1, which fills the backlog");

            // Slot 2 meets a full backlog: it is held back 30 s (RetryInfo of scheduled creates), not run, not dropped.
            runners.Clock.Advance(Minute);
            var slot2 = Start + 2 * Minute;
            await SnapshotWaiting.EventuallyAsync(async () => await fixture.ScalarAsync<DateTime>("SELECT lease_until FROM schedules WHERE id = @p0", id) == (slot2 + TimeSpan.FromSeconds(30)).UtcDateTime,
                TimeSpan.FromSeconds(30), "the runner to hold slot 2 back");
            runners.Clock.Advance(TimeSpan.FromSeconds(10));
            await fixture.RestartWorkerAsync();
            await SnapshotWaiting.EventuallyAsync(async () => await fixture.CountAsync("SELECT count(*) FROM tasks WHERE status = 'pending'") <= pending,
                TimeSpan.FromSeconds(60), "the worker to drain the backlog");
            Assert.Equal(1, await fixture.SlotCountAsync(schedule.Id));
            await RoomInBacklogAsync(runners.Replicas[0], pending, "the replica's sampled backlog to show the drain");

            runners.Clock.Advance(TimeSpan.FromSeconds(20));
            await fixture.WaitForSlotsAsync(schedule.Id, 2, "slot 2 once the backlog has room");
            // Slot 2's snapshot fills the backlog again until the worker has rendered it.
            await SnapshotWaiting.EventuallyAsync(async () => await fixture.CountAsync("SELECT count(*) FROM tasks WHERE status = 'pending'") <= pending,
                TimeSpan.FromSeconds(60), "the worker to render slot 2's snapshot");
            await RoomInBacklogAsync(runners.Replicas[0], pending, "the replica's sampled backlog to show slot 2 rendered");
            runners.Clock.Advance(TimeSpan.FromSeconds(30));
            await fixture.WaitForSlotsAsync(schedule.Id, 3, "slot 3 on time");

            var slots = await fixture.SlotsAsync(schedule.Id);
            Assert.Equal([Start + Minute, slot2, Start + 3 * Minute], slots.Select(s => s.DueAt));
            Assert.All(slots, s => Assert.Equal(0, s.Skipped));
            Assert.Equal(3, await fixture.CountAsync("SELECT count(*) FROM snapshots WHERE created_by = @p0", schedule.Principal));
            // It ran late, as itself: due at slot 2, created when the hold ran out.
            Assert.Equal((slot2 + TimeSpan.FromSeconds(30)).UtcDateTime,
                await fixture.ScalarAsync<DateTime>("SELECT fired_at FROM schedule_slots WHERE schedule_id = @p0 AND due_at = @p1", id, slot2));
        }
        finally
        {
            await fixture.RestartWorkerAsync();
        }
    }

    /// <summary>
    /// Admission reads the backlog a replica samples once a second (PipelineGauges, on real time), not the table: a
    /// slot tried before the sample shows the drain would be held back again, 30 s more of a clock only the test moves.
    /// </summary>
    private static Task RoomInBacklogAsync(WebApplication replica, long pending, string what) =>
        SnapshotWaiting.EventuallyAsync(async () => await replica.Services.GetRequiredService<PipelineGauges>().PendingTasksAsync(CancellationToken.None) <= pending,
            TimeSpan.FromSeconds(30), what);

    [Fact]
    public async Task A_paused_schedule_runs_nothing_and_resumes_at_the_next_slot_without_catching_up()
    {
        await using var runners = await fixture.StartRunnersAsync(1, Start);
        var admin = await runners.AdminAsync();
        var schedule = await runners.ScheduleAsync(roomId => ScheduleFixture.Every(roomId, Minute));
        runners.Clock.Advance(Minute);
        await fixture.WaitForSlotsAsync(schedule.Id, 1, "the slot before the pause");

        var paused = await PauseAsync(admin, schedule.Id);
        Assert.True(paused.Paused);
        for (var i = 0; i < 5; i++) runners.Clock.Advance(Minute);
        runners.Clock.Advance(TimeSpan.FromSeconds(30));
        var resumed = (await admin.Schedules.UpdateScheduleAsync(new UpdateScheduleRequest
        {
            Schedule = new Schedule { Id = schedule.Id, Paused = false, Etag = paused.Etag },
            UpdateMask = new FieldMask { Paths = { "paused" } },
        })).Schedule;
        Assert.Equal(Start + 7 * Minute, resumed.NextRunTime.ToDateTimeOffset());
        runners.Clock.Advance(TimeSpan.FromSeconds(30));
        await fixture.WaitForSlotsAsync(schedule.Id, 2, "the first slot after the resume");

        var slots = await fixture.SlotsAsync(schedule.Id);
        Assert.Equal([Start + Minute, Start + 7 * Minute], slots.Select(s => s.DueAt));
        Assert.All(slots, s => Assert.Equal(0, s.Skipped));
        var stale = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => admin.Schedules.UpdateScheduleAsync(new UpdateScheduleRequest
        {
            Schedule = new Schedule { Id = schedule.Id, Paused = true, Etag = paused.Etag },
            UpdateMask = new FieldMask { Paths = { "paused" } },
        }).ResponseAsync);
        Assert.Equal(Grpc.Core.StatusCode.Aborted, stale.StatusCode);
    }

    [Fact]
    public async Task A_schedule_without_a_completed_snapshot_for_two_intervals_is_overdue()
    {
        await fixture.StopAsync(fixture.Worker);
        try
        {
            await using var runners = await fixture.StartRunnersAsync(1, Start);
            var admin = await runners.AdminAsync();
            var schedule = await runners.ScheduleAsync(roomId => ScheduleFixture.Every(roomId, Minute));
            runners.Clock.Advance(Minute);
            await fixture.WaitForSlotsAsync(schedule.Id, 1, "slot 1");
            Assert.Equal(0, (await admin.Operations.GetMetricsSummaryAsync(new GetMetricsSummaryRequest())).Schedules.Overdue);

            // No worker: nothing completes. Two intervals after the schedule became active it is overdue.
            runners.Clock.Advance(Minute);
            await fixture.WaitForSlotsAsync(schedule.Id, 2, "slot 2");
            runners.Clock.Advance(TimeSpan.FromSeconds(1));

            var summary = (await admin.Operations.GetMetricsSummaryAsync(new GetMetricsSummaryRequest())).Schedules;
            Assert.Equal(1, summary.Overdue);
            Assert.Equal(1, summary.Active);
            // The gauge the alert reads says the same once sampled.
            using var http = new HttpClient();
            var metricsUrl = new Uri(await ApiFixture.HttpAddressOfAsync(runners.Replicas[0]), "/metrics");
            await SnapshotWaiting.EventuallyAsync(async () => (await http.GetStringAsync(metricsUrl)).Split('\n')
                    .Any(l => l.StartsWith("sts_schedules_overdue", StringComparison.Ordinal) && l.EndsWith(" 1", StringComparison.Ordinal)),
                TimeSpan.FromSeconds(30), "sts_schedules_overdue to read 1");
        }
        finally
        {
            await fixture.RestartWorkerAsync();
        }
    }

    private static async Task<Schedule> PauseAsync(ApiClient admin, string scheduleId) =>
        (await admin.Schedules.UpdateScheduleAsync(new UpdateScheduleRequest
        {
            Schedule = new Schedule { Id = scheduleId, Paused = true },
            UpdateMask = new FieldMask { Paths = { "paused" } },
        })).Schedule;
}
