using System.Security.Cryptography;
using Sts.Shared.Storage;
using Sts.SnapshotApi.Telemetry;

namespace Sts.SnapshotApi.Snapshots;

/// <summary>A stored file that is missing or does not match its recorded SHA-256: what it is, for the caller to map.</summary>
public sealed class SnapshotIntegrityException(Guid snapshotId, string what)
    : Exception($"Snapshot '{snapshotId}' cannot be served: {what}.")
{
    public string What { get; } = what;
}

/// <summary>
/// Reads a completed snapshot's stored file in chunks, hashing as the bytes go: a missing file or a mismatch at the end is
/// a <see cref="SnapshotIntegrityException"/>, logged as critical and counted, so the caller discards what it got.
/// </summary>
public sealed partial class SnapshotFileReader(ISnapshotStore store, ApiMetrics metrics, ILogger<SnapshotFileReader> logger)
{
    private const int ChunkBytes = 64 * 1024;

    /// <summary>Opens the stored file; a missing one is a <see cref="SnapshotIntegrityException"/> before anything is sent.</summary>
    public async Task<Stream> OpenAsync(SnapshotRow row, CancellationToken ct) =>
        await store.OpenReadAsync(row.FileKey!, ct) ?? throw Fail(row, "its stored file is missing");

    /// <summary>Hands each chunk of <paramref name="file"/> to <paramref name="write"/> (valid only during the call) and returns the bytes read.</summary>
    public async Task<long> CopyCheckedAsync(SnapshotRow row, Stream file, Func<ReadOnlyMemory<byte>, Task> write, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[ChunkBytes];
        long total = 0;
        int read;
        while ((read = await file.ReadAsync(buffer, ct)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            total += read;
            await write(buffer.AsMemory(0, read));
        }
        if (total != row.SizeBytes || Convert.ToHexStringLower(hash.GetHashAndReset()) != row.Sha256)
            throw Fail(row, "its stored file does not match the recorded SHA-256");
        return total;
    }

    private SnapshotIntegrityException Fail(SnapshotRow row, string what)
    {
        IntegrityFailure(logger, row.Id, row.FileKey, what);
        metrics.ChecksumMismatch();
        return new SnapshotIntegrityException(row.Id, what);
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "Integrity failure: snapshot {SnapshotId} ({FileKey}): {What}")]
    private static partial void IntegrityFailure(ILogger logger, Guid snapshotId, string? fileKey, string what);
}
