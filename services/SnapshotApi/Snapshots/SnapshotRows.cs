using Sts.Api.V1;

namespace Sts.SnapshotApi.Snapshots;

/// <summary>A snapshot's metadata and life cycle. Its frozen room state shares the row but lives in <see cref="SnapshotStateRow"/> so that lists do not load it.</summary>
public sealed class SnapshotRow
{
    public Guid Id { get; set; }
    public required string RoomId { get; set; }
    public required string Title { get; set; }
    public required string CreatedBy { get; set; }
    public Guid TaskId { get; set; }
    public SnapshotStatus Status { get; set; }
    public SnapshotType SnapshotType { get; set; }
    /// <summary>SnapshotOptions as protobuf JSON.</summary>
    public required string Options { get; set; }
    public long RoomVersion { get; set; }
    /// <summary>Hex SHA-256 of the frozen room state.</summary>
    public required string ContentHash { get; set; }
    /// <summary>Size of the frozen room state in bytes; null for snapshots made before it was kept.</summary>
    public long? StateBytes { get; set; }
    /// <summary>Storage key of a claim-checked (large) frozen state; null when the state is inline in <see cref="SnapshotStateRow"/>.</summary>
    public string? StateKey { get; set; }
    public string? RequestId { get; set; }
    public string? FileKey { get; set; }
    public long? SizeBytes { get; set; }
    public string? Sha256 { get; set; }
    public int Progress { get; set; }
    public string? Error { get; set; }
    public bool Cached { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    /// <summary>Set while the snapshot is under legal hold: nothing deletes it then (a trigger refuses even a raw DELETE).</summary>
    public DateTimeOffset? LegalHoldAt { get; set; }
    public string? LegalHoldBy { get; set; }
    public string? LegalHoldReason { get; set; }
}

/// <summary>
/// The room state frozen at creation: canonical protobuf JSON of the Room, hashed into <see cref="SnapshotRow.ContentHash"/>.
/// Null when the state was too large to keep inline and lives in storage under <see cref="SnapshotRow.StateKey"/>.
/// </summary>
public sealed class SnapshotStateRow
{
    public Guid Id { get; set; }
    public string? RoomState { get; set; }
}

/// <summary>The work item that generates one snapshot's file.</summary>
public sealed class TaskRow
{
    public Guid Id { get; set; }
    public Guid SnapshotId { get; set; }
    public SnapshotTaskStatus Status { get; set; }
    public int Progress { get; set; }
    public int Attempts { get; set; }
    /// <summary>Batch or scheduled work (CreateSnapshot priority SCHEDULED): re-queues go to the scheduled queue too.</summary>
    public bool Scheduled { get; set; }
    /// <summary>Highest worker event sequence applied; older or repeated events are ignored.</summary>
    public long LastEventSequence { get; set; }
    public long RenderMillis { get; set; }
    public string? Error { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
}
