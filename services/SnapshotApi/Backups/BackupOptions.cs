using System.ComponentModel.DataAnnotations;

namespace Sts.SnapshotApi.Backups;

/// <summary>Backups of the service itself ("Backup" section). See docs/runbooks/backup.md.</summary>
public sealed class BackupOptions
{
    public const string Section = "Backup";

    /// <summary>Whether this replica takes part in the backup schedule (every replica may; the lock lets one run).</summary>
    public bool ScheduleEnabled { get; set; } = true;

    /// <summary>How often a scheduled backup is taken: one is started when the newest verified backup is this old.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(6);

    /// <summary>How often each replica looks whether a scheduled backup is due.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Backups kept after a successful, verified one; older ones are deleted, never the newest verified one.</summary>
    [Range(1, 1000)]
    public int KeepLast { get; set; } = 10;

    /// <summary>At start-up against an empty database, restore the newest verified backup before migrating (bootstrap).</summary>
    public bool RestoreOnEmptyDatabase { get; set; }

    /// <summary>pg_dump of the server's major version (the image installs postgresql-client-15).</summary>
    [Required]
    public string PgDumpPath { get; set; } = "pg_dump";

    /// <summary>pg_restore of the server's major version.</summary>
    [Required]
    public string PgRestorePath { get; set; } = "pg_restore";

    /// <summary>How long one pg_dump or pg_restore may run.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")]
    public TimeSpan ToolTimeout { get; set; } = TimeSpan.FromHours(2);
}
