using Npgsql;
using Sts.Api.V1;
using Sts.SnapshotApi.Schedules;

namespace Sts.SnapshotApi.Admin;

/// <summary>The figures of GetMetricsSummary, read in a few aggregate queries (raw SQL: FILTER and percentile_cont have no LINQ form).</summary>
public static class MetricsSummary
{
    // A worker that has not reported for this long is taken to be gone.
    private static readonly TimeSpan LiveWorker = TimeSpan.FromMinutes(2);

    public static async Task<GetMetricsSummaryResponse> ReadAsync(NpgsqlDataSource dataSource, int hours, DateTimeOffset now, CancellationToken ct)
    {
        var window = TimeSpan.FromHours(hours);
        var response = new GetMetricsSummaryResponse { Hours = hours };

        await using (var generation = dataSource.CreateCommand("""
            SELECT count(*),
                   count(*) FILTER (WHERE status = 'completed'),
                   count(*) FILTER (WHERE status = 'completed' AND cached),
                   count(*) FILTER (WHERE status = 'failed'),
                   coalesce(avg(extract(epoch FROM completed_at - created_at) * 1000) FILTER (WHERE status = 'completed'), 0),
                   coalesce(percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM completed_at - created_at) * 1000)
                            FILTER (WHERE status = 'completed'), 0)
            FROM snapshots WHERE created_at >= now() - $1
            """))
        {
            generation.Parameters.AddWithValue(window);
            await using var row = await generation.ExecuteReaderAsync(ct);
            await row.ReadAsync(ct);
            var completed = row.GetInt64(1);
            var cached = row.GetInt64(2);
            response.Generation = new GenerationSummary
            {
                Total = row.GetInt64(0),
                Completed = completed,
                Cached = cached,
                CacheHitRatePercent = completed == 0 ? 0 : Math.Round(100.0 * cached / completed, 1),
                Failed = row.GetInt64(3),
                AverageMillis = Math.Round(Convert.ToDouble(row.GetValue(4), System.Globalization.CultureInfo.InvariantCulture), 1),
                P95Millis = Math.Round(row.GetDouble(5), 1),
            };
        }

        // Finished tasks are deleted after Tasks:Retention, so their counts come from the snapshots (a snapshot and
        // its task reach their final status in one transaction); unfinished tasks are never deleted.
        await using (var tasks = dataSource.CreateCommand("""
            SELECT count(*) FILTER (WHERE status = 'pending'), count(*) FILTER (WHERE status = 'running')
            FROM tasks WHERE created_at >= now() - $1
            """))
        {
            tasks.Parameters.AddWithValue(window);
            await using var row = await tasks.ExecuteReaderAsync(ct);
            await row.ReadAsync(ct);
            response.Tasks = new TaskSummary
            {
                Pending = row.GetInt64(0), Running = row.GetInt64(1), Completed = response.Generation.Completed, Failed = response.Generation.Failed,
            };
        }

        await using (var cache = dataSource.CreateCommand("""
            SELECT count(*), coalesce(sum(memory_entries), 0), coalesce(sum(memory_bytes), 0), coalesce(sum(disk_entries), 0),
                   coalesce(sum(disk_bytes), 0), coalesce(sum(memory_hits), 0), coalesce(sum(disk_hits), 0), coalesce(sum(misses), 0)
            FROM worker_stats WHERE reported_at >= now() - $1
            """))
        {
            cache.Parameters.AddWithValue(LiveWorker);
            await using var row = await cache.ExecuteReaderAsync(ct);
            await row.ReadAsync(ct);
            var hits = row.GetInt64(5) + row.GetInt64(6);
            var lookups = hits + row.GetInt64(7);
            response.WorkersReporting = (int)row.GetInt64(0);
            response.Cache = new CacheSummary
            {
                MemoryEntries = row.GetInt64(1),
                MemoryMb = Math.Round(row.GetInt64(2) / 1048576.0, 2),
                DiskEntries = row.GetInt64(3),
                DiskMb = Math.Round(row.GetInt64(4) / 1048576.0, 2),
                MemoryHits = row.GetInt64(5),
                DiskHits = row.GetInt64(6),
                Misses = row.GetInt64(7),
                HitRatePercent = lookups == 0 ? 0 : Math.Round(100.0 * hits / lookups, 1),
            };
        }
        response.Schedules = await ScheduleFigures.SummaryAsync(dataSource, now, window, ct);
        return response;
    }
}
