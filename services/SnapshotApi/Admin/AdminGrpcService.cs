using Grpc.Core;
using Npgsql;
using Sts.Api.V1;
using Sts.SnapshotApi.Auth;
using Sts.SnapshotApi.Backups;
using Sts.SnapshotApi.Rpc;
using Sts.SnapshotApi.Schedules;

namespace Sts.SnapshotApi.Admin;

/// <summary>Operational summaries for platform admins.</summary>
public sealed partial class AdminGrpcService(
    NpgsqlDataSource dataSource, RoomAccess access, StorageVerifier verifier, BackupOperations backups, RpcCall call, TimeProvider clock)
    : AdminService.AdminServiceBase
{
    private const int DefaultHours = 24;
    private const int MaxHours = 720;
    // A worker that has not reported for this long is taken to be gone.
    private static readonly TimeSpan LiveWorker = TimeSpan.FromMinutes(2);

    public override async Task<GetMetricsSummaryResponse> GetMetricsSummary(GetMetricsSummaryRequest request, ServerCallContext context)
    {
        var v = new FieldValidator();
        if (request.Hours is < 0 or > MaxHours) v.Add("hours", $"must be 0 (meaning {DefaultHours}) to {MaxHours}");
        v.ThrowIfAny();
        access.DemandPlatformAdmin();

        var hours = request.Hours == 0 ? DefaultHours : request.Hours;
        var window = TimeSpan.FromHours(hours);
        var ct = context.CancellationToken;
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
        response.Schedules = await ScheduleFigures.SummaryAsync(dataSource, clock.GetUtcNow(), window, ct);
        return response;
    }

    public override Task<VerifyStorageResponse> VerifyStorage(VerifyStorageRequest request, ServerCallContext context)
    {
        access.DemandPlatformAdmin();
        return verifier.VerifyAsync(context.CancellationToken);
    }
}
