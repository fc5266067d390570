using Sts.Shared.Messaging;

namespace Sts.Shared.Rooms;

/// <summary>
/// Where a snapshot's frozen room state is: its canonical JSON inline (small rooms) or the snapshot-store key of its
/// gzipped copy (claim check), with the content hash it must match. Exactly one of <see cref="Inline"/> and
/// <see cref="StorageKey"/> is normally set; <see cref="RoomStateReader"/> refuses anything else.
/// </summary>
public sealed record FrozenState(string ContentHash, string? Inline, string? StorageKey)
{
    /// <summary>The state a render request carries for the snapshot it renders.</summary>
    public static FrozenState Of(GenerateSnapshot message) => new(message.ContentHash, message.RoomState, message.RoomStateKey);

    /// <summary>The state of the snapshot a "Changes since" section compares with.</summary>
    public static FrozenState Of(ComparedSnapshot compared) => new(compared.ContentHash, compared.RoomState, compared.RoomStateKey);
}
