namespace Sts.SnapshotApi.Backups;

/// <summary>Which backups keep-last-N removes. Pure, so that its rules are tested on their own.</summary>
public static class BackupRetentionPlan
{
    /// <summary>
    /// The ids to delete from <paramref name="backups"/> (any order): all but the newest <paramref name="keepLast"/>,
    /// except the newest verified backup, which is kept whatever its age, so that there is always a good one to restore.
    /// </summary>
    public static IReadOnlyList<string> ToDelete(IReadOnlyList<BackupEntry> backups, int keepLast)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(keepLast, 1);
        var newestFirst = backups.OrderByDescending(b => b.Manifest.CreatedAt).ThenByDescending(b => b.Manifest.Id, StringComparer.Ordinal).ToList();
        var newestVerified = newestFirst.FirstOrDefault(b => b.Verified)?.Manifest.Id;
        return [.. newestFirst.Skip(keepLast).Select(b => b.Manifest.Id).Where(id => id != newestVerified)];
    }
}
