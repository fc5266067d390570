using System.ComponentModel.DataAnnotations;

namespace Sts.SnapshotApi.Outbox;

/// <summary>How the relay publishes outbox rows; bound from the "Outbox" configuration section.</summary>
public sealed class OutboxOptions
{
    public const string Section = "Outbox";

    /// <summary>The relay polls this often even when no notification arrives; polling is what delivery relies on.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Rows claimed per transaction.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 100;

    /// <summary>
    /// Payload bytes claimed per transaction (at least one row is, whatever its size). A room at its size limits
    /// freezes into a payload of about 10 MB, and a batch is held in memory several times over while it is sent.
    /// </summary>
    [Range(64 * 1024, 1024L * 1024 * 1024)]
    public long MaxBatchBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>How long one publish may wait for the broker's confirm before the row is left for the next round.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
