using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Sts.Api.V1;

namespace Sts.SnapshotApi.Schedules;

/// <summary>Maps schedule rows to the API's messages.</summary>
public static class ScheduleMapping
{
    private static readonly JsonParser OptionsParser = new(JsonParser.Settings.Default);

    public static SnapshotOptions Options(ScheduleRow row) => OptionsParser.Parse<SnapshotOptions>(row.Options);

    /// <param name="lastSuccess">Due time of the newest slot whose snapshot completed, if any.</param>
    public static Schedule ToProto(ScheduleRow row, DateTimeOffset? lastSuccess)
    {
        var schedule = new Schedule
        {
            Id = row.Id.ToString("D"),
            RoomId = row.RoomId,
            TimeZone = row.TimeZone,
            StartTime = Time(row.StartAt),
            Type = row.SnapshotType,
            Options = Options(row),
            TitleTemplate = row.TitleTemplate,
            Retention = row.KeepLast is null && row.MaxAge is null ? null : new RetentionPolicy
            {
                MaxAge = row.MaxAge is { } age ? Duration.FromTimeSpan(age) : null,
            },
            Paused = row.Paused,
            Principal = row.Principal,
            CreatedBy = row.CreatedBy,
            CreateTime = Timestamp.FromDateTimeOffset(row.CreatedAt),
            UpdateTime = Timestamp.FromDateTimeOffset(row.UpdatedAt),
            NextRunTime = Timestamp.FromDateTimeOffset(row.NextDueAt),
            LastRunTime = Time(row.LastDueAt),
            LastSnapshotId = row.LastSnapshotId?.ToString("D") ?? "",
            LastSuccessTime = Time(lastSuccess),
            Runs = row.Runs,
            SkippedSlots = row.SkippedSlots,
            Etag = row.Version.ToString(CultureInfo.InvariantCulture),
        };
        if (row.KeepLast is { } keep) schedule.Retention!.KeepLast = keep;
        if (row.Cron is { } cron) schedule.Cron = cron;
        else if (row.Interval is { } interval) schedule.Interval = Duration.FromTimeSpan(interval);
        return schedule;
    }

    public static RoomRetention ToProto(string roomId, RoomRetentionRow? row) => new()
    {
        RoomId = roomId,
        ManualMaxAge = row is null ? null : Duration.FromTimeSpan(row.ManualMaxAge),
        UpdateTime = Time(row?.UpdatedAt),
        UpdatedBy = row?.UpdatedBy ?? "",
    };

    private static Timestamp? Time(DateTimeOffset? at) => at is { } t ? Timestamp.FromDateTimeOffset(t) : null;
}
