using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Sts.Api.V1;
using Sts.SnapshotApi.Data;
using Sts.SnapshotApi.Rpc;
using Sts.SnapshotApi.Snapshots;

namespace Sts.SnapshotApi.Schedules;

/// <summary>An UpdateSchedule request once validated: which schedule, the etag it must still have, and which fields change.</summary>
public sealed record ScheduleUpdate(Guid Id, int? Version, IReadOnlySet<string> Mask, Schedule Patch)
{
    /// <summary>Fields whose change moves the slots.</summary>
    public bool ChangesTiming => Mask.Overlaps(["interval", "cron", "time_zone", "start_time"]);
}

/// <summary>One validation method per schedule request; field paths as in the request (schedule.cron, ...).</summary>
public static class ScheduleValidator
{
    public const int MaxKeepLast = 1000;

    /// <summary>Paths UpdateSchedule can change.</summary>
    public static readonly IReadOnlySet<string> Updatable =
        new HashSet<string>(["interval", "cron", "time_zone", "start_time", "type", "options", "title_template", "retention", "paused"], StringComparer.Ordinal);

    private static readonly TimeSpan MaxInterval = TimeSpan.FromDays(366);
    private static readonly TimeSpan MinMaxAge = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan MinManualMaxAge = TimeSpan.FromHours(1);
    private static readonly TimeSpan MaxAge = TimeSpan.FromDays(3650);
    // Cron gaps are checked over this many upcoming slots: enough to cover a year of a daily schedule's clock changes.
    private const int GapSamples = 400;

    public static ScheduleSpec Validate(CreateScheduleRequest r, ScheduleOptions options, DateTimeOffset now)
    {
        var v = new FieldValidator();
        if (r.Schedule is null) v.Add("schedule", "is required");
        else v.Id("schedule.room_id", r.Schedule.RoomId);
        if (r.Schedule is not null) Check(v, r.Schedule, options, now, _ => true);
        v.ThrowIfAny();
        return ToSpec(r.Schedule!);
    }

    /// <summary>The request's own fields: the id, the etag, the mask and each masked field on its own.</summary>
    public static ScheduleUpdate Validate(UpdateScheduleRequest r, ScheduleOptions options, DateTimeOffset now)
    {
        var v = new FieldValidator();
        var patch = r.Schedule;
        if (patch is null) v.Add("schedule", "is required");
        else v.Uuid("schedule.id", patch.Id);
        var version = Etag(v, "schedule.etag", patch?.Etag ?? "");
        var mask = new HashSet<string>(StringComparer.Ordinal);
        if (r.UpdateMask is null || r.UpdateMask.Paths.Count == 0)
            v.Add("update_mask", "is required: name the fields to change, such as paused");
        else
        {
            foreach (var path in r.UpdateMask.Paths)
            {
                if (Updatable.Contains(path)) mask.Add(path);
                else v.Add("update_mask", $"names '{Shorten(path)}', which cannot be changed; use {string.Join(", ", Updatable.Order(StringComparer.Ordinal))}");
            }
            if (mask.Contains("interval") && mask.Contains("cron")) v.Add("update_mask", "names both interval and cron; a schedule has one timing");
        }
        if (patch is not null && mask.Count > 0)
            Check(v, patch, options, now, field => field == "timing" ? mask.Contains("interval") || mask.Contains("cron") : mask.Contains(field));
        v.ThrowIfAny();
        return new ScheduleUpdate(Guid.ParseExact(patch!.Id, "D"), version, mask, patch);
    }

    /// <summary>The stored schedule with the update's fields laid over it, validated as a whole (a cron needs its zone, and so on).</summary>
    public static ScheduleSpec Merge(Schedule current, ScheduleUpdate update, ScheduleOptions options, DateTimeOffset now)
    {
        var merged = current.Clone();
        var patch = update.Patch;
        foreach (var path in update.Mask)
        {
            switch (path)
            {
                // A new timing starts afresh unless the update gives its start too (which cron then refuses).
                case "interval":
                    merged.Interval = patch.Interval;
                    if (!update.Mask.Contains("start_time")) merged.StartTime = null;
                    break;
                case "cron":
                    merged.Cron = patch.Cron;
                    if (!update.Mask.Contains("start_time")) merged.StartTime = null;
                    break;
                case "time_zone": merged.TimeZone = patch.TimeZone; break;
                case "start_time": merged.StartTime = patch.StartTime; break;
                case "type": merged.Type = patch.Type; break;
                case "options": merged.Options = patch.Options; break;
                case "title_template": merged.TitleTemplate = patch.TitleTemplate; break;
                case "retention": merged.Retention = patch.Retention; break;
                default: merged.Paused = patch.Paused; break;
            }
        }
        var v = new FieldValidator();
        Check(v, merged, options, now, _ => true);
        v.ThrowIfAny();
        return ToSpec(merged);
    }

