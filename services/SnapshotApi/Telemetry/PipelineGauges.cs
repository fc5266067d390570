using Microsoft.Extensions.Options;
using Npgsql;
using Sts.SnapshotApi.Snapshots;

namespace Sts.SnapshotApi.Telemetry;

/// <summary>
/// Samples database-wide gauges (outbox backlog and lag, stale and pending tasks) once a second, so a Prometheus
/// scrape never waits on PostgreSQL, several scrapers do not multiply the queries, and admission (SnapshotAdmission)
/// reads the backlog without a query per create.
/// </summary>
public sealed class PipelineGauges(NpgsqlDataSource dataSource, SnapshotChangeFeed changes, IOptions<TaskOptions> tasks, ILogger<PipelineGauges> logger)
    : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private readonly SemaphoreSlim _sampling = new(1, 1);
    private long _pendingSampled = -1;
    private long _createdSinceSample;

    public long OutboxBacklog { get; private set; }

    public double RelayLagSeconds { get; private set; }

    public long StaleTasks { get; private set; }

    public int ActiveWatches() => changes.ActiveSubscriptions;

    /// <summary>Tasks waiting for a worker: the last sample, plus the creates this replica made since.</summary>
    public async ValueTask<long> PendingTasksAsync(CancellationToken ct)
    {
        if (Volatile.Read(ref _pendingSampled) < 0) await SampleAsync(ct); // before the first sample: take one
        return Volatile.Read(ref _pendingSampled) + Interlocked.Read(ref _createdSinceSample);
    }

    public void NoteTaskCreated() => Interlocked.Increment(ref _createdSinceSample);

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
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // Gauges go stale for a second; never a reason to stop (a database restarting, or not migrated yet).
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
        await _sampling.WaitAsync(ct);
        try
        {
            // Reset first: a create committed between this and the count's snapshot is counted twice until the next
            // sample, never not at all, so admission errs towards refusing.
            Interlocked.Exchange(ref _createdSinceSample, 0);
            await using var command = dataSource.CreateCommand("""
                SELECT (SELECT count(*) FROM outbox WHERE sent_at IS NULL),
                       (SELECT coalesce(extract(epoch FROM now() - min(created_at)), 0) FROM outbox WHERE sent_at IS NULL),
                       (SELECT count(*) FROM tasks WHERE status IN ('pending', 'running') AND updated_at < now() - $1),
                       (SELECT count(*) FROM tasks WHERE status = 'pending')
                """);
            command.Parameters.AddWithValue(tasks.Value.Lease);
            await using var reader = await command.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            OutboxBacklog = reader.GetInt64(0);
            RelayLagSeconds = Convert.ToDouble(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture);
            StaleTasks = reader.GetInt64(2);
            Volatile.Write(ref _pendingSampled, reader.GetInt64(3));
        }
        finally
        {
            _sampling.Release();
        }
    }
}
