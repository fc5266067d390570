using Microsoft.Extensions.Options;
using Npgsql;
using Sts.SnapshotApi.Telemetry;

namespace Sts.SnapshotApi.Snapshots;

/// <summary>
/// Compacts what the pipeline leaves behind: finished task records and published outbox rows (which carry
/// the frozen room state) older than the retention. The snapshot row keeps the outcome, so nothing a caller
/// needs is lost. Deletes are idempotent, so several replicas may run this at once.
/// </summary>
public sealed partial class Housekeeping(NpgsqlDataSource dataSource, IOptions<TaskOptions> options, ApiMetrics metrics, ILogger<Housekeeping> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.HousekeepingInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await RunOnceAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
                {
                    logger.LogWarning("Housekeeping skipped a run: {Error}", ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    public async Task<(int Tasks, int OutboxRows)> RunOnceAsync(CancellationToken ct)
    {
        var retention = options.Value.Retention;
        var tasks = await DeleteAsync("DELETE FROM tasks WHERE status IN ('completed', 'failed') AND updated_at < now() - $1", retention, ct);
        metrics.HousekeepingRan("tasks", tasks);
        var outbox = await DeleteAsync("DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < now() - $1", retention, ct);
        metrics.HousekeepingRan("outbox", outbox);
        // One row per worker process ever started; only the last few minutes' are read.
        metrics.HousekeepingRan("worker_stats", await DeleteAsync("DELETE FROM worker_stats WHERE reported_at < now() - $1", retention, ct));
        Compacted(logger, tasks, outbox, retention);
        return (tasks, outbox);
    }

    private async Task<int> DeleteAsync(string sql, TimeSpan retention, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.AddWithValue(retention);
        return await command.ExecuteNonQueryAsync(ct);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Housekeeping removed {Tasks} finished tasks and {OutboxRows} published outbox rows older than {Retention}")]
    private static partial void Compacted(ILogger logger, int tasks, int outboxRows, TimeSpan retention);
}
