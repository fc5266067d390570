namespace Sts.SnapshotApi.Admin;

/// <summary>The latest totals one worker reported.</summary>
public sealed class WorkerStatsRow
{
    public required string WorkerId { get; set; }
    public DateTimeOffset ReportedAt { get; set; }
    public long MemoryEntries { get; set; }
    public long MemoryBytes { get; set; }
    public long DiskEntries { get; set; }
    public long DiskBytes { get; set; }
    public long MemoryHits { get; set; }
    public long DiskHits { get; set; }
    public long Misses { get; set; }
    public long Renders { get; set; }
    public long CachedRenders { get; set; }
    public long Failures { get; set; }
}
