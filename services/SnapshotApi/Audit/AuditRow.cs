namespace Sts.SnapshotApi.Audit;

/// <summary>
/// One audited RPC or pipeline event. It is written unsealed, in the transaction of whatever it records, and sealed into
/// the hash chain shortly after by <see cref="AuditSealer"/>, which sets <see cref="Sequence"/>, <see cref="PreviousHash"/>
/// and <see cref="Hash"/>.
/// </summary>
public sealed class AuditRow
{
    /// <summary>Order of insertion; says nothing about commit order, so it is not the chain position.</summary>
    public long Id { get; set; }

    /// <summary>Position in the chain, from 1, without gaps; null until sealed.</summary>
    public long? Sequence { get; set; }
    public DateTimeOffset At { get; set; }
    public required string Actor { get; set; }
    public required string Action { get; set; }
    public string? RoomId { get; set; }
    public Guid? SnapshotId { get; set; }
    public required string Outcome { get; set; }
    /// <summary>A flat JSON object of strings; hashed in its canonical form (keys sorted).</summary>
    public required string Metadata { get; set; }
    public string? PreviousHash { get; set; }
    public string? Hash { get; set; }
}
