using System.Text.RegularExpressions;
using Cronos;

namespace Sts.SnapshotApi.Schedules;

/// <summary>
/// When a schedule's slots fall: every interval from a start (exact durations, so clock changes do not move them), or
/// whenever a cron expression matches the wall clock of a time zone. Cronos decides the daylight-saving days: a time
/// inside the gap when clocks go forward runs at the end of the gap, a time the clocks pass twice runs once, at its
/// first occurrence. Pure, so the tests drive it through a real zone's changes without waiting.
/// </summary>
public abstract partial class ScheduleTiming
{
    public static ScheduleTiming Every(TimeSpan interval, DateTimeOffset start) => new IntervalTiming(interval, start);

    public static ScheduleTiming Cron(CronExpression expression, TimeZoneInfo zone) => new CronTiming(expression, zone);

    /// <summary>The timing a stored schedule has (its settings were validated when they were written).</summary>
    public static ScheduleTiming Of(ScheduleRow row) => row.Cron is { } cron
        ? Cron(CronExpression.Parse(cron), FindZone(row.TimeZone) ?? throw new InvalidOperationException($"Schedule {row.Id}: unknown time zone '{row.TimeZone}'."))
        : Every(row.Interval ?? throw new InvalidOperationException($"Schedule {row.Id} has neither an interval nor a cron expression."), row.StartAt ?? row.CreatedAt);

    /// <summary>An IANA zone by name (case as the system files have it), or null. Names that could be paths are refused before any lookup.</summary>
    public static TimeZoneInfo? FindZone(string name) =>
        name.Length <= 64 && ZoneName().IsMatch(name) && TimeZoneInfo.TryFindSystemTimeZoneById(name, out var zone) ? zone : null;

    /// <summary>Parses five-field cron (minute hour day-of-month month day-of-week), or returns null.</summary>
    public static CronExpression? ParseCron(string text) =>
        text.Length <= 100 && CronExpression.TryParse(text, CronFormat.Standard, out var expression) ? expression : null;

    /// <summary>The first slot strictly after <paramref name="after"/>, or null when none follows.</summary>
    public abstract DateTimeOffset? NextAfter(DateTimeOffset after);

    /// <summary>
    /// The misfire policy. <paramref name="nextDue"/> is the earliest slot that has not run. Null while it is not due;
    /// otherwise the one slot to run now: the latest that is due, with the number of due slots it stands for (all but
    /// one of them are skipped, never run late one by one) and the slot after it.
    /// </summary>
    public virtual DueSlots? Due(DateTimeOffset nextDue, DateTimeOffset now)
    {
        if (nextDue > now) return null;
        var slot = nextDue;
        long count = 1;
        var following = NextAfter(slot);
        while (following is { } next && next <= now)
        {
            slot = next;
            count++;
            following = NextAfter(next);
        }
        return new DueSlots(slot, count, following);
    }

    /// <summary>The shortest gap between consecutive slots among the first <paramref name="samples"/> after <paramref name="from"/>; null with fewer than two.</summary>
    public TimeSpan? ShortestGap(DateTimeOffset from, int samples)
    {
        TimeSpan? shortest = null;
        var previous = NextAfter(from);
        for (var i = 1; i < samples && previous is { } p; i++)
        {
            var next = NextAfter(p);
            if (next is not { } n) break;
            if (shortest is null || n - p < shortest) shortest = n - p;
            previous = n;
        }
        return shortest;
    }

    // Area/Location[/Sub] or a single word such as UTC; no dots, so never a path outside the zone database.
    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+){0,2}\z")]
    private static partial Regex ZoneName();

    private sealed class IntervalTiming(TimeSpan interval, DateTimeOffset start) : ScheduleTiming
    {
        public override DateTimeOffset? NextAfter(DateTimeOffset after) =>
            after < start ? start : start + TimeSpan.FromTicks(interval.Ticks * ((after - start).Ticks / interval.Ticks + 1));

        // Arithmetic rather than a walk: a short interval after a long outage is many slots.
        public override DueSlots? Due(DateTimeOffset nextDue, DateTimeOffset now)
        {
            if (nextDue > now) return null;
            var skipped = (now - nextDue).Ticks / interval.Ticks;
            var slot = nextDue + TimeSpan.FromTicks(interval.Ticks * skipped);
            return new DueSlots(slot, skipped + 1, slot + interval);
        }
    }

    private sealed class CronTiming(CronExpression expression, TimeZoneInfo zone) : ScheduleTiming
    {
        public override DateTimeOffset? NextAfter(DateTimeOffset after) =>
            expression.GetNextOccurrence(after.UtcDateTime, zone, inclusive: false) is { } next ? new DateTimeOffset(next, TimeSpan.Zero) : null;
    }
}

/// <summary>The slot to run now, how many due slots it stands for, and the slot after it (null if none follows).</summary>
public sealed record DueSlots(DateTimeOffset Slot, long Count, DateTimeOffset? Following)
{
    public long Skipped => Count - 1;
}