    public static Guid Validate(GetScheduleRequest r) => RequiredUuid("schedule_id", r.ScheduleId);

    public static (Guid Id, int? Version) Validate(DeleteScheduleRequest r)
    {
        var v = new FieldValidator();
        v.Uuid("schedule_id", r.ScheduleId);
        var version = Etag(v, "etag", r.Etag);
        v.ThrowIfAny();
        return (Guid.ParseExact(r.ScheduleId, "D"), version);
    }

    public static (int PageSize, PageToken? Token, string Filters) Validate(ListSchedulesRequest r)
    {
        var v = new FieldValidator();
        v.Id("room_id", r.RoomId);
        var pageSize = PageToken.PageSize(r.PageSize, v);
        var filters = $"schedules;room={r.RoomId}";
        var token = PageToken.Decode(r.PageToken, filters, v);
        v.ThrowIfAny();
        return (pageSize, token, filters);
    }

    public static string Validate(GetRoomRetentionRequest r)
    {
        var v = new FieldValidator();
        v.Id("room_id", r.RoomId);
        v.ThrowIfAny();
        return r.RoomId;
    }

    /// <summary>The room and its policy's maximum age (null clears the policy).</summary>
    public static (string RoomId, TimeSpan? ManualMaxAge) Validate(SetRoomRetentionRequest r)
    {
        var v = new FieldValidator();
        if (r.Retention is null) v.Add("retention", "is required");
        else v.Id("retention.room_id", r.Retention.RoomId);
        var maxAge = r.Retention?.ManualMaxAge is { } age ? Seconds(v, "retention.manual_max_age", age, MinManualMaxAge, MaxAge) : null;
        v.ThrowIfAny();
        return (r.Retention!.RoomId, maxAge);
    }

    /// <summary>Checks the fields <paramref name="include"/> names ("timing" stands for interval or cron).</summary>
    private static void Check(FieldValidator v, Schedule s, ScheduleOptions options, DateTimeOffset now, Func<string, bool> include)
    {
        TimeZoneInfo? zone = null;
        if (include("time_zone"))
        {
            if (s.TimeZone.Length == 0)
            {
                if (s.TimingCase == Schedule.TimingOneofCase.Cron) v.Add("schedule.time_zone", "is required with cron: an IANA zone such as Europe/Oslo, or UTC");
                else zone = TimeZoneInfo.Utc;
            }
            else if ((zone = ScheduleTiming.FindZone(s.TimeZone)) is null)
                v.Add("schedule.time_zone", "is not a known IANA time zone (such as Europe/Oslo or UTC)");
        }
        if (include("timing"))
        {
            switch (s.TimingCase)
            {
                case Schedule.TimingOneofCase.Interval:
                    Seconds(v, "schedule.interval", s.Interval, options.MinInterval, MaxInterval, " (Schedules:MinInterval)");
                    break;
                case Schedule.TimingOneofCase.Cron:
                    CheckCron(v, s.Cron, zone, options.MinInterval, now);
                    break;
                default:
                    v.Add("schedule.interval", "or schedule.cron is required: when the schedule runs");
                    break;
            }
        }
        if (include("start_time") && s.StartTime is not null)
        {
            if (s.TimingCase == Schedule.TimingOneofCase.Cron) v.Add("schedule.start_time", "applies to interval schedules only; cron sets its own times");
            else if (v.Timestamp("schedule.start_time", s.StartTime, required: false) && s.StartTime.ToDateTimeOffset() > now + MaxInterval)
                v.Add("schedule.start_time", $"must be within {Describe(MaxInterval)} from now");
        }
        if (include("type")) v.Enum("schedule.type", s.Type);
        if (include("options"))
        {
            SnapshotValidator.Options(v, "schedule.options", s.Type, s.Options);
            // A fixed snapshot to compare with would be stale from the second run on.
            if (s.Options is { CompareToSnapshotId.Length: > 0 })
                v.Add("schedule.options.compare_to_snapshot_id", "is not for schedules; compare scheduled snapshots with DiffSnapshots");
        }
        if (include("title_template"))
        {
            v.Text("schedule.title_template", s.TitleTemplate, 0, TitleTemplate.MaxTitle);
            if (TitleTemplate.Problem(s.TitleTemplate) is { } problem) v.Add("schedule.title_template", problem);
        }
        if (include("retention") && s.Retention is { } retention)
        {
            if (retention.HasKeepLast && retention.KeepLast is < 1 or > MaxKeepLast)
                v.Add("schedule.retention.keep_last", $"must be 1 to {MaxKeepLast}; leave it unset to keep any number");
            if (retention.MaxAge is { } age) Seconds(v, "schedule.retention.max_age", age, MinMaxAge, MaxAge);
            if (!retention.HasKeepLast && retention.MaxAge is null)
                v.Add("schedule.retention", "sets neither keep_last nor max_age; leave retention out to keep every snapshot");
        }
    }

