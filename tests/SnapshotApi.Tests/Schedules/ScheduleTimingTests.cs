using Sts.SnapshotApi.Schedules;
using static Sts.Tests.Support.OsloDst;

namespace Sts.SnapshotApi.Tests.Schedules;

/// <summary>
/// Slot times across the daylight-saving changes of 2027 in Europe/Oslo (clocks forward 28 March 02:00 CET -> 03:00
/// CEST, back 31 October 03:00 CEST -> 02:00 CET), and the misfire policy. Pure: no clock, no database. The expected
/// lists are <see cref="OsloDst"/>, shared with the end-to-end scheduler tests.
/// </summary>
public sealed class ScheduleTimingTests
{
    private static readonly TimeZoneInfo Oslo = ScheduleTiming.FindZone("Europe/Oslo")!;

    [Fact]
    public void Daily_0230_in_Oslo_runs_at_the_end_of_the_gap_when_the_clocks_go_forward()
    {
        var timing = ScheduleTiming.Cron(ScheduleTiming.ParseCron("30 2 * * *")!, Oslo);

        Assert.Equal(DailyMarch, Walk(timing, Utc("2027-03-25T12:00"), DailyMarch.Length));
        Assert.Equal("2027-03-28T03:00:00+02:00", TitleTemplate.Render("{slot}", "r", TimeZoneInfo.ConvertTime(DailyMarch[2], Oslo)));
    }

    [Fact]
    public void Daily_0230_in_Oslo_runs_once_when_the_clocks_go_back()
    {
        var timing = ScheduleTiming.Cron(ScheduleTiming.ParseCron("30 2 * * *")!, Oslo);

        Assert.Equal(DailyOctober, Walk(timing, Utc("2027-10-28T12:00"), DailyOctober.Length));
        // From the first 02:30 of 31 October, the next run is the next night's, not the second 02:30 an hour later.
        Assert.Equal(Utc("2027-11-01T01:30"), timing.NextAfter(Utc("2027-10-31T00:30")));
    }

    [Fact]
    public void Six_hourly_interval_keeps_exact_spacing_across_both_changes()
    {
        // One schedule, started at local midnight of 28 March, seen in March and again in October.
        var timing = ScheduleTiming.Every(TimeSpan.FromHours(6), SixHourlyMarch[0]);

        Assert.Equal(SixHourlyMarch, Walk(timing, SixHourlyMarch[0].AddSeconds(-1), SixHourlyMarch.Length));
        Assert.Equal(SixHourlyOctober, Walk(timing, SixHourlyOctober[0].AddSeconds(-1), SixHourlyOctober.Length));
        Assert.Equal(["00:00", "07:00", "13:00", "19:00", "01:00"], SixHourlyMarch.Select(Local));
        Assert.Equal(["19:00", "01:00", "06:00", "12:00", "18:00"], SixHourlyOctober.Select(Local));
    }

    [Fact]
    public void Three_missed_slots_make_one_run_for_the_latest_with_two_skipped()
    {
        var start = Utc("2027-01-04T00:00");
        var timing = ScheduleTiming.Every(TimeSpan.FromMinutes(1), start);

        // Down from just after the first slot until 30 s after the fourth: slots 2, 3 and 4 were missed.
        var due = timing.Due(start.AddMinutes(1), start.AddMinutes(3).AddSeconds(30));

        Assert.Equal(new DueSlots(start.AddMinutes(3), 3, start.AddMinutes(4)), due);
        Assert.Equal(2, due!.Skipped);
        Assert.Null(timing.Due(start.AddMinutes(4), start.AddMinutes(3).AddSeconds(59)));
        Assert.Equal(new DueSlots(start.AddMinutes(4), 1, start.AddMinutes(5)), timing.Due(start.AddMinutes(4), start.AddMinutes(4)));
    }

    [Fact]
    public void A_cron_schedule_late_by_several_slots_also_runs_once()
    {
        var timing = ScheduleTiming.Cron(ScheduleTiming.ParseCron("30 2 * * *")!, Oslo);

        // Down from before the run of 27 March until the evening of 29 March: three nights missed, one across the change.
        var due = timing.Due(DailyMarch[1], Utc("2027-03-29T20:00"));

        Assert.Equal(new DueSlots(DailyMarch[3], 3, DailyMarch[4]), due);
    }

    [Fact]
    public void Interval_slots_fall_on_the_grid_of_their_start()
    {
        var start = Utc("2027-01-04T00:00");
        var timing = ScheduleTiming.Every(TimeSpan.FromSeconds(7), start);

        Assert.Equal(start, timing.NextAfter(start.AddDays(-3)));
        Assert.Equal(start.AddSeconds(7), timing.NextAfter(start));
        Assert.Equal(start.AddSeconds(7 * 1000), timing.NextAfter(start.AddSeconds(7 * 1000 - 0.5)));
        // A year of a one-second interval is counted, not walked.
        Assert.Equal(365L * 86_400 + 1, ScheduleTiming.Every(TimeSpan.FromSeconds(1), start).Due(start, start.AddDays(365))!.Count);
    }

    [Theory]
    [InlineData("*/5 * * * *", 300)]
    [InlineData("0 */6 * * *", 21_600)]
    [InlineData("0 9,17 * * 1-5", 28_800)]
    public void Shortest_gap_finds_the_closest_pair_of_runs(string cron, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), ScheduleTiming.Cron(ScheduleTiming.ParseCron(cron)!, TimeZoneInfo.Utc).ShortestGap(Utc("2027-01-04T00:00"), 400));

    [Theory]
    [InlineData("Europe/Oslo", true)]
    [InlineData("UTC", true)]
    [InlineData("America/Argentina/Buenos_Aires", true)]
    [InlineData("Mars/Olympus_Mons", false)]
    [InlineData("../../etc/passwd", false)]
    [InlineData("/usr/share/zoneinfo/UTC", false)]
    [InlineData("Europe/../UTC", false)]
    [InlineData("", false)]
    public void Time_zones_are_IANA_names_and_never_paths(string name, bool known) => Assert.Equal(known, ScheduleTiming.FindZone(name) is not null);

    private static List<DateTimeOffset> Walk(ScheduleTiming timing, DateTimeOffset from, int count)
    {
        var slots = new List<DateTimeOffset>();
        for (var at = timing.NextAfter(from); at is { } slot && slots.Count < count; at = timing.NextAfter(slot)) slots.Add(slot);
        return slots;
    }

    private static string Local(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, Oslo).ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture);
}
