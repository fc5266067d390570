using Sts.Api.V1;

namespace Sts.SnapshotApi.Schedules;

/// <summary>A snapshot retention may consider: what it is, when it was made, whether it is held.</summary>
public sealed record RetentionCandidate(Guid Id, SnapshotStatus Status, DateTimeOffset CreatedAt, bool Held);

/// <summary>A snapshot retention deletes, and the rule that let it go.</summary>
public sealed record RetentionVictim(Guid Id, string Rule);

/// <summary>
/// Which snapshots a policy deletes. A snapshot goes only when no rule keeps it: it is beyond the newest
/// <c>keepLast</c> COMPLETED ones (FAILED ones do not count, and go with the COMPLETED ones around them) and older than
/// <c>maxAge</c>, whichever of the two are set. Never deleted: the newest COMPLETED snapshot (the last good one),
/// anything under legal hold, and anything still QUEUED or RUNNING. Pure; the I/O is in <see cref="ScheduleRetention"/>.
/// </summary>
public static class RetentionPlan
{
    public static IReadOnlyList<RetentionVictim> Decide(IEnumerable<RetentionCandidate> candidates, int? keepLast, TimeSpan? maxAge, DateTimeOffset now)
    {
        if (keepLast is null && maxAge is null) return [];
        var newestFirst = candidates.OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id).ToList();
        var victims = new List<RetentionVictim>();
        var completedSeen = 0;
        foreach (var candidate in newestFirst)
        {
            var completed = candidate.Status == SnapshotStatus.Completed;
            if (completed) completedSeen++;
            // Everything down to the keepLast-th COMPLETED snapshot is kept; the newest COMPLETED one always is.
            var keptByCount = completedSeen < (keepLast ?? 0) || (completed && completedSeen <= Math.Max(keepLast ?? 0, 1));
            var keptByAge = maxAge is { } age && now - candidate.CreatedAt < age;
            if (keptByCount || keptByAge || candidate.Held) continue;
            if (candidate.Status is not (SnapshotStatus.Completed or SnapshotStatus.Failed)) continue;
            victims.Add(new RetentionVictim(candidate.Id, Rule(keepLast, maxAge)));
        }
        return victims;
    }

    private static string Rule(int? keepLast, TimeSpan? maxAge) => (keepLast, maxAge) switch
    {
        ({ } n, { } age) => $"beyond the newest {n} completed and older than {age}",
        ({ } n, null) => $"beyond the newest {n} completed",
        _ => $"older than {maxAge}",
    };
}
