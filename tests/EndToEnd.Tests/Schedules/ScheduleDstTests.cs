using Google.Protobuf.WellKnownTypes;
using Sts.Api.V1;

namespace Sts.EndToEnd.Tests.Schedules;

/// <summary>
/// The scheduler across both daylight-saving changes of 2027 in Europe/Oslo, on real replicas with a fake clock set to
/// each expected due time in turn (the lists, with local times, are in <see cref="OsloDst"/>). Each run must
/// come at exactly the listed time, none may be skipped or doubled, and the next run time must always be the next listed.
/// </summary>
[Collection(ScheduleCollection.Name)]
public sealed class ScheduleDstTests(ScheduleFixture fixture)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task Daily_0230_in_Oslo_across_the_spring_change_runs_at_the_listed_times()
    {
        var schedule = await RunDailyAsync(OsloDst.Utc("2027-03-26T12:00"), OsloDst.DailyMarch[1..]);

        // The run at the end of the gap is titled in local time, after the change.
        Assert.Equal(1, await fixture.CountAsync("SELECT count(*) FROM snapshots WHERE created_by = @p0 AND title = @p1",
            schedule.Principal, $"{schedule.RoomId} at 2027-03-28T03:00:00+02:00"));
    }

    [Fact]
    public Task Daily_0230_in_Oslo_across_the_autumn_change_runs_at_the_listed_times() =>
        RunDailyAsync(OsloDst.Utc("2027-10-29T12:00"), OsloDst.DailyOctober[1..]);

    [Fact]
    public async Task Six_hourly_interval_across_both_changes_runs_at_the_listed_times()
    {
        await using var runners = await fixture.StartRunnersAsync(2, OsloDst.Utc("2027-03-27T22:00"), Poll);
        var admin = await runners.AdminAsync();
        var schedule = await CreateAsync(runners, new Schedule
        {
            Interval = Duration.FromTimeSpan(TimeSpan.FromHours(6)),
            StartTime = Timestamp.FromDateTimeOffset(OsloDst.SixHourlyMarch[0]),
            TimeZone = "Europe/Oslo",
        });
        await RunThroughAsync(runners, schedule, OsloDst.SixHourlyMarch);

        // Paused over the summer; resumed just before the autumn list, the same grid goes on.
        await SetPausedAsync(admin, schedule.Id, paused: true);
        runners.Clock.SetUtcNow(OsloDst.SixHourlyOctober[0] - TimeSpan.FromMinutes(30));
        await SetPausedAsync(admin, schedule.Id, paused: false);
        await RunThroughAsync(runners, schedule, OsloDst.SixHourlyOctober, alreadyRun: OsloDst.SixHourlyMarch.Length);
    }

    /// <summary>A daily 02:30 Oslo schedule on two replicas whose clock starts at <paramref name="start"/>, run through <paramref name="expected"/>.</summary>
    private async Task<Schedule> RunDailyAsync(DateTimeOffset start, DateTimeOffset[] expected)
    {
        await using var runners = await fixture.StartRunnersAsync(2, start, Poll);
        var schedule = await CreateAsync(runners, new Schedule { Cron = "30 2 * * *", TimeZone = "Europe/Oslo" });
        await RunThroughAsync(runners, schedule, expected);
        return schedule;
    }

    private static Task<Schedule> CreateAsync(Runners runners, Schedule timing) => runners.ScheduleAsync(roomId =>
    {
        timing.RoomId = roomId;
        timing.Type = SnapshotType.Json;
        timing.TitleTemplate = "{room} at {slot}";
        return timing;
    });

    /// <summary>For each expected due time: it is the schedule's next run time; set the clock to it; the slot runs, as itself.</summary>
    private async Task RunThroughAsync(Runners runners, Schedule schedule, DateTimeOffset[] expected, int alreadyRun = 0)
    {
        var admin = await runners.AdminAsync();
        for (var i = 0; i < expected.Length; i++)
        {
            var next = (await admin.Schedules.GetScheduleAsync(new GetScheduleRequest { ScheduleId = schedule.Id })).Schedule.NextRunTime.ToDateTimeOffset();
            Assert.Equal(expected[i], next);
            runners.Clock.SetUtcNow(expected[i]);
            await fixture.WaitForSlotsAsync(schedule.Id, alreadyRun + i + 1, $"the run due at {expected[i]:O}");
        }
        var slots = (await fixture.SlotsAsync(schedule.Id)).Skip(alreadyRun).ToList();
        Assert.Equal(expected, slots.Select(s => s.DueAt));
        Assert.All(slots, s => Assert.Equal(0, s.Skipped));
        Assert.Equal(alreadyRun + expected.Length, await fixture.CountAsync("SELECT count(*) FROM snapshots WHERE created_by = @p0", schedule.Principal));
    }

    private static Task<UpdateScheduleResponse> SetPausedAsync(ApiClient admin, string scheduleId, bool paused) =>
        admin.Schedules.UpdateScheduleAsync(new UpdateScheduleRequest
        {
            Schedule = new Schedule { Id = scheduleId, Paused = paused },
            UpdateMask = new FieldMask { Paths = { "paused" } },
        }).ResponseAsync;
}
