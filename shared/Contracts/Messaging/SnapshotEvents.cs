namespace Sts.Shared.Messaging;

/// <summary>Where a render is. The number is both the event sequence and the order of stages.</summary>
public enum RenderStage
{
    Queued = 0,
    Rendering = 1,
    Rendered = 2,
    Stored = 3,
    Completed = 4,
}

/// <summary>Stage percentages promised to watchers: 0, 30, 60, 80 and 100.</summary>
public static class RenderStages
{
    public static int Percent(RenderStage stage) => stage switch
    {
        RenderStage.Queued => 0,
        RenderStage.Rendering => 30,
        RenderStage.Rendered => 60,
        RenderStage.Stored => 80,
        _ => 100,
    };
}

/// <summary>A worker moved a snapshot to a new stage. Older or repeated sequences are ignored by the API.</summary>
public sealed record SnapshotProgressed
{
    public required Guid SnapshotId { get; init; }
    public required long Sequence { get; init; }
    public required RenderStage Stage { get; init; }
    public required int Percent { get; init; }
    public required DateTimeOffset At { get; init; }
    public required string WorkerId { get; init; }
}

/// <summary>The file is stored. Terminal: the first terminal event wins, repeats change nothing.</summary>
public sealed record SnapshotCompleted
{
    public required Guid SnapshotId { get; init; }
    public required string FileKey { get; init; }
    public required long SizeBytes { get; init; }
    /// <summary>Lower-case hex SHA-256 of the stored bytes.</summary>
    public required string Sha256 { get; init; }
    public required long RenderMillis { get; init; }
    public required bool Cached { get; init; }
    public required DateTimeOffset At { get; init; }
    public required string WorkerId { get; init; }
}

/// <summary>The worker gave up on a snapshot that cannot be rendered (retrying would not help). Terminal.</summary>
public sealed record SnapshotFailed
{
    public required Guid SnapshotId { get; init; }
    /// <summary>Readable reason, shown to callers.</summary>
    public required string Reason { get; init; }
    public required DateTimeOffset At { get; init; }
    public required string WorkerId { get; init; }
}

/// <summary>
/// A worker's running totals, published every few seconds. The API keeps the latest per worker, so its
/// metrics summary is right whatever the number of workers. Counters run since the worker started.
/// </summary>
public sealed record WorkerStatsReported
{
    public required string WorkerId { get; init; }
    public required DateTimeOffset At { get; init; }
    public required long MemoryEntries { get; init; }
    public required long MemoryBytes { get; init; }
    public required long DiskEntries { get; init; }
    public required long DiskBytes { get; init; }
    public required long MemoryHits { get; init; }
    public required long DiskHits { get; init; }
    public required long Misses { get; init; }
    public required long Renders { get; init; }
    public required long CachedRenders { get; init; }
    public required long Failures { get; init; }
}
