using System.ComponentModel.DataAnnotations;

namespace Sts.SnapshotApi.Audit;

/// <summary>How audit records are written and sealed; bound from the "Audit" configuration section.</summary>
public sealed class AuditOptions
{
    public const string Section = "Audit";

    /// <summary>How often the sealer looks for unsealed records when it found none last time. Records are sealed well within 1 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:10")]
    public TimeSpan SealInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Records sealed in one transaction at most.</summary>
    [Range(1, 100_000)]
    public int SealBatch { get; set; } = 2000;

    /// <summary>Records a group commit writes at once at most (calls that change nothing, whose record stands alone).</summary>
    [Range(1, 10_000)]
    public int GroupCommitMax { get; set; } = 500;

    /// <summary>How often the sealed chain head is written to storage and to the log, so that removing the newest records is detectable.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan AnchorInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>VerifyAuditChain waits up to this long for the records committed before it began to be sealed.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan VerifyWait { get; set; } = TimeSpan.FromSeconds(5);
}
