namespace Sts.PdfWorker.Cache;

/// <summary>What the render cache holds now and what it has done since this process started it.</summary>
/// <param name="MemoryBytes">Content bytes held in memory.</param>
/// <param name="DiskBytes">Bytes of the cache files on disk, headers included: what <see cref="RenderCacheOptions.DiskMaxBytes"/> bounds.</param>
/// <param name="DiskEvictions">Disk entries dropped for the byte bound and by <see cref="RenderCache.EvictOlderThan"/>.</param>
/// <param name="CorruptEntries">Disk entries that were truncated or failed their checksum, and were deleted.</param>
public sealed record RenderCacheStatistics(
    int MemoryEntries,
    long MemoryBytes,
    int DiskEntries,
    long DiskBytes,
    long MemoryHits,
    long DiskHits,
    long Misses,
    long MemoryEvictions,
    long DiskEvictions,
    long CorruptEntries);
