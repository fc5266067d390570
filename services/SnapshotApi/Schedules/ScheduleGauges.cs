using Npgsql;

namespace Sts.SnapshotApi.Schedules;

/// <summary>Samples the database-wide schedule gauges every few seconds, so a scrape never waits on PostgreSQL.</summary>
public sealed class ScheduleGauges(NpgsqlDataSource dataSource, TimeProvider clock, ILogger<ScheduleGauges> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    public long Active { get; private set; }

    public long Overdue { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            do
            {
                try
                {
                    (Active, _, Overdue) = await ScheduleFigures.CountsAsync(dataSource, clock.GetUtcNow(), stoppingToken);
                }
                catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
                {
                    logger.LogWarning("Could not sample schedule gauges: {Error}", ex.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }
}
