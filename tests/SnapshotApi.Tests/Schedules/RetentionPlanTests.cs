using Sts.Api.V1;
using Sts.SnapshotApi.Schedules;

namespace Sts.SnapshotApi.Tests.Schedules;

/// <summary>Which snapshots a retention policy deletes. Pure; the runs against the real pipeline are in ScheduleRetentionTests.</summary>
public sealed class RetentionPlanTests
{
    private static readonly DateTimeOffset Now = new(2027, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Keep_last_three_of_ten_deletes_the_oldest_seven()
    {
        var runs = Runs(10);

        var victims = RetentionPlan.Decide(runs, keepLast: 3, maxAge: null, Now);

        Assert.Equal(runs.Take(7).Select(r => r.Id), victims.Select(v => v.Id).Order());
        Assert.All(victims, v => Assert.Equal("beyond the newest 3 completed", v.Rule));
    }

    [Fact]
    public void Held_snapshots_and_unfinished_ones_are_never_deleted()
    {
        var runs = Runs(6);
        runs[0] = runs[0] with { Held = true };
        runs[1] = runs[1] with { Status = SnapshotStatus.Running };

        var victims = RetentionPlan.Decide(runs, keepLast: 1, maxAge: null, Now);

        Assert.Equal(runs.Skip(2).Take(3).Select(r => r.Id), victims.Select(v => v.Id).Order());
    }

    [Fact]
    public void Max_age_never_deletes_the_newest_completed_snapshot()
    {
        // Every run is older than the maximum age; the last good one stays all the same.
        var runs = Runs(4, spacing: TimeSpan.FromDays(10));

        var victims = RetentionPlan.Decide(runs, keepLast: null, maxAge: TimeSpan.FromDays(1), Now);

        Assert.Equal(runs.Take(3).Select(r => r.Id), victims.Select(v => v.Id).Order());
    }

    [Fact]
    public void A_failed_run_newer_than_the_last_good_one_does_not_take_its_place()
    {
        var runs = Runs(3, spacing: TimeSpan.FromDays(10));
        runs[2] = runs[2] with { Status = SnapshotStatus.Failed };

        var victims = RetentionPlan.Decide(runs, keepLast: null, maxAge: TimeSpan.FromDays(1), Now);

        // runs[1] is the newest COMPLETED: kept. The newer FAILED one and the oldest go.
        Assert.Equal([runs[0].Id, runs[2].Id], victims.Select(v => v.Id).Order());
    }

    [Fact]
    public void Failed_runs_do_not_count_towards_keep_last_and_go_with_the_completed_ones_around_them()
    {
        var runs = Runs(6);
        runs[4] = runs[4] with { Status = SnapshotStatus.Failed };
        runs[1] = runs[1] with { Status = SnapshotStatus.Failed };

        var victims = RetentionPlan.Decide(runs, keepLast: 2, maxAge: null, Now);

        // Newest first: 5 (1st completed), 4 (failed, kept: newer than the 2nd), 3 (2nd completed); 2, 1, 0 go.
        Assert.Equal(runs.Take(3).Select(r => r.Id), victims.Select(v => v.Id).Order());
    }

    [Fact]
    public void With_both_rules_a_snapshot_goes_only_when_neither_keeps_it()
    {
        var runs = Runs(6, spacing: TimeSpan.FromHours(1));

        var victims = RetentionPlan.Decide(runs, keepLast: 2, maxAge: TimeSpan.FromHours(3.5), Now);

        // Ages 6 h .. 1 h: the two newest are kept by count, those under 3.5 h by age; ages 6, 5 and 4 h go.
        Assert.Equal(runs.Take(3).Select(r => r.Id), victims.Select(v => v.Id).Order());
    }

    [Fact]
    public void Without_rules_nothing_is_deleted() => Assert.Empty(RetentionPlan.Decide(Runs(5), null, null, Now));

    /// <summary>Completed runs, oldest first, <paramref name="spacing"/> apart, the newest <paramref name="spacing"/> old; ids ascend with age.</summary>
    private static List<RetentionCandidate> Runs(int count, TimeSpan? spacing = null) =>
        Enumerable.Range(0, count)
            .Select(i => new RetentionCandidate(new Guid($"00000000-0000-7000-8000-{i:D12}"), SnapshotStatus.Completed, Now - (spacing ?? TimeSpan.FromMinutes(1)) * (count - i), Held: false))
            .ToList();
}
