using Google.Protobuf.WellKnownTypes;
using Sts.Api.V1;

namespace Sts.SnapshotApi.Tests.Fuzzing;

/// <summary>Hostile schedules: timings, cron text, zones, templates, durations and retention rules, valid and not.</summary>
public static class FuzzSchedules
{
    private static readonly string[] Crons =
    [
        "30 2 * * *", "*/5 * * * *", "0 */6 * * *", "0 9,17 * * 1-5", "* * * * *", "0 0 30 2 *", "61 * * * *", "@daily", "@every 5m",
        "0 30 2 * * *", "L W # ? *", "0 0 29 2 *", "*/0 * * * *", "1-0 * * * *", "0 0 * * 8", "", " ", "30 2 * * *\n",
    ];

    private static readonly string[] Zones =
    [
        "", "UTC", "Europe/Oslo", "America/Argentina/Buenos_Aires", "Etc/GMT+14", "Mars/Base", "../../etc/localtime", "/etc/localtime",
        "Local", "W. Europe Standard Time", "europe/oslo", "Europe/Oslo\0", "Europe//Oslo", "Europe/Oslo/", "posixrules",
    ];

    private static readonly string[] Templates =
        ["", "Daily {room} {date} {time}", "{slot}", "{weekday}", "{", "}", "{{room}}", "{room", "x}}y", "{slot}{slot}{slot}{slot}{slot}{slot}{slot}{slot}"];

    private static readonly string[] Paths =
        ["interval", "cron", "time_zone", "start_time", "type", "options", "title_template", "retention", "paused", "room_id", "id", "", "*", "interval.seconds", "PAUSED"];

    /// <summary>A third of the time a schedule the service accepts (so that creates and updates get through), else anything.</summary>
    public static Schedule Schedule(Hostile h, string roomId) => h.Chance(0.35) ? Valid(h, roomId) : Anything(h, roomId);

    private static Schedule Valid(Hostile h, string roomId)
    {
        var schedule = new Schedule
        {
            RoomId = roomId,
            Type = h.Pick([SnapshotType.Pdf, SnapshotType.Json]),
            TimeZone = h.Pick(["", "UTC", "Europe/Oslo", "Asia/Singapore"]),
            TitleTemplate = h.Pick(["", "Daily {room} {date} {time}", "Watch {slot}"]),
            Paused = h.Chance(0.3),
            Retention = h.Chance(0.5) ? null : new RetentionPolicy { KeepLast = h.Rng.Next(1, 20) },
        };
        if (h.Chance(0.5)) schedule.Interval = new Duration { Seconds = h.Pick([300L, 3600L, 21_600L, 86_400L]) };
        else
        {
            schedule.Cron = h.Pick(["30 2 * * *", "0 */6 * * *", "0 9,17 * * 1-5", "*/15 * * * *"]);
            if (schedule.TimeZone.Length == 0) schedule.TimeZone = "UTC";
        }
        return schedule;
    }

    private static Schedule Anything(Hostile h, string roomId)
    {
        var schedule = new Schedule
        {
            RoomId = roomId,
            Type = h.Enum<SnapshotType>(),
            TimeZone = h.Chance(0.8) ? h.Pick(Zones) : h.Text(),
            TitleTemplate = h.Chance(0.8) ? h.Pick(Templates) : h.Text(),
            Paused = h.Chance(0.3),
            StartTime = h.Chance(0.2) ? h.Timestamp() : null,
            Options = h.Chance(0.5) ? null : new SnapshotOptions
            {
                IncludeDocuments = h.Chance(0.7), IncludeActivity = h.Chance(0.5), ActivityLimit = h.Chance(0.7) ? 0 : h.Number(),
            },
        };
        switch (h.Rng.Next(5))
        {
            case 0:
                break;
            case 1 or 2:
                schedule.Interval = Duration(h);
                break;
            default:
                schedule.Cron = h.Chance(0.8) ? h.Pick(Crons) : h.Text();
                break;
        }
        if (h.Chance(0.5))
        {
            schedule.Retention = new RetentionPolicy { MaxAge = h.Chance(0.5) ? null : Duration(h) };
            if (h.Chance(0.6)) schedule.Retention.KeepLast = h.Rng.Next(3) switch { 0 => h.Pick([0, 1, 3, 1000, 1001, -1]), 1 => h.Number(), _ => h.Rng.Next(1, 20) };
        }
        return schedule;
    }

    public static UpdateScheduleRequest Update(Hostile h, string scheduleId)
    {
        var patch = Schedule(h, "");
        patch.Id = scheduleId;
        patch.Etag = h.Rng.Next(5) switch { 1 => h.Pick(["1", "2", "0", "-1", "99999999999"]), 2 => h.Text(), _ => "" };
        var request = new UpdateScheduleRequest { Schedule = h.Chance(0.04) ? null : patch };
        if (h.Chance(0.4))
            request.UpdateMask = new FieldMask { Paths = { h.Pick(["paused", "type", "title_template", "retention", "time_zone", patch.TimingCase == Sts.Api.V1.Schedule.TimingOneofCase.Cron ? "cron" : "interval"]) } };
        else if (h.Chance(0.9))
        {
            request.UpdateMask = new FieldMask();
            for (var i = h.Rng.Next(0, 4); i > 0; i--) request.UpdateMask.Paths.Add(h.Chance(0.85) ? h.Pick(Paths) : h.Text());
        }
        return request;
    }

    /// <summary>Mostly plausible whole-second durations, sometimes fractions, negatives or the extremes of the wire format.</summary>
    public static Duration Duration(Hostile h) => h.Rng.Next(4) switch
    {
        0 => new Duration { Seconds = h.Pick([1L, 59L, 60L, 299L, 300L, 3600L, 21_600L, 31_622_400L, 31_622_401L, 315_360_000L]) },
        1 => new Duration { Seconds = h.Pick([0L, -1L, long.MaxValue, long.MinValue, 315_360_001L]), Nanos = h.Pick([0, 1, -1, 999_999_999, 1_000_000_000, int.MinValue]) },
        2 => new Duration { Seconds = h.Number() },
        _ => new Duration { Seconds = h.Rng.Next(1, 100_000) },
    };
}
