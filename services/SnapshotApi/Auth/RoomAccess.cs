using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Sts.Api.V1;
using Sts.SnapshotApi.Data;
using Sts.SnapshotApi.Rpc;

namespace Sts.SnapshotApi.Auth;

/// <summary>Turns an access decision for the current caller into a gRPC status and the audit record's reason.</summary>
public sealed class RoomAccess(RpcCall call)
{
    // Compiled once: every room-scoped call asks it.
    private static readonly Func<StsDbContext, string, string, CancellationToken, Task<PartyRole?>> Membership =
        EF.CompileAsyncQuery((StsDbContext db, string roomId, string email, CancellationToken ct) =>
            db.Parties.AsNoTracking().Where(p => p.RoomId == roomId && p.Email == email).Select(p => (PartyRole?)p.Role).FirstOrDefault());

    /// <param name="resource">What a caller who may not know the room is told was not found, such as "Snapshot 'id'".</param>
    public async Task DemandAsync(StsDbContext db, string roomId, RoomAction action, CancellationToken cancellationToken, string? resource = null)
    {
        resource ??= $"Room '{roomId}'";
        var caller = call.Caller;
        call.RoomId = roomId;
        var membership = await Membership(db, roomId, caller.Email, cancellationToken);
        if (membership is null && caller.IsPlatformAdmin && !await db.Rooms.AnyAsync(r => r.Id == roomId, cancellationToken))
            throw NotFound(resource, "no such room");

        switch (Permissions.Decide(caller, membership, action))
        {
            case AccessDecision.Allow:
                return;
            case AccessDecision.NotFound:
                throw NotFound(resource, "caller is not a party to the room");
            default:
                call.Audit["reason"] = $"role {membership} may not {action}";
                throw new RpcException(new Status(StatusCode.PermissionDenied,
                    $"Your role in room '{roomId}' ({EnumText<PartyRole>.ToText(membership!.Value)}) does not allow '{action.ToString().ToLowerInvariant()}'."));
        }
    }

    /// <summary>
    /// Whether the caller may act on the room, for calls that look at many rooms and leave out those the caller may not see
    /// (VerifyFile); records nothing, since no refusal is answered.
    /// </summary>
    public async Task<bool> AllowsAsync(StsDbContext db, string roomId, RoomAction action, CancellationToken cancellationToken) =>
        Permissions.Decide(call.Caller, await Membership(db, roomId, call.Caller.Email, cancellationToken), action) == AccessDecision.Allow;

    /// <summary>Checks a platform-wide right that no room grants, such as writing rooms.</summary>
    public void DemandScope(string scope)
    {
        if (call.Caller.HasScope(scope)) return;
        call.Audit["reason"] = $"missing scope {scope}";
        throw new RpcException(new Status(StatusCode.PermissionDenied, $"This call needs the '{scope}' scope."));
    }

    public void DemandPlatformAdmin()
    {
        if (call.Caller.IsPlatformAdmin) return;
        call.Audit["reason"] = "not a platform admin";
        throw new RpcException(new Status(StatusCode.PermissionDenied, "This call is for platform admins only."));
    }

    private RpcException NotFound(string resource, string reason)
    {
        call.Audit["reason"] = reason;
        return new RpcException(new Status(StatusCode.NotFound, $"{resource} not found."));
    }
}
