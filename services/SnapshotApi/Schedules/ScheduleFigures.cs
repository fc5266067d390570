using System.Globalization;
using Npgsql;
using Sts.Api.V1;

namespace Sts.SnapshotApi.Schedules;

/// <summary>Schedule figures from the database, for the gauges and for GetMetricsSummary. Times are the service's clock.</summary>
public static class ScheduleFigures
{
    /// <summary>
    /// Active, paused, and overdue: active schedules whose newest COMPLETED slot (or, if later, their creation, resume
    /// or change of timing) is more than two periods ago.
    /// </summary>
    public static async Task<(long Active, long Paused, long Overdue)> CountsAsync(NpgsqlDataSource dataSource, DateTimeOffset now, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT count(*) FILTER (WHERE NOT sc.paused),
                   count(*) FILTER (WHERE sc.paused),
                   count(*) FILTER (WHERE NOT sc.paused AND greatest(sc.active_since, ok.due_at) + 2 * sc.period < $1)
            FROM schedules sc
            LEFT JOIN LATERAL (
                SELECT sl.due_at FROM schedule_slots sl JOIN snapshots s ON s.id = sl.snapshot_id
                WHERE sl.schedule_id = sc.id AND s.status = 'completed' ORDER BY sl.due_at DESC LIMIT 1) ok ON true
            """);
        command.Parameters.AddWithValue(now);
        await using var row = await command.ExecuteReaderAsync(ct);
        await row.ReadAsync(ct);
        return (row.GetInt64(0), row.GetInt64(1), row.GetInt64(2));
    }

    public static async Task<ScheduleSummary> SummaryAsync(NpgsqlDataSource dataSource, DateTimeOffset now, TimeSpan window, CancellationToken ct)
    {
        var (active, paused, overdue) = await CountsAsync(dataSource, now, ct);
        var summary = new ScheduleSummary { Active = active, Paused = paused, Overdue = overdue };
        await using var command = dataSource.CreateCommand("""
            SELECT count(*), coalesce(sum(sl.skipped_slots), 0),
                   count(*) FILTER (WHERE s.status = 'completed'), count(*) FILTER (WHERE s.status = 'failed'),
                   coalesce(avg(extract(epoch FROM sl.fired_at - sl.due_at) * 1000), 0),
                   coalesce(percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM sl.fired_at - sl.due_at) * 1000), 0),
                   (SELECT count(*) FROM audit_log WHERE action = $2 AND at >= $1)
            FROM schedule_slots sl LEFT JOIN snapshots s ON s.id = sl.snapshot_id
            WHERE sl.fired_at >= $1
            """);
        command.Parameters.AddWithValue(now - window);
        command.Parameters.AddWithValue(ScheduleRetention.AuditAction);
        await using var row = await command.ExecuteReaderAsync(ct);
        await row.ReadAsync(ct);
        summary.Runs = row.GetInt64(0);
        summary.SkippedSlots = row.GetInt64(1);
        summary.Completed = row.GetInt64(2);
        summary.Failed = row.GetInt64(3);
        summary.AverageLagMillis = Math.Round(Convert.ToDouble(row.GetValue(4), CultureInfo.InvariantCulture), 1);
        summary.P95LagMillis = Math.Round(row.GetDouble(5), 1);
        summary.RetentionDeleted = row.GetInt64(6);
        return summary;
    }
}
