using Sts.Api.V1;
using Sts.SnapshotApi.Snapshots;

namespace Sts.SnapshotApi.Schedules;

/// <summary>A schedule's settings once validated: what CreateSchedule asks for, or a stored schedule with an update applied.</summary>
/// <param name="StartAt">With an interval: the first slot; null means "from now".</param>
public sealed record ScheduleSpec(
    string RoomId, TimeSpan? Interval, DateTimeOffset? StartAt, string? Cron, string TimeZone, SnapshotType Type, SnapshotOptions Options,
    string TitleTemplate, int? KeepLast, TimeSpan? MaxAge, bool Paused)
{
    public const string PrincipalDomain = "schedules.sts.internal";

    /// <summary>The service principal that makes a schedule's snapshots: an address no person holds, and one per schedule.</summary>
    public static string PrincipalOf(Guid scheduleId) => $"schedule-{scheduleId:N}@{PrincipalDomain}";

    public ScheduleRow NewRow(Guid id, string createdBy, DateTimeOffset now)
    {
        var row = new ScheduleRow
        {
            Id = id,
            RoomId = RoomId,
            TimeZone = TimeZone,
            Options = "",
            TitleTemplate = "",
            Principal = PrincipalOf(id),
            CreatedBy = createdBy,
            CreatedAt = now,
        };
        ApplyTo(row, restart: true, now);
        return row;
    }

    /// <summary>
    /// Writes the settings into <paramref name="row"/>. With <paramref name="restart"/> (new timing), and on resume, the
    /// next slot is the first after now: slots that passed under other settings or while paused are not owed.
    /// </summary>
    public void ApplyTo(ScheduleRow row, bool restart, DateTimeOffset now)
    {
        var resumed = row.Paused && !Paused;
        row.Interval = Interval;
        row.StartAt = Interval is null ? null : StartAt ?? new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        row.Cron = Cron;
        row.TimeZone = TimeZone;
        row.SnapshotType = Type;
        row.Options = SnapshotMapping.OptionsJson(Options);
        row.TitleTemplate = TitleTemplate;
        row.KeepLast = KeepLast;
        row.MaxAge = MaxAge;
        row.Paused = Paused;
        row.UpdatedAt = now;
        row.Version++;
        if (!restart && !resumed) return;
        var timing = ScheduleTiming.Of(row);
        var next = timing.NextAfter(now) ?? throw new InvalidOperationException($"Schedule {row.Id} has no slot after {now:O}.");
        row.NextDueAt = next;
        row.Period = (timing.NextAfter(next) ?? next + TimeSpan.FromDays(1)) - next;
        row.ActiveSince = now;
    }
}
