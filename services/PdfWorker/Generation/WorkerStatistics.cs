using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Sts.Shared.Telemetry;

namespace Sts.PdfWorker.Generation;

/// <summary>
/// What this worker process has done: counted here for the summary it reports to the API (and for tests
/// that check each snapshot is rendered once), and recorded as metrics for Prometheus.
/// </summary>
public sealed class WorkerStatistics
{
    public const string MeterName = "Sts.PdfWorker";

    /// <summary>Spans for render and store; consume and publish spans come from MassTransit.</summary>
    public static readonly ActivitySource Tracing = new(MeterName);

    private readonly Histogram<double> _renderDuration;
    private readonly Counter<long> _renders;
    private readonly Counter<long> _bytesWritten;
    private readonly Counter<long> _housekeepingRemoved;
    private long _rendered;
    private long _cached;
    private long _failures;
    private long _cutShort;
    private int _inFlight;

    public WorkerStatistics(IMeterFactory meterFactory, IOptions<WorkerOptions> options)
    {
        var meter = meterFactory.Create(MeterName);
        _renderDuration = meter.CreateHistogram("sts.render.duration", "s", "Time spent rendering one snapshot, by format.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = TelemetrySetup.SecondsBuckets });
        _renders = meter.CreateCounter<long>("sts.worker.renders", description: "Snapshots handled, by format and outcome (ok, cached, failed, timeout).");
        _bytesWritten = meter.CreateCounter<long>("sts.storage.written", "By", "Bytes of snapshot files stored.");
        _housekeepingRemoved = meter.CreateCounter<long>("sts.housekeeping.removed", description: "Entries removed by housekeeping, by job.");
        // Both queues' slots: InFlight counts interactive and scheduled renders alike.
        var limit = options.Value.EffectiveConcurrency + options.Value.ScheduledConcurrency;
        meter.CreateObservableGauge("sts.worker.concurrency.in_use", () => InFlight, description: "Renders in progress.");
        meter.CreateObservableGauge("sts.worker.concurrency.limit", () => limit, description: "Renders allowed at once.");
    }

    /// <summary>Snapshots rendered (cache misses) by this process.</summary>
    public long Renders => Interlocked.Read(ref _rendered);

    /// <summary>Snapshots served from the render cache by this process.</summary>
    public long CachedRenders => Interlocked.Read(ref _cached);

    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Renders cancelled because a shutdown's drain time ran out; their messages went back to the queue.</summary>
    public long CutShortRenders => Interlocked.Read(ref _cutShort);

    public void CutShort() => Interlocked.Increment(ref _cutShort);

    public int InFlight => Volatile.Read(ref _inFlight);

    public void Started() => Interlocked.Increment(ref _inFlight);

    public void Rendered(string format, TimeSpan elapsed)
    {
        Interlocked.Increment(ref _rendered);
        _renderDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("format", format));
        _renders.Add(1, new TagList { { "format", format }, { "outcome", "ok" } });
    }

    public void ServedFromCache(string format)
    {
        Interlocked.Increment(ref _cached);
        _renders.Add(1, new TagList { { "format", format }, { "outcome", "cached" } });
    }

    public void Failed(string format)
    {
        Interlocked.Increment(ref _failures);
        _renders.Add(1, new TagList { { "format", format }, { "outcome", "failed" } });
    }

    public void TimedOut(string format)
    {
        Interlocked.Increment(ref _failures);
        _renders.Add(1, new TagList { { "format", format }, { "outcome", "timeout" } });
    }

    public void Stored(long bytes) => _bytesWritten.Add(bytes);

    public void Finished() => Interlocked.Decrement(ref _inFlight);

    public void HousekeepingRan(string job, int removed) =>
        _housekeepingRemoved.Add(removed, new KeyValuePair<string, object?>("job", job));
}
