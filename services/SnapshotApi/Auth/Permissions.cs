using Sts.Api.V1;

namespace Sts.SnapshotApi.Auth;

/// <summary>What a caller wants to do in a room.</summary>
public enum RoomAction { View, List, Create, Delete, Metrics, Audit }

/// <summary>The outcome of an access check, before it becomes a gRPC status.</summary>
public enum AccessDecision { Allow, NotFound, PermissionDenied }

/// <summary>The role permission matrix: the one place that says which party role may do what.</summary>
public static class Permissions
{
    private static readonly PartyRole[] Everyone =
        [PartyRole.Owner, PartyRole.Broker, PartyRole.Charterer, PartyRole.Seller, PartyRole.Buyer, PartyRole.Admin];

    public static readonly IReadOnlyDictionary<RoomAction, IReadOnlySet<PartyRole>> Matrix = new Dictionary<RoomAction, IReadOnlySet<PartyRole>>
    {
        [RoomAction.View] = Everyone.ToHashSet(),
        [RoomAction.List] = Everyone.ToHashSet(),
        [RoomAction.Create] = new HashSet<PartyRole> { PartyRole.Owner, PartyRole.Broker, PartyRole.Charterer, PartyRole.Admin },
        [RoomAction.Delete] = new HashSet<PartyRole> { PartyRole.Admin },
        [RoomAction.Metrics] = new HashSet<PartyRole> { PartyRole.Admin },
        [RoomAction.Audit] = new HashSet<PartyRole> { PartyRole.Admin },
    };

    /// <param name="membership">The caller's role in the room, or null when the caller is not a party to it.</param>
    public static AccessDecision Decide(Caller caller, PartyRole? membership, RoomAction action)
    {
        if (caller.IsPlatformAdmin) return AccessDecision.Allow;
        // Non-members learn nothing, not even that the room exists.
        if (membership is not { } role) return AccessDecision.NotFound;
        return Matrix[action].Contains(role) ? AccessDecision.Allow : AccessDecision.PermissionDenied;
    }
}
