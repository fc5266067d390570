using Microsoft.Extensions.Options;
using Sts.PdfWorker.Cache;

namespace Sts.PdfWorker.Generation;

/// <summary>Evicts disk cache entries unused for longer than RenderCache:DiskMaxAge (72 h by default), on a timer.</summary>
public sealed partial class CacheHousekeeping(
    RenderCache cache, IOptions<RenderCacheOptions> cacheOptions, IOptions<WorkerOptions> options, WorkerStatistics statistics, ILogger<CacheHousekeeping> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.HousekeepingInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
                RunOnce();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    public int RunOnce()
    {
        var maxAge = cacheOptions.Value.DiskMaxAge;
        var removed = cache.EvictOlderThan(maxAge);
        statistics.HousekeepingRan("disk_cache", removed);
        Evicted(logger, removed, maxAge);
        return removed;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cache housekeeping evicted {Removed} disk entries unused for more than {MaxAge}")]
    private static partial void Evicted(ILogger logger, int removed, TimeSpan maxAge);
}
