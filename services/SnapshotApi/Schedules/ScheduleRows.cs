using Sts.Api.V1;

namespace Sts.SnapshotApi.Schedules;

/// <summary>A room's schedule: its timing, what it makes, what it keeps, and where it stands among its slots.</summary>
public sealed class ScheduleRow
{
    public Guid Id { get; set; }
    public required string RoomId { get; set; }
    /// <summary>Interval timing (with <see cref="StartAt"/>); null for cron timing.</summary>
    public TimeSpan? Interval { get; set; }
    /// <summary>The first slot of an interval schedule; later ones follow every <see cref="Interval"/>.</summary>
    public DateTimeOffset? StartAt { get; set; }
    /// <summary>Cron timing, read in <see cref="TimeZone"/>; null for interval timing.</summary>
    public string? Cron { get; set; }
    /// <summary>Canonical IANA name.</summary>
    public required string TimeZone { get; set; }
    public SnapshotType SnapshotType { get; set; }
    /// <summary>SnapshotOptions as protobuf JSON.</summary>
    public required string Options { get; set; }
    public required string TitleTemplate { get; set; }
    public int? KeepLast { get; set; }
    public TimeSpan? MaxAge { get; set; }
    /// <summary>A concurrency token: a run that read the schedule unpaused does not commit once it is paused.</summary>
    public bool Paused { get; set; }
    /// <summary>Creates (and is audited for) the schedule's snapshots.</summary>
    public required string Principal { get; set; }
    public required string CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    /// <summary>Bumped by every accepted update; the etag.</summary>
    public int Version { get; set; }
    /// <summary>
    /// Due time of the earliest slot that has neither run nor been skipped. A concurrency token: a run commits only if
    /// it is still what the run read, so two runs of one slot cannot both commit.
    /// </summary>
    public DateTimeOffset NextDueAt { get; set; }
    /// <summary>Since when runs are expected: creation, the last resume or change of timing. The alert counts from here.</summary>
    public DateTimeOffset ActiveSince { get; set; }
    /// <summary>Gap between the latest slot and the next one: the "interval" of a cron schedule, for the alert.</summary>
    public TimeSpan Period { get; set; }
    /// <summary>While in the future, one replica is running the schedule (or waiting out backpressure); others leave it.</summary>
    public DateTimeOffset? LeaseUntil { get; set; }
    public string? LeaseOwner { get; set; }
    public long Runs { get; set; }
    public long SkippedSlots { get; set; }
    /// <summary>Due time of the latest slot that ran.</summary>
    public DateTimeOffset? LastDueAt { get; set; }
    public Guid? LastSnapshotId { get; set; }
    /// <summary>The latest run's snapshot while retention waits for it to complete.</summary>
    public Guid? RetentionSnapshotId { get; set; }
}

/// <summary>
/// One slot that ran: unique per schedule and due time, and written in the transaction that creates its snapshot. It
/// outlives the snapshot (and the schedule), so a slot is never run twice.
/// </summary>
public sealed class ScheduleSlotRow
{
    public Guid ScheduleId { get; set; }
    public DateTimeOffset DueAt { get; set; }
    /// <summary>Null once retention (or an admin) has deleted the snapshot.</summary>
    public Guid? SnapshotId { get; set; }
    public DateTimeOffset FiredAt { get; set; }
    /// <summary>Earlier slots this late run stood for (the misfire policy).</summary>
    public int SkippedSlots { get; set; }
    /// <summary>The replica that ran it.</summary>
    public required string FiredBy { get; set; }
}

/// <summary>A room's policy for snapshots that no schedule made.</summary>
public sealed class RoomRetentionRow
{
    public required string RoomId { get; set; }
    public TimeSpan ManualMaxAge { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public required string UpdatedBy { get; set; }
}
