using Microsoft.Extensions.Options;
using Npgsql;
using Sts.SnapshotApi.Snapshots;

namespace Sts.SnapshotApi.Telemetry;

/// <summary>
/// Samples database-wide gauges (outbox backlog and lag, stale tasks) every few seconds, so a Prometheus
/// scrape never waits on PostgreSQL and several scrapers do not multiply the queries.
/// </summary>
public sealed class PipelineGauges(NpgsqlDataSource dataSource, SnapshotChangeFeed changes, IOptions<TaskOptions> tasks, ILogger<PipelineGauges> logger)
    : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    public long OutboxBacklog { get; private set; }

    public double RelayLagSeconds { get; private set; }

    public long StaleTasks { get; private set; }

    public int ActiveWatches() => changes.ActiveSubscriptions;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            do
            {
                try
                {
                    await SampleAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
                {
                    logger.LogWarning("Could not sample pipeline gauges: {Error}", ex.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private async Task SampleAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT (SELECT count(*) FROM outbox WHERE sent_at IS NULL),
                   (SELECT coalesce(extract(epoch FROM now() - min(created_at)), 0) FROM outbox WHERE sent_at IS NULL),
                   (SELECT count(*) FROM tasks WHERE status IN ('pending', 'running') AND updated_at < now() - $1)
            """);
        command.Parameters.AddWithValue(tasks.Value.Lease);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        OutboxBacklog = reader.GetInt64(0);
        RelayLagSeconds = Convert.ToDouble(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture);
        StaleTasks = reader.GetInt64(2);
    }
}
