using Sts.Shared.Storage;
using Sts.SnapshotApi.Admin;

namespace Sts.SnapshotApi.Backups;

/// <summary>Re-hashes a backup's dump and every object its manifest lists, and records the result with the backup.</summary>
public sealed class BackupVerifier(ISnapshotStore store, BackupCatalog catalog, TimeProvider clock)
{
    private const int MaxFaultsListed = 100;

    public async Task<BackupCheck> VerifyAsync(BackupManifest manifest, CancellationToken ct)
    {
        var faults = new List<string>();
        var dumpKey = StorageKey.ForBackup(manifest.Id, BackupManifest.DumpName);
        await CheckAsync(dumpKey, BackupManifest.DumpName, manifest.Dump.SizeBytes, manifest.Dump.Sha256, gzipped: false, faults, ct);
        var filesChecked = await CheckFilesAsync(manifest.Files, f => StorageKey.ForBackupCopy(manifest.Id, f.Key), "in the backup", faults, ct);
        var check = new BackupCheck(clock.GetUtcNow(), faults.Count == 0, filesChecked, Listed(faults));
        await catalog.WriteCheckAsync(manifest.Id, check, ct);
        return check;
    }

    /// <summary>Checks each object under the key <paramref name="keyOf"/> gives it; adds a sentence per fault. Returns how many were checked.</summary>
    public async Task<long> CheckFilesAsync(IEnumerable<BackupFile> files, Func<BackupFile, string> keyOf, string where, List<string> faults, CancellationToken ct)
    {
        long count = 0;
        foreach (var file in files)
        {
            count++;
            await CheckAsync(keyOf(file), $"{file.Key} (snapshot {file.SnapshotId:D}) {where}", file.SizeBytes, file.Sha256, file.Gzipped, faults, ct);
        }
        return count;
    }

    private async Task CheckAsync(string key, string name, long size, string sha256, bool gzipped, List<string> faults, CancellationToken ct)
    {
        await using var stream = await store.OpenReadAsync(key, ct);
        if (stream is null)
        {
            faults.Add($"{name}: missing");
            return;
        }
        var (hash, length) = await StorageVerifier.HashAsync(stream, gzipped, ct);
        if (hash != sha256 || (size >= 0 && length != size)) // a state whose size was not recorded has -1
            faults.Add($"{name}: SHA-256 {hash ?? "(not readable)"} and {length} bytes, but the manifest records {sha256} and {size} bytes");
    }

    private static List<string> Listed(List<string> faults) =>
        faults.Count <= MaxFaultsListed ? faults : [.. faults.Take(MaxFaultsListed), $"... and {faults.Count - MaxFaultsListed} more faults"];
}
