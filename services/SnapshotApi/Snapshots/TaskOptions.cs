using System.ComponentModel.DataAnnotations;

namespace Sts.SnapshotApi.Snapshots;

/// <summary>Task life cycle settings; bound from the "Tasks" configuration section.</summary>
public sealed class TaskOptions
{
    public const string Section = "Tasks";

    /// <summary>A pending or running task that shows no progress for this long is stale (alerted on; re-queued by the reaper).</summary>
    [Range(typeof(TimeSpan), "00:00:05", "1.00:00:00")]
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Finished tasks and sent outbox rows older than this are removed by housekeeping; the snapshot keeps its outcome.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Times a task is handed to workers before a lack of progress fails it.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 3;

    /// <summary>
    /// A snapshot that no worker has started within this long of its creation fails. Until then a task waiting in
    /// a backlog (or behind a broker outage) has its message re-sent each lease without using up an attempt.
    /// Keep it above the longest backlog you expect to drain (MaxPendingTasks at the workers' rate).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:10", "7.00:00:00")]
    public TimeSpan MaxQueueTime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often the reaper looks for stale tasks.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ReaperInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>CreateSnapshot answers RESOURCE_EXHAUSTED while this many tasks wait for a worker.</summary>
    [Range(1, 10_000_000)]
    public int MaxPendingTasks { get; set; } = 10_000;

    /// <summary>
    /// The share of <see cref="MaxPendingTasks"/> that scheduled (batch) creates may fill: above it they answer
    /// RESOURCE_EXHAUSTED, and the rest of the backlog is kept for interactive requests.
    /// </summary>
    [Range(0.0, 1.0)]
    public double ScheduledShare { get; set; } = 0.5;

    public int MaxPendingScheduledTasks => (int)(MaxPendingTasks * ScheduledShare);

    /// <summary>How often housekeeping runs.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan HousekeepingInterval { get; set; } = TimeSpan.FromHours(1);
}
