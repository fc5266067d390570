namespace Sts.SnapshotApi.Audit;

/// <summary>One audited RPC, a link in the hash chain.</summary>
public sealed class AuditRow
{
    /// <summary>Position in the chain, from 1, without gaps.</summary>
    public long Sequence { get; set; }
    public DateTimeOffset At { get; set; }
    public required string Actor { get; set; }
    public required string Action { get; set; }
    public string? RoomId { get; set; }
    public Guid? SnapshotId { get; set; }
    public required string Outcome { get; set; }
    /// <summary>A flat JSON object of strings; hashed in its canonical form (keys sorted).</summary>
    public required string Metadata { get; set; }
    public required string PreviousHash { get; set; }
    public required string Hash { get; set; }
}
