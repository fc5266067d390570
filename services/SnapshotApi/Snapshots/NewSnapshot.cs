using Sts.Api.V1;
using Sts.Shared.Messaging;

namespace Sts.SnapshotApi.Snapshots;

/// <summary>A validated request for a snapshot, from a caller (CreateSnapshot) or on its behalf (a schedule).</summary>
/// <param name="Options">The effective options (absent ones mean everything).</param>
/// <param name="RequestId">AIP-155 idempotency key in canonical form, or null.</param>
/// <param name="Scheduled">Batch work: admitted below a lower bound and rendered from its own queue.</param>
/// <param name="CompareTo">The snapshot that options.compare_to_snapshot_id names, resolved (<see cref="SnapshotComparison"/>); null for none.</param>
public sealed record NewSnapshot(
    string RoomId, string Title, SnapshotType Type, SnapshotOptions Options, string CreatedBy, string? RequestId, bool Scheduled,
    ComparedSnapshot? CompareTo = null);

/// <summary>What became of a <see cref="NewSnapshot"/>.</summary>
public abstract record CreateOutcome
{
    private CreateOutcome() { }

    /// <summary>Committed with its task, outbox message and audit record.</summary>
    public sealed record Created(SnapshotRow Snapshot) : CreateOutcome;

    /// <summary>The request_id was seen before with the same request: the first snapshot, unchanged.</summary>
    public sealed record Replayed(SnapshotRow Snapshot) : CreateOutcome;

    /// <summary>The request_id was used before for a different request.</summary>
    public sealed record RequestIdReused(SnapshotRow First) : CreateOutcome;

    /// <summary>A concurrent request with the same request_id has not committed yet.</summary>
    public sealed record RequestIdInFlight : CreateOutcome;

    /// <summary>Backpressure: too many snapshots wait for a worker; come back after <paramref name="RetryAfter"/>.</summary>
    public sealed record Busy(long Pending, TimeSpan RetryAfter) : CreateOutcome;

    public sealed record NoRoom : CreateOutcome;
}
