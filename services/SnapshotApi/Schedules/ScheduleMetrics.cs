using System.Diagnostics.Metrics;
using Sts.SnapshotApi.Telemetry;

namespace Sts.SnapshotApi.Schedules;

/// <summary>The scheduler's instruments, on the API's meter. No label carries a schedule or room id.</summary>
public sealed class ScheduleMetrics
{
    private static readonly double[] LagBuckets = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 21600];

    private readonly Counter<long> _runs;
    private readonly Histogram<double> _lag;
    private readonly Counter<long> _skipped;
    private readonly Counter<long> _retentionDeleted;

    public ScheduleMetrics(IMeterFactory meterFactory, ScheduleGauges gauges)
    {
        var meter = meterFactory.Create(ApiMetrics.MeterName);
        _runs = meter.CreateCounter<long>("sts.schedule.runs",
            description: "Attempts to run a due slot, by outcome: created, busy (backpressure, retried), superseded (run elsewhere or changed meanwhile), failed (retried).");
        _lag = meter.CreateHistogram("sts.schedule.slot_lag", "s", "From a slot's due time to the creation of its snapshot.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LagBuckets });
        _skipped = meter.CreateCounter<long>("sts.schedule.slots_skipped", description: "Slots that passed without a run of their own: a late run stood for them (the misfire policy).");
        _retentionDeleted = meter.CreateCounter<long>("sts.schedule.retention.deleted", description: "Snapshots deleted by retention, by policy (schedule, room).");
        meter.CreateObservableGauge("sts.schedules.active", () => gauges.Active, description: "Schedules that are not paused (database-wide).");
        meter.CreateObservableGauge("sts.schedules.overdue", () => gauges.Overdue,
            description: "Active schedules with no COMPLETED snapshot for two of their intervals (database-wide).");
    }

    public void Ran(string outcome) => _runs.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void Created(TimeSpan lag, long skipped)
    {
        Ran("created");
        _lag.Record(Math.Max(0, lag.TotalSeconds));
        if (skipped > 0) _skipped.Add(skipped);
    }

    public void RetentionDeleted(string policy, int count)
    {
        if (count > 0) _retentionDeleted.Add(count, new KeyValuePair<string, object?>("policy", policy));
    }
}
