using Sts.Api.V1;
using static Sts.Cli.Display.ValueText;

namespace Sts.Cli.Display;

/// <summary>How a schedule is shown: its details, or a row of a list.</summary>
public static class ScheduleView
{
    public static void WriteDetails(Schedule schedule) => Details.Write(
        ("id", schedule.Id),
        ("room", schedule.RoomId),
        ("runs", Timing(schedule)),
        ("state", schedule.Paused ? "PAUSED" : "ACTIVE"),
        ("type", Word(schedule.Type)),
        ("includes", SnapshotView.Includes(schedule.Options)),
        ("title", schedule.TitleTemplate),
        ("retention", Retention(schedule.Retention)),
        ("principal", schedule.Principal),
        ("created by", schedule.CreatedBy),
        ("created", Time(schedule.CreateTime)),
        ("updated", Time(schedule.UpdateTime)),
        ("next run", schedule.Paused ? "" : Time(schedule.NextRunTime)),
        ("last run", Time(schedule.LastRunTime)),
        ("last snapshot", schedule.LastSnapshotId),
        ("last success", Time(schedule.LastSuccessTime)),
        ("slots run", Number(schedule.Runs)),
        ("slots skipped", Number(schedule.SkippedSlots)),
        ("etag", schedule.Etag));

    public static void WriteTable(IEnumerable<Schedule> schedules) => ListTable.Write(
        ["ID", "RUNS", "TYPE", "STATE", "NEXT RUN", "LAST SUCCESS", "SLOTS RUN", "SKIPPED"],
        schedules.Select(s => new[]
        {
            s.Id, Timing(s), Word(s.Type), s.Paused ? "PAUSED" : "ACTIVE", s.Paused ? "" : Time(s.NextRunTime), Time(s.LastSuccessTime),
            Number(s.Runs), Number(s.SkippedSlots),
        }));

    public static void WriteRetention(RoomRetention retention) => Details.Write(
        ("room", retention.RoomId),
        ("manual snapshots", retention.ManualMaxAge is { } age ? $"deleted once older than {Duration.Format(age.ToTimeSpan())} (newest and held ones kept)" : "kept (no policy)"),
        ("set by", retention.UpdatedBy),
        ("set", Time(retention.UpdateTime)));

    private static string Timing(Schedule s) => s.TimingCase switch
    {
        Schedule.TimingOneofCase.Interval => $"every {Duration.Format(s.Interval.ToTimeSpan())} from {Time(s.StartTime)}",
        Schedule.TimingOneofCase.Cron => $"cron '{s.Cron}' in {s.TimeZone}",
        _ => "",
    };

    private static string Retention(RetentionPolicy? policy)
    {
        if (policy is null) return "keep all";
        var rules = new List<string>();
        if (policy.HasKeepLast) rules.Add($"the newest {Number(policy.KeepLast)} completed");
        if (policy.MaxAge is { } age) rules.Add($"those younger than {Duration.Format(age.ToTimeSpan())}");
        return "keep " + string.Join(" and ", rules);
    }
}
