using Microsoft.Extensions.Options;

namespace Sts.SnapshotApi.Backups;

/// <summary>
/// Each replica looks every Backup:CheckInterval whether a backup is due (the newest one is Backup:Interval old, or
/// there is none) and, if so, tries to take it; the deployment-wide lock lets one replica run it and the others find
/// it busy and skip. The due time comes from the catalog in storage, so the schedule survives restarts and failovers.
/// A hosted service of its own rather than the snapshot scheduler (Schedules/): that one claims rows of the schedules
/// table, which a restore rewrites and a bootstrap does not have, and leases slots where this needs the backup lock.
/// </summary>
public sealed partial class BackupScheduler(
    BackupOperations operations, IOptions<BackupOptions> options, TimeProvider clock, ILogger<BackupScheduler> logger) : BackgroundService
{
    // After a failed attempt, wait this long (or the interval, when shorter) before the next one.
    private static readonly TimeSpan RetryAfter = TimeSpan.FromMinutes(10);
    private DateTimeOffset _lastAttempt = DateTimeOffset.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.CheckInterval, clock);
        try
        {
            do
            {
                try
                {
                    await RunOnceAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    CheckFailed(logger, ex.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down; a backup under way is cut short and leaves no manifest, so nothing lists it.
        }
    }

    /// <summary>Refreshes the gauges and takes a backup when one is due; true when this replica took one.</summary>
    public async Task<bool> RunOnceAsync(CancellationToken ct)
    {
        var backups = await operations.ListAsync(ct);
        var settings = options.Value;
        if (!settings.ScheduleEnabled) return false;
        var now = clock.GetUtcNow();
        // Due by the newest *verified* backup: one that failed verification, or a restore's unverified rollback point,
        // does not put the next scheduled backup off by a whole interval (it is retried after RetryAfter).
        if (backups.FirstOrDefault(b => b.Verified) is { } verified && now - verified.Manifest.CreatedAt < settings.Interval) return false;
        if (now - _lastAttempt < (settings.Interval < RetryAfter ? settings.Interval : RetryAfter)) return false;
        _lastAttempt = now;
        try
        {
            var created = await operations.CreateAsync("scheduled");
            Taken(logger, created.Backup.Manifest.Id, created.Deleted.Count);
            return true;
        }
        catch (BackupBusyException busy)
        {
            Busy(logger, busy.Holder);
            return false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            ScheduledFailed(logger, ex);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduled backup {BackupId} taken and verified; retention deleted {Deleted}")]
    private static partial void Taken(ILogger logger, string backupId, int deleted);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Scheduled backup skipped: {Holder} is running")]
    private static partial void Busy(ILogger logger, string holder);

    [LoggerMessage(Level = LogLevel.Error, Message = "Scheduled backup failed")]
    private static partial void ScheduledFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup schedule check failed: {Error}")]
    private static partial void CheckFailed(ILogger logger, string error);
}
