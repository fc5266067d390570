using System.ComponentModel.DataAnnotations;

namespace Sts.SnapshotApi.Schedules;

/// <summary>Scheduler settings; bound from the "Schedules" configuration section and validated at start-up.</summary>
public sealed class ScheduleOptions
{
    public const string Section = "Schedules";

    /// <summary>Whether this replica runs schedules. Replicas with false still serve ScheduleService; any one that runs is enough.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often a replica looks for due slots: the most a slot waits beyond its due time when all is well.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a replica holds a schedule it has claimed to run. Only a replica that dies holding one makes the
    /// schedule wait this long; the slot then runs on another replica, still at most once.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The shortest interval (or gap between cron times) a schedule may have.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MinInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Schedules a replica claims at a time.</summary>
    [Range(1, 1000)]
    public int BatchSize { get; set; } = 20;

    /// <summary>How often rooms' policies for manual snapshots are applied.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan RoomRetentionInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Slot records whose snapshot is gone are kept this long, then removed with the room retention pass.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00")]
    public TimeSpan SlotHistory { get; set; } = TimeSpan.FromDays(30);
}
