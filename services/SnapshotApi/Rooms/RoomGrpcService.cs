using Grpc.Core;
using Sts.Api.V1;
using Sts.Shared.Auth;
using Sts.SnapshotApi.Auth;
using Sts.SnapshotApi.Data;
using Sts.SnapshotApi.Rpc;

namespace Sts.SnapshotApi.Rooms;

/// <summary>Keeps this service's copy of the platform's rooms.</summary>
public sealed class RoomGrpcService(StsDbContext db, RoomAccess access, RpcCall call, TimeProvider clock) : RoomService.RoomServiceBase
{
    public override async Task<UpsertRoomResponse> UpsertRoom(UpsertRoomRequest request, ServerCallContext context)
    {
        var violations = new FieldValidator();
        RoomValidator.Validate(request.Room, violations);
        violations.ThrowIfAny();
        call.RoomId = request.Room.Id;
        access.DemandScope(StsClaims.RoomsWriteScope);

        var summary = await RoomStore.UpsertAsync(db, request.Room, clock.GetUtcNow(), context.CancellationToken);
        call.Audit["version"] = summary.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new UpsertRoomResponse { Room = summary };
    }

    public override async Task<AppendActivityResponse> AppendActivity(AppendActivityRequest request, ServerCallContext context)
    {
        var violations = new FieldValidator();
        violations.Id("room_id", request.RoomId);
        if (request.Activities.Count == 0) violations.Add("activities", "must hold at least one entry");
        violations.Count("activities", request.Activities.Count, RoomValidator.MaxAppend);
        RoomValidator.ValidateActivities("activities", request.Activities, RoomValidator.MaxAppend, violations);
        violations.ThrowIfAny();
        call.RoomId = request.RoomId;
        access.DemandScope(StsClaims.RoomsWriteScope);

        return await RoomStore.AppendActivityAsync(db, request.RoomId, request.Activities, clock.GetUtcNow(), context.CancellationToken) switch
        {
            AppendOutcome.Appended appended => new AppendActivityResponse { Room = appended.Room },
            AppendOutcome.Refused refused => throw new RpcException(new Status(StatusCode.FailedPrecondition, refused.Reason)),
            _ => throw new RpcException(new Status(StatusCode.NotFound, $"Room '{request.RoomId}' not found.")),
        };
    }

    public override async Task<GetRoomResponse> GetRoom(GetRoomRequest request, ServerCallContext context)
    {
        var violations = new FieldValidator();
        violations.Id("room_id", request.RoomId);
        violations.ThrowIfAny();
        await access.DemandAsync(db, request.RoomId, RoomAction.View, context.CancellationToken);

        var room = await RoomStore.LoadAsync(db, request.RoomId, context.CancellationToken)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"Room '{request.RoomId}' not found."));
        return new GetRoomResponse { Room = room };
    }
}
