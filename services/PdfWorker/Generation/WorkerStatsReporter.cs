using MassTransit;
using Microsoft.Extensions.Options;
using Sts.PdfWorker.Cache;
using Sts.Shared.Messaging;

namespace Sts.PdfWorker.Generation;

/// <summary>Publishes this worker's running totals every few seconds, for the API's metrics summary.</summary>
public sealed partial class WorkerStatsReporter(
    IBus bus, RenderCache cache, WorkerStatistics statistics, IOptions<WorkerOptions> options, TimeProvider clock, ILogger<WorkerStatsReporter> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.StatsInterval);
        try
        {
            do
            {
                try
                {
                    await bus.Publish(Report(), stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The broker may be down; the next report carries the same totals.
                    ReportFailed(logger, ex.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private WorkerStatsReported Report()
    {
        var c = cache.Statistics;
        return new WorkerStatsReported
        {
            WorkerId = options.Value.WorkerId,
            At = clock.GetUtcNow(),
            MemoryEntries = c.MemoryEntries,
            MemoryBytes = c.MemoryBytes,
            DiskEntries = c.DiskEntries,
            DiskBytes = c.DiskBytes,
            MemoryHits = c.MemoryHits,
            DiskHits = c.DiskHits,
            Misses = c.Misses,
            Renders = statistics.Renders,
            CachedRenders = statistics.CachedRenders,
            Failures = statistics.Failures,
        };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not publish worker statistics: {Error}")]
    private static partial void ReportFailed(ILogger logger, string error);
}
