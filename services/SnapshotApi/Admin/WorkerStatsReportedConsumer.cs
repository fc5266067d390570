using MassTransit;
using Npgsql;
using Sts.Shared.Messaging;

namespace Sts.SnapshotApi.Admin;

/// <summary>Keeps the newest report per worker; an older report arriving late changes nothing.</summary>
public sealed class WorkerStatsReportedConsumer(NpgsqlDataSource dataSource) : IConsumer<WorkerStatsReported>
{
    public async Task Consume(ConsumeContext<WorkerStatsReported> context)
    {
        var r = context.Message;
        await using var command = dataSource.CreateCommand("""
            INSERT INTO worker_stats (worker_id, reported_at, memory_entries, memory_bytes, disk_entries, disk_bytes,
                                      memory_hits, disk_hits, misses, renders, cached_renders, failures)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
            ON CONFLICT (worker_id) DO UPDATE SET
                reported_at = excluded.reported_at, memory_entries = excluded.memory_entries, memory_bytes = excluded.memory_bytes,
                disk_entries = excluded.disk_entries, disk_bytes = excluded.disk_bytes, memory_hits = excluded.memory_hits,
                disk_hits = excluded.disk_hits, misses = excluded.misses, renders = excluded.renders,
                cached_renders = excluded.cached_renders, failures = excluded.failures
            WHERE worker_stats.reported_at < excluded.reported_at
            """);
        foreach (var value in new object[]
                 {
                     r.WorkerId, r.At, r.MemoryEntries, r.MemoryBytes, r.DiskEntries, r.DiskBytes,
                     r.MemoryHits, r.DiskHits, r.Misses, r.Renders, r.CachedRenders, r.Failures,
                 })
            command.Parameters.AddWithValue(value);
        await command.ExecuteNonQueryAsync(context.CancellationToken);
    }
}
