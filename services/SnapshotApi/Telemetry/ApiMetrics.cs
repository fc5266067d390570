using System.Diagnostics;
using System.Diagnostics.Metrics;
using Sts.Shared.Telemetry;

namespace Sts.SnapshotApi.Telemetry;

/// <summary>
/// The API's instruments. Labels stay low-cardinality: RPC names, snapshot type, outcome, never ids or emails.
/// Names follow OpenTelemetry; the Prometheus exporter adds units and _total.
/// </summary>
public sealed class ApiMetrics
{
    public const string MeterName = "Sts.SnapshotApi";

    private readonly Histogram<double> _rpcDuration;
    private readonly Counter<long> _created;
    private readonly Counter<long> _finished;
    private readonly Histogram<double> _endToEnd;
    private readonly Histogram<double> _queueWait;
    private readonly Counter<long> _published;
    private readonly Counter<long> _publishFailures;
    private readonly Counter<long> _checksumMismatches;
    private readonly Counter<long> _housekeepingRuns;
    private readonly Counter<long> _housekeepingRemoved;
    private readonly Counter<long> _outOfMemory;
    private double _auditSealLag;
    private long _auditChainHead;

    public ApiMetrics(IMeterFactory meterFactory, PipelineGauges gauges)
    {
        var meter = meterFactory.Create(MeterName);
        _rpcDuration = meter.CreateHistogram("rpc.server.duration", "s", "gRPC calls served, by service, method and status code.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = TelemetrySetup.SecondsBuckets });
        _created = meter.CreateCounter<long>("sts.snapshots.created", description: "Snapshots committed, by type.");
        _finished = meter.CreateCounter<long>("sts.snapshots.finished", description: "Snapshots that reached COMPLETED or FAILED, by type, outcome and whether the render cache served them.");
        _endToEnd = meter.CreateHistogram("sts.snapshot.end_to_end", "s", "From CreateSnapshot to COMPLETED.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = TelemetrySetup.SecondsBuckets });
        _queueWait = meter.CreateHistogram("sts.snapshot.queue_wait", "s", "From CreateSnapshot until a worker started rendering.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = TelemetrySetup.SecondsBuckets });
        _published = meter.CreateCounter<long>("sts.outbox.published", description: "Outbox rows published and confirmed by the broker.");
        _publishFailures = meter.CreateCounter<long>("sts.outbox.publish_failures", description: "Outbox publishes that failed or were not confirmed in time.");
        _checksumMismatches = meter.CreateCounter<long>("sts.download.checksum_mismatch", description: "Downloads refused because the stored file no longer matches its SHA-256.");
        // Exported from start-up, so that the alert's increase() sees the very first mismatch.
        _checksumMismatches.Add(0);
        _housekeepingRuns = meter.CreateCounter<long>("sts.housekeeping.runs", description: "Housekeeping runs, by job.");
        _housekeepingRemoved = meter.CreateCounter<long>("sts.housekeeping.removed", description: "Rows removed by housekeeping, by job.");
        _outOfMemory = meter.CreateCounter<long>("sts.rpc.out_of_memory", description: "Calls answered RESOURCE_EXHAUSTED because the replica ran out of memory, by action.");
        meter.CreateObservableGauge("sts.audit.seal_lag", () => Volatile.Read(ref _auditSealLag), "s", "Age of the oldest audit record not yet sealed into the chain (0 when none waits).");
        meter.CreateObservableGauge("sts.audit.chain_head", () => Volatile.Read(ref _auditChainHead), description: "Sequence of the newest sealed audit record this replica anchored (0 when it does not seal).");
        meter.CreateObservableGauge("sts.outbox.backlog", () => gauges.OutboxBacklog, description: "Outbox rows not yet published.");
        meter.CreateObservableGauge("sts.outbox.relay_lag", () => gauges.RelayLagSeconds, "s", "Age of the oldest unpublished outbox row.");
        meter.CreateObservableGauge("sts.tasks.stale", () => gauges.StaleTasks, description: "Pending or running tasks with no progress for longer than the lease.");
        meter.CreateObservableGauge("sts.watch.streams_active", () => gauges.ActiveWatches(), description: "Open WatchSnapshot streams on this replica.");
    }

    public void RpcServed(string service, string method, int statusCode, TimeSpan elapsed) =>
        _rpcDuration.Record(elapsed.TotalSeconds, new TagList
        {
            { "rpc.system", "grpc" }, { "rpc.service", service }, { "rpc.method", method }, { "rpc.grpc.status_code", statusCode },
        });

    public void SnapshotCreated(string type) => _created.Add(1, new KeyValuePair<string, object?>("type", type));

    public void SnapshotCompleted(string type, bool cached, TimeSpan endToEnd, TimeSpan? queueWait)
    {
        _finished.Add(1, new TagList { { "type", type }, { "outcome", "completed" }, { "cached", cached ? "true" : "false" } });
        _endToEnd.Record(endToEnd.TotalSeconds, new KeyValuePair<string, object?>("type", type));
        if (queueWait is { } wait) _queueWait.Record(wait.TotalSeconds, new KeyValuePair<string, object?>("type", type));
    }

    public void SnapshotFailed(string type) =>
        _finished.Add(1, new TagList { { "type", type }, { "outcome", "failed" }, { "cached", "false" } });

    public void OutboxPublished(int count) => _published.Add(count);

    public void OutboxPublishFailed(int count) => _publishFailures.Add(count);

    public void ChecksumMismatch() => _checksumMismatches.Add(1);

    public void AuditSealLag(double seconds) => Volatile.Write(ref _auditSealLag, seconds);

    public void AuditChainHead(long sequence) => Volatile.Write(ref _auditChainHead, sequence);

    public void OutOfMemory(string action) => _outOfMemory.Add(1, new KeyValuePair<string, object?>("action", action));

    public void HousekeepingRan(string job, int removed)
    {
        _housekeepingRuns.Add(1, new KeyValuePair<string, object?>("job", job));
        _housekeepingRemoved.Add(removed, new KeyValuePair<string, object?>("job", job));
    }
}
