using Sts.SnapshotApi.Backups;

namespace Sts.SnapshotApi.Tests.Backups;

/// <summary>Keep-last-N as pure logic: the newest N stay, and the newest verified backup stays whatever its age.</summary>
public sealed class BackupRetentionPlanTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Keeps_the_newest_n_and_deletes_the_rest()
    {
        var backups = Enumerable.Range(0, 5).Select(i => Entry(i, verified: true)).ToList();
        Assert.Equal(["b1", "b0"], BackupRetentionPlan.ToDelete(backups, 3));
    }

    [Fact]
    public void Never_deletes_the_newest_verified_backup_even_past_n()
    {
        // The newest three failed verification or were never verified; the newest good one is the fourth newest.
        List<BackupEntry> backups = [Entry(0, true), Entry(1, true), Entry(2, false), Entry(3, false), Entry(4, null)];
        Assert.Equal(["b2", "b0"], BackupRetentionPlan.ToDelete(backups, 2));
    }

    [Fact]
    public void Order_of_the_listing_does_not_matter()
    {
        List<BackupEntry> backups = [Entry(2, true), Entry(0, true), Entry(3, true), Entry(1, true)];
        Assert.Equal(["b1", "b0"], BackupRetentionPlan.ToDelete(backups, 2));
    }

    [Fact]
    public void Nothing_to_delete_within_n()
    {
        Assert.Empty(BackupRetentionPlan.ToDelete([Entry(0, false), Entry(1, true)], 10));
        Assert.Empty(BackupRetentionPlan.ToDelete([], 1));
    }

    [Fact]
    public void Keep_last_must_be_at_least_one() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => BackupRetentionPlan.ToDelete([Entry(0, true)], 0));

    /// <param name="verified">true: verified with no fault; false: verified with faults; null: never verified.</param>
    private static BackupEntry Entry(int hoursAfterT0, bool? verified) => new(
        new BackupManifest($"b{hoursAfterT0}", T0.AddHours(hoursAfterT0), "scheduled", new BackupObject(1, "00"), "15.18", "m1", null, [], 1),
        verified is { } ok ? new BackupCheck(T0.AddHours(hoursAfterT0), ok, 0, ok ? [] : ["dump.pgc: missing"]) : null);
}
