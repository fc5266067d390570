using System.ComponentModel.DataAnnotations;

namespace Sts.SnapshotApi.Snapshots;

/// <summary>Where frozen room states are kept; bound from the "RoomState" configuration section.</summary>
public sealed class RoomStateOptions
{
    public const string Section = "RoomState";

    /// <summary>
    /// States up to this size (canonical JSON) travel inline: in the snapshot's row and in the GenerateSnapshot message.
    /// Larger ones are claim-checked: written once, gzipped, to the snapshot store, and the message carries their key.
    /// Small rooms so cost no storage round trip; large ones never pass through RabbitMQ or the outbox.
    /// </summary>
    [Range(0, 4 * 1024 * 1024)]
    public int InlineMaxBytes { get; set; } = 64 * 1024;

    /// <summary>Inline states kept in memory per replica by room and version, so repeat creates of an unchanged room skip the freeze.</summary>
    [Range(0, 1L << 30)]
    public long CacheMaxBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>
    /// A stored state that no snapshot claims (its create failed after the state was written) is removed by housekeeping
    /// once it is this old, which is far longer than any create can take to commit.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan OrphanGrace { get; set; } = TimeSpan.FromHours(1);
}
