namespace Sts.Shared.Messaging;

/// <summary>
/// Asks a worker to render one snapshot. Sent by SnapshotApi's outbox relay to <see cref="Queue"/>. It carries the
/// frozen room state, or for a large room the storage key of it (a claim check), so that the worker needs no access to
/// the API's database and a large room never travels through the outbox and the broker. Redelivery is normal:
/// the worker is idempotent per SnapshotId.
/// </summary>
public sealed record GenerateSnapshot
{
    /// <summary>The workers' competing-consumer queue. The relay sends to it (declaring it if need be), so a command
    /// sent before any worker has started waits there instead of being dropped by an exchange with no queue bound.</summary>
    public const string Queue = "generate-snapshot";

    /// <summary>Scheduled (batch) work has its own queue, consumed with a few render slots per worker, so that it
    /// never holds the slots interactive snapshots need.</summary>
    public const string ScheduledQueue = "generate-snapshot-scheduled";

    public required Guid SnapshotId { get; init; }
    public required Guid TaskId { get; init; }
    public required string RoomId { get; init; }
    public required string Title { get; init; }
    public required string CreatedBy { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    /// <summary>"pdf", "json" or "csv".</summary>
    public required string Format { get; init; }
    public required RenderOptions Options { get; init; }
    public required long RoomVersion { get; init; }
    /// <summary>Hex SHA-256 of the frozen room state (canonical protobuf JSON of sts.snapshot.v1.Room, UTF-8).</summary>
    public required string ContentHash { get; init; }
    /// <summary>The frozen room state itself, for small rooms; null when <see cref="RoomStateKey"/> is set.</summary>
    public string? RoomState { get; init; }
    /// <summary>Claim check: the snapshot-store key of the gzipped frozen state, for large rooms; null when it is inline.</summary>
    public string? RoomStateKey { get; init; }
    /// <summary>Size of the frozen state in bytes (uncompressed), so a worker knows what it takes on before reading it.</summary>
    public long RoomStateBytes { get; init; }
    /// <summary>Batch or scheduled work rather than a person waiting; false in messages written before it existed.</summary>
    public bool Scheduled { get; init; }
    /// <summary>The snapshot a PDF's "Changes since" section compares with (CreateSnapshot's compare_to_snapshot_id); null for none.</summary>
    public ComparedSnapshot? CompareTo { get; init; }
}

/// <summary>What a rendered snapshot includes.</summary>
public sealed record RenderOptions(bool IncludeDocuments, bool IncludeActivity, bool IncludeApprovals, int ActivityLimit)
{
    /// <summary>Text drawn across every PDF page and recorded in every type's metadata; null or empty for none.</summary>
    public string? Watermark { get; init; }
}

/// <summary>
/// The earlier (or later) snapshot a "Changes since" section is computed against. Its frozen state travels like the
/// snapshot's own: inline when small, else as the key of the claim-checked copy (which deleting that snapshot removes,
/// so a render that comes after such a deletion fails with a reason instead of guessing).
/// </summary>
public sealed record ComparedSnapshot
{
    public required Guid SnapshotId { get; init; }
    public required string Title { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required long RoomVersion { get; init; }
    /// <summary>Hex SHA-256 of its frozen room state.</summary>
    public required string ContentHash { get; init; }
    /// <summary>Its frozen room state, for small rooms; null when <see cref="RoomStateKey"/> is set.</summary>
    public string? RoomState { get; init; }
    /// <summary>Claim check: the snapshot-store key of its gzipped frozen state; null when it is inline.</summary>
    public string? RoomStateKey { get; init; }
}
