namespace Sts.SnapshotApi.Snapshots;

/// <summary>
/// A room frozen for one snapshot: its canonical JSON's SHA-256 and size, and the JSON itself either inline (small
/// rooms) or under a storage key (claim check). Exactly one of <see cref="Inline"/> and <see cref="StateKey"/> is set.
/// </summary>
public sealed record FrozenRoom(long RoomVersion, string ContentHash, long Bytes, string? Inline, string? StateKey);
