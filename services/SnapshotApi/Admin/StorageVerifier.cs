using System.IO.Compression;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Sts.Api.V1;
using Sts.Shared.Storage;
using Sts.SnapshotApi.Data;
using Sts.SnapshotApi.Telemetry;

namespace Sts.SnapshotApi.Admin;

/// <summary>
/// Checks every completed snapshot's file against its recorded SHA-256 and size, and every claim-checked frozen room
/// state against its content hash, and reports orphans both ways: rows whose object is missing, and stored objects
/// (files or states) that no row claims.
/// </summary>
public sealed partial class StorageVerifier(
    IDbContextFactory<StsDbContext> dbFactory, ISnapshotStore store, TimeProvider clock, ApiMetrics metrics, ILogger<StorageVerifier> logger)
{
    private const int MaxListed = 100;

    public async Task<VerifyStorageResponse> VerifyAsync(CancellationToken ct)
    {
        // Objects written after this are not judged: their rows may not have been committed when the rows were read.
        var started = clock.GetUtcNow();
        var report = new VerifyStorageResponse();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var claimed = new HashSet<string>(StringComparer.Ordinal);
        var rows = db.Snapshots.AsNoTracking()
            .Where(s => s.FileKey != null || s.StateKey != null)
            .Select(s => new { s.Id, s.FileKey, s.Sha256, s.SizeBytes, s.Status, s.StateKey, s.ContentHash, s.StateBytes })
            .AsAsyncEnumerable();
        await foreach (var row in rows.WithCancellation(ct))
        {
            if (row.StateKey is { } stateKey)
            {
                claimed.Add(stateKey);
                await CheckAsync(report, row.Id, stateKey, row.ContentHash, row.StateBytes, gzipped: true, ct);
            }
            if (row.FileKey is not { } fileKey) continue;
            claimed.Add(fileKey);
            if (row.Status == SnapshotStatus.Completed)
                await CheckAsync(report, row.Id, fileKey, row.Sha256, row.SizeBytes, gzipped: false, ct);
        }
        await foreach (var stored in store.ListAsync(ct))
        {
            if (claimed.Contains(stored.Key) || stored.LastModified > started) continue;
            report.OrphanFiles++;
            if (report.OrphanFileKeys.Count < MaxListed) report.OrphanFileKeys.Add(stored.Key);
        }
        report.Healthy = report.MissingFiles == 0 && report.ChecksumMismatches == 0 && report.OrphanFiles == 0;
        Verified(logger, report.FilesChecked, report.ChecksumMismatches, report.MissingFiles, report.OrphanFiles);
        return report;
    }

    /// <summary>Hashes one object (a state is hashed as its uncompressed JSON, which is what its content hash covers).</summary>
    private async Task CheckAsync(VerifyStorageResponse report, Guid snapshotId, string key, string? sha256, long? size, bool gzipped, CancellationToken ct)
    {
        report.FilesChecked++;
        await using var stored = await store.OpenReadAsync(key, ct);
        if (stored is null)
        {
            report.MissingFiles++;
            if (report.MissingFileKeys.Count < MaxListed) report.MissingFileKeys.Add(key);
            return;
        }
        var (hash, length) = await HashAsync(stored, gzipped, ct);
        if (hash != sha256 || (size is { } expected && length != expected))
        {
            report.ChecksumMismatches++;
            metrics.ChecksumMismatch();
            if (report.MismatchedSnapshotIds.Count < MaxListed) report.MismatchedSnapshotIds.Add(snapshotId.ToString("D"));
        }
    }

    /// <summary>SHA-256 and length of an object's bytes, or of its decompressed bytes when <paramref name="gzipped"/> (null hash when it does not decompress).</summary>
    internal static async Task<(string? Hash, long Length)> HashAsync(Stream stored, bool gzipped, CancellationToken ct)
    {
        await using var content = gzipped ? new GZipStream(stored, CompressionMode.Decompress, leaveOpen: true) : stored;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[64 * 1024];
        long length = 0;
        try
        {
            int read;
            while ((read = await content.ReadAsync(buffer, ct)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                length += read;
            }
        }
        catch (InvalidDataException)
        {
            return (null, length); // not a readable gzip stream: as good as a wrong hash
        }
        return (Convert.ToHexStringLower(hash.GetHashAndReset()), length);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Storage verification: {Checked} objects checked, {Mismatches} checksum mismatches, {Missing} missing, {Orphans} orphans")]
    private static partial void Verified(ILogger logger, long @checked, long mismatches, long missing, long orphans);
}
