using System.Diagnostics.Metrics;
using Sts.SnapshotApi.Telemetry;

namespace Sts.SnapshotApi.Backups;

/// <summary>
/// Backup instruments, on the API's meter. The gauges describe the catalog in storage, which every replica reads
/// (each refreshes them on its schedule check), so any replica answers for the deployment: alert on max().
/// </summary>
public sealed class BackupMetrics
{
    private readonly Counter<long> _runs;
    private double _lastSuccess;
    private double _size;
    private double _duration;
    private int _verificationOk;

    public BackupMetrics(IMeterFactory meterFactory, Microsoft.Extensions.Options.IOptions<BackupOptions> options)
    {
        var meter = meterFactory.Create(ApiMetrics.MeterName);
        _runs = meter.CreateCounter<long>("sts.backup.runs", description: "Backup operations, by operation (create, verify, restore, retention) and outcome (ok, failed, busy, refused).");
        meter.CreateObservableGauge("sts.backup.last_success_timestamp", () => Volatile.Read(ref _lastSuccess), "s",
            "Unix time at which the newest verified backup was taken (0 when there is none).");
        meter.CreateObservableGauge("sts.backup.size", () => Volatile.Read(ref _size), "By", "Dump plus snapshot objects of the newest verified backup.");
        meter.CreateObservableGauge("sts.backup.duration", () => Volatile.Read(ref _duration), "s", "How long the newest verified backup took to take.");
        // So that the alert's "two intervals" follows the setting rather than a number written into the rule.
        meter.CreateObservableGauge("sts.backup.interval", () => options.Value.Interval.TotalSeconds, "s", "Backup:Interval, the schedule's period.");
        meter.CreateObservableGauge("sts.backup.verification_ok", () => Volatile.Read(ref _verificationOk),
            description: "1 when the newest backup's last verification found no fault, 0 when it found one or it was never verified.");
    }

    public void Ran(string operation, string outcome) =>
        _runs.Add(1, new KeyValuePair<string, object?>("operation", operation), new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>Sets the gauges from the catalog (newest first).</summary>
    public void Describe(IReadOnlyList<BackupEntry> backups)
    {
        var verified = backups.FirstOrDefault(b => b.Verified);
        Volatile.Write(ref _lastSuccess, verified is null ? 0 : verified.Manifest.CreatedAt.ToUnixTimeMilliseconds() / 1000.0);
        Volatile.Write(ref _size, verified is null ? 0 : verified.Manifest.Dump.SizeBytes + verified.Manifest.Files.Where(f => !f.Gzipped).Sum(f => f.SizeBytes));
        Volatile.Write(ref _duration, verified?.Manifest.DurationSeconds ?? 0);
        Volatile.Write(ref _verificationOk, backups.Count > 0 && backups[0].Verified ? 1 : 0);
    }
}
