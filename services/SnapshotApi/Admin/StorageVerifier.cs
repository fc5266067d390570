using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Sts.Api.V1;
using Sts.Shared.Storage;
using Sts.SnapshotApi.Data;
using Sts.SnapshotApi.Telemetry;

namespace Sts.SnapshotApi.Admin;

/// <summary>
/// Checks every completed snapshot's file against its recorded SHA-256 and size, and reports orphans both
/// ways: rows whose file is missing, and stored files that no row claims.
/// </summary>
public sealed partial class StorageVerifier(IDbContextFactory<StsDbContext> dbFactory, ISnapshotStore store, ApiMetrics metrics, ILogger<StorageVerifier> logger)
{
    private const int MaxListed = 100;

    public async Task<VerifyStorageResponse> VerifyAsync(CancellationToken ct)
    {
        var report = new VerifyStorageResponse();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var claimed = new HashSet<string>(StringComparer.Ordinal);
        var rows = db.Snapshots.AsNoTracking()
            .Where(s => s.FileKey != null)
            .Select(s => new { s.Id, s.FileKey, s.Sha256, s.SizeBytes, s.Status })
            .AsAsyncEnumerable();
        await foreach (var row in rows.WithCancellation(ct))
        {
            claimed.Add(row.FileKey!);
            if (row.Status != SnapshotStatus.Completed) continue;
            report.FilesChecked++;
            await using var file = await store.OpenReadAsync(row.FileKey!, ct);
            if (file is null)
            {
                report.MissingFiles++;
                if (report.MissingFileKeys.Count < MaxListed) report.MissingFileKeys.Add(row.FileKey);
                continue;
            }
            var hash = await SHA256.HashDataAsync(file, ct);
            if (Convert.ToHexStringLower(hash) != row.Sha256 || file.Length != row.SizeBytes)
            {
                report.ChecksumMismatches++;
                metrics.ChecksumMismatch();
                if (report.MismatchedSnapshotIds.Count < MaxListed) report.MismatchedSnapshotIds.Add(row.Id.ToString("D"));
            }
        }
        await foreach (var key in store.ListKeysAsync(ct))
        {
            if (claimed.Contains(key)) continue;
            report.OrphanFiles++;
            if (report.OrphanFileKeys.Count < MaxListed) report.OrphanFileKeys.Add(key);
        }
        report.Healthy = report.MissingFiles == 0 && report.ChecksumMismatches == 0 && report.OrphanFiles == 0;
        Verified(logger, report.FilesChecked, report.ChecksumMismatches, report.MissingFiles, report.OrphanFiles);
        return report;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Storage verification: {Checked} files checked, {Mismatches} checksum mismatches, {Missing} missing files, {Orphans} orphan files")]
    private static partial void Verified(ILogger logger, long @checked, long mismatches, long missing, long orphans);
}
