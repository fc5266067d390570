using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;

namespace Sts.PdfWorker.Cache;

/// <summary>
/// Rendered files by render key, in memory and on disk, so that the same snapshot is not rendered twice.
/// Keys are lower-case hex SHA-256 strings the caller computes from everything that shapes the output.
/// Safe for concurrent use. Arrays passed to <see cref="Put"/> and returned by <see cref="TryGet"/> are shared, not
/// copied: treat them as read-only.
/// </summary>
public sealed class RenderCache
{
    private readonly bool _enabled;
    private readonly MemoryLevel? _memory;
    private readonly DiskLevel? _disk;
    private readonly RenderCacheMetrics _metrics;
    private readonly TimeProvider _clock;
    private readonly ILogger<RenderCache> _logger;

    public RenderCache(IOptions<RenderCacheOptions> options, IMeterFactory meterFactory, TimeProvider clock, ILogger<RenderCache> logger)
    {
        var settings = options.Value;
        _enabled = settings.Enabled;
        _clock = clock;
        _logger = logger;
        _metrics = new RenderCacheMetrics(meterFactory, () => _memory?.Size ?? default, () => _disk?.Size ?? default);
        if (!_enabled) return;

        if (settings.MemoryMaxBytes > 0) _memory = new MemoryLevel(settings.MemoryMaxBytes);
        if (settings.DiskMaxBytes > 0)
        {
            _disk = new DiskLevel(settings.DiskRoot, settings.DiskMaxBytes, logger);
            _metrics.Evicted(CacheLevel.Disk, _disk.TrimToBound());
        }
    }

    /// <summary>What the cache holds and how it has done since it started.</summary>
    public RenderCacheStatistics Statistics
    {
        get
        {
            var memory = _memory?.Size ?? default;
            var disk = _disk?.Size ?? default;
            return new RenderCacheStatistics(
                memory.Entries, memory.Bytes, disk.Entries, disk.Bytes,
                _metrics.MemoryHits, _metrics.DiskHits, _metrics.Misses,
                _metrics.MemoryEvictions, _metrics.DiskEvictions, _metrics.Corrupt);
        }
    }

    /// <summary>
    /// Looks in memory, then on disk; a disk hit is promoted into memory. On a miss, <paramref name="content"/> is empty
    /// and <paramref name="level"/> is <see cref="CacheLevel.None"/>. A corrupt disk entry is deleted and counts as a
    /// miss, so the caller renders and puts again.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="key"/> is not a lower-case hex SHA-256.</exception>
    public bool TryGet(string key, out byte[] content, out CacheLevel level)
    {
        CacheKey.ThrowIfInvalid(key);
        content = [];
        level = CacheLevel.None;
        if (!_enabled) return false;

        var now = _clock.GetUtcNow();
        string? corruption = null;
        if (_memory is not null && _memory.TryGet(key, now, out var inMemory))
        {
            content = inMemory;
            level = CacheLevel.Memory;
        }
        else if (_disk is not null && _disk.TryRead(key, now, out var onDisk, out corruption))
        {
            if (_memory is not null) _metrics.Evicted(CacheLevel.Memory, _memory.Put(key, onDisk, now));
            content = onDisk;
            level = CacheLevel.Disk;
        }
        else
        {
            if (corruption is not null)
            {
                _metrics.CorruptEntry();
                _logger.CorruptEntry(key, corruption);
            }
            _metrics.Miss();
            return false;
        }
        _metrics.Hit(level);
        return true;
    }

    /// <summary>
    /// Stores the file in memory and on disk, replacing any entry under the key. A level whose bound the file alone
    /// exceeds does not take it. A disk that cannot be written is logged, never thrown.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="key"/> is not a lower-case hex SHA-256.</exception>
    public void Put(string key, byte[] content)
    {
        CacheKey.ThrowIfInvalid(key);
        ArgumentNullException.ThrowIfNull(content);
        if (!_enabled) return;

        var now = _clock.GetUtcNow();
        if (_memory is not null) _metrics.Evicted(CacheLevel.Memory, _memory.Put(key, content, now));
        if (_disk is not null) _metrics.Evicted(CacheLevel.Disk, _disk.Write(key, content, now));
    }

    /// <summary>
    /// Housekeeping: removes disk entries not used for longer than <paramref name="age"/> and returns how many.
    /// Use from memory counts, so an entry kept hot in memory keeps its disk copy.
    /// </summary>
    public int EvictOlderThan(TimeSpan age)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(age, TimeSpan.Zero);
        if (_disk is null) return 0;

        var cutoff = _clock.GetUtcNow() - age;
        var evicted = _disk.EvictOlderThan(cutoff, key => _memory?.LastUse(key));
        _metrics.Evicted(CacheLevel.Disk, evicted);
        return evicted;
    }
}
