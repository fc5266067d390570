using System.Diagnostics.Metrics;

namespace Sts.PdfWorker.Cache;

/// <summary>
/// Counts what the render cache does, for <see cref="RenderCache.Statistics"/> and as OpenTelemetry instruments
/// (exported to Prometheus as sts_cache_hits_total and so on). The only label is the level: memory or disk.
/// </summary>
internal sealed class RenderCacheMetrics
{
    private static readonly KeyValuePair<string, object?> MemoryTag = new("level", "memory");
    private static readonly KeyValuePair<string, object?> DiskTag = new("level", "disk");

    private readonly Counter<long> _hits;
    private readonly Counter<long> _misses;
    private readonly Counter<long> _evictions;
    private readonly Counter<long> _corrupt;
    private readonly Func<LevelSize> _memorySize;
    private readonly Func<LevelSize> _diskSize;
    private long _memoryHits;
    private long _diskHits;
    private long _missCount;
    private long _memoryEvictions;
    private long _diskEvictions;
    private long _corruptCount;

    public RenderCacheMetrics(IMeterFactory meterFactory, Func<LevelSize> memorySize, Func<LevelSize> diskSize)
    {
        _memorySize = memorySize;
        _diskSize = diskSize;
        var meter = meterFactory.Create(Generation.WorkerStatistics.MeterName);
        _hits = meter.CreateCounter<long>("sts.cache.hits", description: "Render cache lookups served without rendering, by level.");
        _misses = meter.CreateCounter<long>("sts.cache.misses", description: "Render cache lookups that found nothing usable, so the snapshot was rendered.");
        _evictions = meter.CreateCounter<long>("sts.cache.evictions", description: "Render cache entries dropped to stay within the byte bound or the maximum age, by level.");
        _corrupt = meter.CreateCounter<long>("sts.cache.corrupt", description: "Disk entries of the render cache found truncated or failing their checksum, and deleted.");
        meter.CreateObservableGauge("sts.cache.bytes", () => Observe(size => size.Bytes), "By", "Bytes the render cache holds, by level; on disk including file headers.");
        meter.CreateObservableGauge("sts.cache.entries", () => Observe(size => size.Entries), description: "Entries the render cache holds, by level.");
    }

    public long MemoryHits => Interlocked.Read(ref _memoryHits);

    public long DiskHits => Interlocked.Read(ref _diskHits);

    public long Misses => Interlocked.Read(ref _missCount);

    public long MemoryEvictions => Interlocked.Read(ref _memoryEvictions);

    public long DiskEvictions => Interlocked.Read(ref _diskEvictions);

    public long Corrupt => Interlocked.Read(ref _corruptCount);

    public void Hit(CacheLevel level)
    {
        Interlocked.Increment(ref level == CacheLevel.Memory ? ref _memoryHits : ref _diskHits);
        _hits.Add(1, Tag(level));
    }

    public void Miss()
    {
        Interlocked.Increment(ref _missCount);
        _misses.Add(1);
    }

    public void Evicted(CacheLevel level, int count)
    {
        if (count == 0) return;
        Interlocked.Add(ref level == CacheLevel.Memory ? ref _memoryEvictions : ref _diskEvictions, count);
        _evictions.Add(count, Tag(level));
    }

    public void CorruptEntry()
    {
        Interlocked.Increment(ref _corruptCount);
        _corrupt.Add(1);
    }

    private static KeyValuePair<string, object?> Tag(CacheLevel level) => level == CacheLevel.Memory ? MemoryTag : DiskTag;

    private Measurement<long>[] Observe(Func<LevelSize, long> value) =>
        [new(value(_memorySize()), MemoryTag), new(value(_diskSize()), DiskTag)];
}