    /// <summary>The settings of a schedule that passed <see cref="Check"/> on every field.</summary>
    private static ScheduleSpec ToSpec(Schedule s) => new(
        s.RoomId,
        s.TimingCase == Schedule.TimingOneofCase.Interval ? s.Interval.ToTimeSpan() : null,
        s.TimingCase == Schedule.TimingOneofCase.Interval ? s.StartTime?.ToDateTimeOffset().ToStoredPrecision() : null,
        s.TimingCase == Schedule.TimingOneofCase.Cron ? s.Cron.Trim() : null,
        s.TimeZone.Length == 0 ? TimeZoneInfo.Utc.Id : ScheduleTiming.FindZone(s.TimeZone)!.Id,
        s.Type,
        SnapshotMapping.Effective(s.Options),
        s.TitleTemplate.Length == 0 ? TitleTemplate.Default : s.TitleTemplate,
        s.Retention is { HasKeepLast: true } r ? r.KeepLast : null,
        s.Retention?.MaxAge?.ToTimeSpan(),
        s.Paused);

    private static void CheckCron(FieldValidator v, string text, TimeZoneInfo? zone, TimeSpan minInterval, DateTimeOffset now)
    {
        if (text.Any(char.IsControl) || ScheduleTiming.ParseCron(text.Trim()) is not { } cron)
        {
            v.Add("schedule.cron", "is not a valid cron expression of five fields (minute 0-59, hour 0-23, day of month 1-31, month 1-12, day of week 0-7), such as \"30 2 * * *\"");
            return;
        }
        // Without a valid zone (reported already, or not part of this update) the gaps are checked on the whole schedule later.
        if (zone is null) return;
        switch (ScheduleTiming.Cron(cron, zone).ShortestGap(now, GapSamples))
        {
            case null:
                v.Add("schedule.cron", "never runs (or runs only once)");
                break;
            case { } gap when gap < minInterval:
                v.Add("schedule.cron", $"runs {Describe(gap)} apart; the minimum is {Describe(minInterval)} (Schedules:MinInterval)");
                break;
        }
    }

    /// <summary>A duration of whole seconds within bounds, else a violation and null.</summary>
    private static TimeSpan? Seconds(FieldValidator v, string field, Duration? value, TimeSpan min, TimeSpan max, string minSource = "")
    {
        if (value is null)
        {
            v.Add(field, "is required");
            return null;
        }
        if (value.Nanos != 0 || value.Seconds <= 0 || value.Seconds > (long)max.TotalSeconds)
        {
            v.Add(field, $"must be whole seconds from {Describe(min)} to {Describe(max)}");
            return null;
        }
        var span = TimeSpan.FromSeconds(value.Seconds);
        if (span >= min) return span;
        v.Add(field, $"is {Describe(span)}; the minimum is {Describe(min)}{minSource}");
        return null;
    }

    private static int? Etag(FieldValidator v, string field, string etag)
    {
        if (etag.Length == 0) return null;
        if (int.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var version)) return version;
        v.Add(field, "is not an etag this service issued");
        return null;
    }

    private static Guid RequiredUuid(string field, string value)
    {
        var v = new FieldValidator();
        v.Uuid(field, value);
        v.ThrowIfAny();
        return Guid.ParseExact(value, "D");
    }

    internal static string Describe(TimeSpan span) => span switch
    {
        { TotalDays: >= 1 } when span.Ticks % TimeSpan.TicksPerDay == 0 => $"{span.TotalDays:0} d",
        { TotalHours: >= 1 } when span.Ticks % TimeSpan.TicksPerHour == 0 => $"{span.TotalHours:0} h",
        { TotalMinutes: >= 1 } when span.Ticks % TimeSpan.TicksPerMinute == 0 => $"{span.TotalMinutes:0} min",
        _ => $"{span.TotalSeconds:0.###} s",
    };

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "...";
}
