using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Sts.PdfWorker.Cache;
using Xunit.Abstractions;

namespace Sts.PdfWorker.Tests.Cache;

/// <summary>The render cache on real files in a temporary folder of its own.</summary>
public sealed class RenderCacheTests(ITestOutputHelper output) : IDisposable
{
    private const int Size = 1000;

    private readonly string _root = Path.Combine(Path.GetTempPath(), "sts-render-cache-" + Guid.NewGuid().ToString("N"));
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));
    private readonly List<ServiceProvider> _meterProviders = [];

    public void Dispose()
    {
        foreach (var provider in _meterProviders) provider.Dispose();
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void Put_then_get_hits_memory()
    {
        var cache = NewCache();
        var content = Content("a", Size);

        cache.Put(Key("a"), content);

        Assert.True(cache.TryGet(Key("a"), out var found, out var level));
        Assert.Equal(CacheLevel.Memory, level);
        Assert.Equal(content, found);
        var stats = cache.Statistics;
        Assert.Equal((1, 0L, 0L), (stats.MemoryHits, stats.DiskHits, stats.Misses));
        Assert.Equal((1, (long)Size), (stats.MemoryEntries, stats.MemoryBytes));
        Assert.Equal((1, Size + (long)CacheFile.HeaderSize), (stats.DiskEntries, stats.DiskBytes));
    }

    [Fact]
    public void Unknown_key_misses()
    {
        var cache = NewCache();

        Assert.False(cache.TryGet(Key("nothing"), out var content, out var level));
        Assert.Empty(content);
        Assert.Equal(CacheLevel.None, level);
        Assert.Equal(1, cache.Statistics.Misses);
    }

    [Fact]
    public void After_a_restart_an_entry_hits_disk_and_is_promoted_to_memory()
    {
        var content = Content("a", Size);
        NewCache().Put(Key("a"), content);

        var restarted = NewCache();

        Assert.Equal((1, Size + (long)CacheFile.HeaderSize), (restarted.Statistics.DiskEntries, restarted.Statistics.DiskBytes));
        Assert.True(restarted.TryGet(Key("a"), out var fromDisk, out var first));
        Assert.Equal(CacheLevel.Disk, first);
        Assert.Equal(content, fromDisk);
        Assert.True(restarted.TryGet(Key("a"), out var fromMemory, out var second));
        Assert.Equal(CacheLevel.Memory, second);
        Assert.Equal(content, fromMemory);
        var stats = restarted.Statistics;
        Assert.Equal((1, 1, 0L), (stats.DiskHits, stats.MemoryHits, stats.Misses));
        Assert.Equal((1, (long)Size), (stats.MemoryEntries, stats.MemoryBytes));
    }

    [Fact]
    public void Memory_keeps_within_its_byte_bound_and_evicts_the_least_recently_used()
    {
        var cache = NewCache(memoryMaxBytes: 3 * Size, diskMaxBytes: 0);
        cache.Put(Key("a"), Content("a", Size));
        cache.Put(Key("b"), Content("b", Size));
        cache.Put(Key("c"), Content("c", Size));
        Assert.True(cache.TryGet(Key("a"), out _, out _));

        cache.Put(Key("d"), Content("d", Size));

        Assert.False(cache.TryGet(Key("b"), out _, out _));
        foreach (var name in new[] { "a", "c", "d" }) Assert.True(cache.TryGet(Key(name), out _, out _), name);
        var stats = cache.Statistics;
        Assert.Equal((3, 3L * Size, 1L), (stats.MemoryEntries, stats.MemoryBytes, stats.MemoryEvictions));
    }

    [Fact]
    public void Memory_bytes_never_exceed_the_bound_after_any_put()
    {
        const long bound = 4000;
        var cache = NewCache(memoryMaxBytes: bound, diskMaxBytes: 0);
        var random = new Random(7);

        for (var i = 0; i < 200; i++)
        {
            var size = random.Next(1, 1500);
            cache.Put(Key("k" + random.Next(30).ToString(CultureInfo.InvariantCulture)), new byte[size]);
            Assert.InRange(cache.Statistics.MemoryBytes, 1, bound);
        }
    }

    [Fact]
    public void An_entry_larger_than_the_memory_bound_goes_only_to_disk_and_evicts_nothing()
    {
        var cache = NewCache(memoryMaxBytes: 3 * Size);
        cache.Put(Key("small"), Content("small", Size));

        cache.Put(Key("big"), Content("big", 4 * Size));

        Assert.True(cache.TryGet(Key("big"), out var big, out var level));
        Assert.Equal(CacheLevel.Disk, level);
        Assert.Equal(4 * Size, big.Length);
        var stats = cache.Statistics;
        Assert.Equal((1, (long)Size, 0L), (stats.MemoryEntries, stats.MemoryBytes, stats.MemoryEvictions));
        Assert.Equal(2, stats.DiskEntries);
    }

    [Fact]
    public void Disk_keeps_within_its_byte_bound_and_evicts_the_least_recently_used()
    {
        const long entryBytes = Size + CacheFile.HeaderSize;
        var cache = NewCache(memoryMaxBytes: 0, diskMaxBytes: 3 * entryBytes);
        cache.Put(Key("a"), Content("a", Size));
        cache.Put(Key("b"), Content("b", Size));
        cache.Put(Key("c"), Content("c", Size));
        Assert.True(cache.TryGet(Key("a"), out _, out _));

        cache.Put(Key("d"), Content("d", Size));

        Assert.False(File.Exists(EntryPath("b")));
        Assert.False(cache.TryGet(Key("b"), out _, out _));
        foreach (var name in new[] { "a", "c", "d" })
        {
            Assert.True(cache.TryGet(Key(name), out _, out var level), name);
            Assert.Equal(CacheLevel.Disk, level);
        }
        var stats = cache.Statistics;
        Assert.Equal((3, 3 * entryBytes, 1L), (stats.DiskEntries, stats.DiskBytes, stats.DiskEvictions));
        Assert.Equal(stats.DiskBytes, EntryFiles().Sum(f => f.Length));
    }

    [Fact]
    public void A_put_too_big_for_disk_drops_the_older_entry_under_its_key()
    {
        const long entryBytes = Size + CacheFile.HeaderSize;
        var cache = NewCache(memoryMaxBytes: 0, diskMaxBytes: 3 * entryBytes);
        cache.Put(Key("a"), Content("a", Size));

        cache.Put(Key("a"), Content("a", 4 * Size));

        Assert.False(cache.TryGet(Key("a"), out _, out _));
        Assert.False(File.Exists(EntryPath("a")));
        Assert.Equal((0, 0L), (cache.Statistics.DiskEntries, cache.Statistics.DiskBytes));
    }

    [Fact]
    public void A_lowered_disk_bound_is_applied_at_start_up_to_the_least_recently_used()
    {
        const long entryBytes = Size + CacheFile.HeaderSize;
        var first = NewCache(memoryMaxBytes: 0);
        foreach (var name in new[] { "a", "b", "c" })
        {
            first.Put(Key(name), Content(name, Size));
            _clock.Advance(TimeSpan.FromMinutes(1));
        }

        var restarted = NewCache(memoryMaxBytes: 0, diskMaxBytes: 2 * entryBytes);

        Assert.Equal((2, 1L), (restarted.Statistics.DiskEntries, restarted.Statistics.DiskEvictions));
        Assert.False(File.Exists(EntryPath("a")));
    }

    [Theory]
    [InlineData(0)]                          // magic
    [InlineData(4)]                          // format version
    [InlineData(CacheFile.HeaderSize - 1)]   // stored SHA-256
    [InlineData(CacheFile.HeaderSize + 500)] // content
    public void A_corrupted_disk_entry_is_deleted_counted_and_missed(int offset)
    {
        NewCache().Put(Key("a"), Content("a", Size));
        var path = EntryPath("a");
        var bytes = File.ReadAllBytes(path);
        bytes[offset] ^= 0x01;
        File.WriteAllBytes(path, bytes);
        var restarted = NewCache();

        Assert.False(restarted.TryGet(Key("a"), out _, out var level));

        Assert.Equal(CacheLevel.None, level);
        Assert.False(File.Exists(path));
        var stats = restarted.Statistics;
        Assert.Equal((1L, 1L, 0, 0L), (stats.CorruptEntries, stats.Misses, stats.DiskEntries, stats.DiskBytes));
        restarted.Put(Key("a"), Content("a", Size));
        Assert.True(NewCache().TryGet(Key("a"), out var again, out _));
        Assert.Equal(Content("a", Size), again);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData(CacheFile.HeaderSize)]
    [InlineData(CacheFile.HeaderSize + Size / 2)]
    [InlineData(CacheFile.HeaderSize + Size - 1)]
    public void A_truncated_disk_entry_is_deleted_counted_and_missed(int length)
    {
        NewCache().Put(Key("a"), Content("a", Size));
        var path = EntryPath("a");
        using (var file = new FileStream(path, FileMode.Open)) file.SetLength(length);
        var restarted = NewCache();

        Assert.False(restarted.TryGet(Key("a"), out _, out _));

        Assert.False(File.Exists(path));
        Assert.Equal((1L, 1L, 0), (restarted.Statistics.CorruptEntries, restarted.Statistics.Misses, restarted.Statistics.DiskEntries));
    }

    [Fact]
    public void Evicting_by_age_removes_disk_entries_unused_for_longer()
    {
        var cache = NewCache(memoryMaxBytes: 0);
        cache.Put(Key("old"), Content("old", Size));
        cache.Put(Key("used"), Content("used", Size));
        _clock.Advance(TimeSpan.FromHours(50));
        Assert.True(cache.TryGet(Key("used"), out _, out _));
        _clock.Advance(TimeSpan.FromHours(30));

        var evicted = cache.EvictOlderThan(TimeSpan.FromHours(72));

        Assert.Equal(1, evicted);
        Assert.False(File.Exists(EntryPath("old")));
        Assert.True(File.Exists(EntryPath("used")));
        Assert.Equal((1, 1L), (cache.Statistics.DiskEntries, cache.Statistics.DiskEvictions));
    }

    [Fact]
    public void Last_use_survives_a_restart_through_the_file_time()
    {
        NewCache().Put(Key("a"), Content("a", Size));
        Assert.Equal(_clock.GetUtcNow().UtcDateTime, File.GetLastWriteTimeUtc(EntryPath("a")));
        _clock.Advance(TimeSpan.FromHours(80));

        var restarted = NewCache();

        Assert.Equal(1, restarted.EvictOlderThan(TimeSpan.FromHours(72)));
        Assert.False(File.Exists(EntryPath("a")));
    }

    [Fact]
    public void An_entry_used_from_memory_keeps_its_disk_copy()
    {
        var cache = NewCache();
        cache.Put(Key("hot"), Content("hot", Size));
        cache.Put(Key("cold"), Content("cold", Size));
        _clock.Advance(TimeSpan.FromHours(70));
        Assert.True(cache.TryGet(Key("hot"), out _, out var level));
        Assert.Equal(CacheLevel.Memory, level);
        _clock.Advance(TimeSpan.FromHours(10));

        Assert.Equal(1, cache.EvictOlderThan(TimeSpan.FromHours(72)));

        Assert.True(File.Exists(EntryPath("hot")));
        Assert.False(File.Exists(EntryPath("cold")));
        _clock.Advance(TimeSpan.FromHours(60));
        Assert.Equal(0, NewCache().EvictOlderThan(TimeSpan.FromHours(72)));
    }

    [Fact]
    public void Unfinished_writes_are_deleted_at_start_up_and_foreign_files_left_alone()
    {
        NewCache().Put(Key("a"), Content("a", Size));
        var folder = Path.GetDirectoryName(EntryPath("a"))!;
        var temp = Path.Combine(folder, Key("a") + "." + Guid.NewGuid().ToString("N") + ".tmp");
        var foreign = Path.Combine(folder, "notes.txt");
        File.WriteAllText(temp, "half");
        File.WriteAllText(foreign, "mine");

        var restarted = NewCache();

        Assert.False(File.Exists(temp));
        Assert.True(File.Exists(foreign));
        Assert.Equal(1, restarted.Statistics.DiskEntries);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("../../../../etc/passwd")]
    [InlineData("ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789")]
    [InlineData("abcdef0123456789abcdef0123456789abcdef0123456789abcdef012345678")]
    [InlineData("abcdef0123456789abcdef0123456789abcdef0123456789abcdef01234567890")]
    [InlineData("abcdef0123456789abcdef0123456789abcdef0123456789abcdef012345678g")]
    [InlineData("ab/def0123456789abcdef0123456789abcdef0123456789abcdef0123456789")]
    [InlineData("..cdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789")]
    public void Keys_that_are_not_lower_case_hex_sha256_are_rejected(string? key)
    {
        var cache = NewCache();

        Assert.ThrowsAny<ArgumentException>(() => cache.Put(key!, [1]));
        Assert.ThrowsAny<ArgumentException>(() => cache.TryGet(key!, out _, out _));
        Assert.Empty(Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void A_disabled_cache_never_hits_and_writes_nothing()
    {
        var cache = NewCache(enabled: false);

        cache.Put(Key("a"), Content("a", Size));

        Assert.False(cache.TryGet(Key("a"), out _, out var level));
        Assert.Equal(CacheLevel.None, level);
        Assert.False(Directory.Exists(_root));
        Assert.Equal(0, cache.EvictOlderThan(TimeSpan.Zero));
        Assert.Equal(new RenderCacheStatistics(0, 0, 0, 0, 0, 0, 0, 0, 0, 0), cache.Statistics);
    }

    [Fact]
    public async Task Concurrent_puts_and_gets_leave_a_consistent_cache()
    {
        const int threads = 8;
        const int operations = 400;
        const long entryBytes = Size + CacheFile.HeaderSize;
        var cache = NewCache(memoryMaxBytes: 10 * Size, diskMaxBytes: 25 * entryBytes);
        var names = Enumerable.Range(0, 40).Select(i => "k" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
        var lookups = 0L;

        await Task.WhenAll(Enumerable.Range(0, threads).Select(thread => Task.Run(() =>
        {
            var random = new Random(thread);
            for (var i = 0; i < operations; i++)
            {
                var name = names[random.Next(names.Length)];
                if (random.Next(3) == 0)
                {
                    cache.Put(Key(name), Content(name, Size));
                }
                else
                {
                    Interlocked.Increment(ref lookups);
                    if (cache.TryGet(Key(name), out var found, out _)) Assert.Equal(Content(name, Size), found);
                }
            }
        })));

        var stats = cache.Statistics;
        output.WriteLine(stats.ToString());
        Assert.Equal(lookups, stats.MemoryHits + stats.DiskHits + stats.Misses);
        Assert.Equal(stats.MemoryEntries * (long)Size, stats.MemoryBytes);
        Assert.InRange(stats.MemoryBytes, 0, 10 * Size);
        Assert.InRange(stats.DiskBytes, 0, 25 * entryBytes);
        var files = EntryFiles();
        Assert.Equal(stats.DiskEntries, files.Count);
        Assert.Equal(stats.DiskBytes, files.Sum(f => f.Length));
        Assert.Empty(Directory.EnumerateFiles(_root, "*.tmp", SearchOption.AllDirectories));
        var restarted = NewCache().Statistics;
        Assert.Equal((stats.DiskEntries, stats.DiskBytes), (restarted.DiskEntries, restarted.DiskBytes));
    }

    [Fact]
    public void Hits_misses_evictions_and_corruption_are_published_as_metrics()
    {
        var meterFactory = NewMeterFactory();
        var counted = new Dictionary<string, long>();
        var observed = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == meterFactory && instrument.Meter.Name == "Sts.PdfWorker") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var name = instrument.Name;
            foreach (var tag in tags) name += "|" + tag.Value;
            if (instrument is ObservableGauge<long>) observed[name] = value;
            else counted[name] = counted.GetValueOrDefault(name) + value;
        });
        listener.Start();
        var cache = NewCache(memoryMaxBytes: Size, meterFactory: meterFactory);

        cache.Put(Key("a"), Content("a", Size));
        cache.Put(Key("b"), Content("b", Size));
        cache.TryGet(Key("b"), out _, out _);
        cache.TryGet(Key("a"), out _, out _);
        File.WriteAllBytes(EntryPath("b"), [1, 2, 3]);
        cache.TryGet(Key("missing"), out _, out _);
        listener.RecordObservableInstruments();

        Assert.Equal(1, counted["sts.cache.hits|memory"]);
        Assert.Equal(1, counted["sts.cache.hits|disk"]);
        Assert.Equal(1, counted["sts.cache.misses"]);
        Assert.Equal(2, counted["sts.cache.evictions|memory"]);
        Assert.Equal(Size, observed["sts.cache.bytes|memory"]);
        Assert.Equal(2 * (Size + CacheFile.HeaderSize), observed["sts.cache.bytes|disk"]);
        Assert.Equal(1, observed["sts.cache.entries|memory"]);
        Assert.Equal(2, observed["sts.cache.entries|disk"]);
        var corrupt = NewCache(meterFactory: meterFactory);
        corrupt.TryGet(Key("b"), out _, out _);
        Assert.Equal(1, counted["sts.cache.corrupt"]);
    }

    [Fact]
    public void Hit_times_for_a_100_KB_entry_are_reported()
    {
        var content = Content("timed", 100 * 1024);
        var memory = NewCache(memoryMaxBytes: 1024 * 1024, diskMaxBytes: 0);
        var disk = NewCache(memoryMaxBytes: 0);
        memory.Put(Key("timed"), content);
        disk.Put(Key("timed"), content);

        var memoryTime = AverageHit(memory, CacheLevel.Memory, 20_000);
        var diskTime = AverageHit(disk, CacheLevel.Disk, 2_000);

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"100 KB entry: memory hit {memoryTime.TotalMicroseconds:F2} µs, disk hit {diskTime.TotalMicroseconds:F1} µs (read, SHA-256 check, file time touch)"));
        Assert.Equal(20_000 + 100, memory.Statistics.MemoryHits);
        Assert.Equal(2_000 + 100, disk.Statistics.DiskHits);
    }

    private static TimeSpan AverageHit(RenderCache cache, CacheLevel expected, int iterations)
    {
        for (var i = 0; i < 100; i++) Assert.True(cache.TryGet(Key("timed"), out _, out _));
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < iterations; i++)
        {
            if (!cache.TryGet(Key("timed"), out _, out var level) || level != expected) Assert.Fail($"expected a {expected} hit");
        }
        return watch.Elapsed / iterations;
    }

    private RenderCache NewCache(bool enabled = true, long memoryMaxBytes = 64 * Size, long diskMaxBytes = 1024 * Size, IMeterFactory? meterFactory = null)
    {
        var options = new RenderCacheOptions { Enabled = enabled, MemoryMaxBytes = memoryMaxBytes, DiskMaxBytes = diskMaxBytes, DiskRoot = _root };
        return new RenderCache(Options.Create(options), meterFactory ?? NewMeterFactory(), _clock, NullLogger<RenderCache>.Instance);
    }

    // The real factory from DI, one per cache, so that each cache's gauges report only that cache.
    private IMeterFactory NewMeterFactory()
    {
        var provider = new ServiceCollection().AddMetrics().BuildServiceProvider();
        _meterProviders.Add(provider);
        return provider.GetRequiredService<IMeterFactory>();
    }

    private static string Key(string name) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)));

    /// <summary>Bytes that differ per name, so a test can tell whose content it got back.</summary>
    private static byte[] Content(string name, int length)
    {
        var content = new byte[length];
        new Random(name.GetHashCode(StringComparison.Ordinal)).NextBytes(content);
        return content;
    }

    private string EntryPath(string name)
    {
        var key = Key(name);
        return Path.Combine(_root, key[..2], key + ".bin");
    }

    private List<FileInfo> EntryFiles() =>
        new DirectoryInfo(_root).EnumerateFiles("*.bin", SearchOption.AllDirectories).ToList();

    /// <summary>A clock the test moves by hand.</summary>
    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        private long _ticks = start.UtcTicks;

        public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}
