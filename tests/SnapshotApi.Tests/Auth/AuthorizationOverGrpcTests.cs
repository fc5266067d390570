using Grpc.Core;
using Sts.Api.V1;

namespace Sts.SnapshotApi.Tests.Auth;

/// <summary>The role × action × membership matrix, exercised over gRPC against real rooms and snapshots.</summary>
[Collection(ApiCollection.Name)]
public sealed class AuthorizationOverGrpcTests(ApiFixture api)
{
    private static readonly string[] Identities = ["owner", "broker", "charterer", "seller", "buyer", "admin", "non-member", "platform-admin"];

    private static readonly string[] Actions =
    [
        "GetRoom", "GetSnapshot", "GetTask", "ListSnapshots", "CreateSnapshot", "DeleteSnapshot", "ListAuditEvents",
        "SetLegalHold", "CreateSchedule", "GetSchedule", "ListSchedules", "UpdateSchedule", "DeleteSchedule", "GetRoomRetention", "SetRoomRetention",
        "VerifyFile", "DiffSnapshots",
    ];

    // Expected status per identity (rows) and action (columns, in the order of Actions), written out by hand. Schedules
    // are managed with the create right and read with view; a legal hold and the room's retention policy need delete.
    private static readonly Dictionary<string, string[]> Expected = new()
    {
        ["owner"] = ["OK", "OK", "OK", "OK", "OK", "PermissionDenied", "PermissionDenied", "PermissionDenied", "OK", "OK", "OK", "OK", "OK", "OK", "PermissionDenied", "OK", "OK"],
        ["broker"] = ["OK", "OK", "OK", "OK", "OK", "PermissionDenied", "PermissionDenied", "PermissionDenied", "OK", "OK", "OK", "OK", "OK", "OK", "PermissionDenied", "OK", "OK"],
        ["charterer"] = ["OK", "OK", "OK", "OK", "OK", "PermissionDenied", "PermissionDenied", "PermissionDenied", "OK", "OK", "OK", "OK", "OK", "OK", "PermissionDenied", "OK", "OK"],
        ["seller"] = ["OK", "OK", "OK", "OK", "PermissionDenied", "PermissionDenied", "PermissionDenied", "PermissionDenied", "PermissionDenied", "OK", "OK", "PermissionDenied", "PermissionDenied", "OK", "PermissionDenied", "OK", "OK"],
        ["buyer"] = ["OK", "OK", "OK", "OK", "PermissionDenied", "PermissionDenied", "PermissionDenied", "PermissionDenied", "PermissionDenied", "OK", "OK", "PermissionDenied", "PermissionDenied", "OK", "PermissionDenied", "OK", "OK"],
        ["admin"] = ["OK", "OK", "OK", "OK", "OK", "OK", "OK", "OK", "OK", "OK", "OK", "OK", "OK", "OK", "OK", "OK", "OK"],
        ["non-member"] = ["NotFound", "NotFound", "NotFound", "NotFound", "NotFound", "NotFound", "NotFound", "NotFound", "NotFound", "NotFound", "NotFound", "NotFound", "NotFound", "NotFound", "NotFound", "NotFound", "NotFound"],
        ["platform-admin"] = ["OK", "OK", "OK", "OK", "OK", "OK", "OK", "OK", "OK", "OK", "OK", "OK", "OK", "OK", "OK", "OK", "OK"],
    };

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var identity in Identities)
            foreach (var action in Actions)
                data.Add(identity, action);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Caller_gets_the_status_the_matrix_promises(string identity, string action)
    {
        var room = TestRooms.WithEveryRole();
        await api.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });
        var snapshot = (await api.Admin.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = room.Id, Title = "t", Type = SnapshotType.Pdf })).Snapshot;
        // Deletion is only allowed once a snapshot is terminal; make this one so, so that only permissions decide.
        // A file hash of its own, as a completed snapshot has, for VerifyFile to find.
        await api.ExecuteAsync("UPDATE snapshots SET status = 'failed', sha256 = @p1 WHERE id = @p0", Guid.Parse(snapshot.Id), FileHash(room.Id));
        var schedule = (await api.Admin.Schedules.CreateScheduleAsync(new CreateScheduleRequest { Schedule = HourlySchedule(room.Id) })).Schedule;
        var client = identity switch
        {
            "non-member" => api.As($"outsider@{room.Id}.test"),
            "platform-admin" => api.Admin,
            _ => api.As(TestRooms.Email(room.Id, Enum.Parse<PartyRole>(identity, ignoreCase: true))),
        };
        var auditBefore = await api.ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE room_id = @p0", room.Id);

        var status = await StatusOfAsync(Send(client, action, room.Id, snapshot, schedule.Id));

        var expected = Enum.Parse<StatusCode>(Expected[identity][Array.IndexOf(Actions, action)]);
        Assert.Equal(expected, status);
        // Allowed or denied, the call left exactly one audit record.
        Assert.Equal(auditBefore + 1, await api.ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE room_id = @p0", room.Id));
    }

    [Fact]
    public async Task Outsider_cannot_tell_an_existing_room_from_a_missing_one()
    {
        var room = TestRooms.WithEveryRole();
        await api.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });
        var outsider = api.As("outsider@example.com");
        var missingId = TestRooms.UniqueId();

        var existing = await Assert.ThrowsAsync<RpcException>(() => outsider.Rooms.GetRoomAsync(new GetRoomRequest { RoomId = room.Id }).ResponseAsync);
        var missing = await Assert.ThrowsAsync<RpcException>(() => outsider.Rooms.GetRoomAsync(new GetRoomRequest { RoomId = missingId }).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, existing.StatusCode);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        Assert.Equal(existing.Status.Detail.Replace(room.Id, "ID", StringComparison.Ordinal), missing.Status.Detail.Replace(missingId, "ID", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Party_of_one_room_cannot_reach_another_rooms_snapshot()
    {
        var (mine, theirs) = await TwoRoomsAsync();
        var snapshot = (await api.Admin.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = theirs.Id, Title = "t", Type = SnapshotType.Json })).Snapshot;
        var myAdmin = api.As(TestRooms.Email(mine.Id, PartyRole.Admin));

        var ex = await Assert.ThrowsAsync<RpcException>(() => myAdmin.Snapshots.GetSnapshotAsync(new GetSnapshotRequest { SnapshotId = snapshot.Id }).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
        Assert.DoesNotContain(theirs.Id, ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Party_of_one_room_cannot_reach_or_schedule_another_room()
    {
        var (mine, theirs) = await TwoRoomsAsync();
        var schedule = (await api.Admin.Schedules.CreateScheduleAsync(new CreateScheduleRequest { Schedule = HourlySchedule(theirs.Id) })).Schedule;
        var myOwner = api.As(TestRooms.Email(mine.Id, PartyRole.Owner));

        var read = await Assert.ThrowsAsync<RpcException>(() => myOwner.Schedules.GetScheduleAsync(new GetScheduleRequest { ScheduleId = schedule.Id }).ResponseAsync);
        var create = await Assert.ThrowsAsync<RpcException>(() => myOwner.Schedules.CreateScheduleAsync(new CreateScheduleRequest { Schedule = HourlySchedule(theirs.Id) }).ResponseAsync);
        var missing = await Assert.ThrowsAsync<RpcException>(() => api.Admin.Schedules.CreateScheduleAsync(new CreateScheduleRequest { Schedule = HourlySchedule(TestRooms.UniqueId()) }).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, read.StatusCode);
        Assert.DoesNotContain(theirs.Id, read.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.NotFound, create.StatusCode);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        Assert.Equal(1, await api.ScalarAsync<long>("SELECT count(*) FROM schedules WHERE room_id = @p0", theirs.Id));
    }

    private static Func<Task> Send(ApiClient client, string action, string roomId, Snapshot snapshot, string scheduleId) => action switch
    {
        "GetRoom" => () => client.Rooms.GetRoomAsync(new GetRoomRequest { RoomId = roomId }).ResponseAsync,
        "GetSnapshot" => () => client.Snapshots.GetSnapshotAsync(new GetSnapshotRequest { SnapshotId = snapshot.Id }).ResponseAsync,
        "GetTask" => () => client.Snapshots.GetTaskAsync(new GetTaskRequest { TaskId = snapshot.TaskId }).ResponseAsync,
        "ListSnapshots" => () => client.Snapshots.ListSnapshotsAsync(new ListSnapshotsRequest { RoomId = roomId }).ResponseAsync,
        "CreateSnapshot" => () => client.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = roomId, Title = "by test", Type = SnapshotType.Csv }).ResponseAsync,
        "DeleteSnapshot" => () => client.Snapshots.DeleteSnapshotAsync(new DeleteSnapshotRequest { SnapshotId = snapshot.Id }).ResponseAsync,
        "ListAuditEvents" => () => client.Audit.ListAuditEventsAsync(new ListAuditEventsRequest { RoomId = roomId }).ResponseAsync,
        "SetLegalHold" => () => client.Snapshots.SetLegalHoldAsync(new SetLegalHoldRequest { SnapshotId = snapshot.Id, Hold = true, Reason = "Matrix test" }).ResponseAsync,
        "CreateSchedule" => () => client.Schedules.CreateScheduleAsync(new CreateScheduleRequest { Schedule = HourlySchedule(roomId) }).ResponseAsync,
        "GetSchedule" => () => client.Schedules.GetScheduleAsync(new GetScheduleRequest { ScheduleId = scheduleId }).ResponseAsync,
        "ListSchedules" => () => client.Schedules.ListSchedulesAsync(new ListSchedulesRequest { RoomId = roomId }).ResponseAsync,
        "UpdateSchedule" => () => client.Schedules.UpdateScheduleAsync(new UpdateScheduleRequest
        {
            Schedule = new Schedule { Id = scheduleId, Paused = true },
            UpdateMask = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { "paused" } },
        }).ResponseAsync,
        "DeleteSchedule" => () => client.Schedules.DeleteScheduleAsync(new DeleteScheduleRequest { ScheduleId = scheduleId }).ResponseAsync,
        "GetRoomRetention" => () => client.Schedules.GetRoomRetentionAsync(new GetRoomRetentionRequest { RoomId = roomId }).ResponseAsync,
        "SetRoomRetention" => () => client.Schedules.SetRoomRetentionAsync(new SetRoomRetentionRequest
        {
            Retention = new RoomRetention { RoomId = roomId, ManualMaxAge = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromDays(30)) },
        }).ResponseAsync,
        "VerifyFile" => () => client.Snapshots.VerifyFileAsync(new VerifyFileRequest { Sha256 = FileHash(roomId) }).ResponseAsync,
        "DiffSnapshots" => () => client.Snapshots.DiffSnapshotsAsync(new DiffSnapshotsRequest { BaseSnapshotId = snapshot.Id, TargetSnapshotId = snapshot.Id }).ResponseAsync,
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };

    private async Task<(Room Mine, Room Theirs)> TwoRoomsAsync()
    {
        var mine = TestRooms.WithEveryRole();
        var theirs = TestRooms.WithEveryRole();
        await api.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = mine });
        await api.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = theirs });
        return (mine, theirs);
    }

    private static Schedule HourlySchedule(string roomId) => new()
    {
        RoomId = roomId,
        Interval = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromHours(1)),
        Type = SnapshotType.Pdf,
    };

    private static string FileHash(string roomId) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(roomId)));

    private static async Task<StatusCode> StatusOfAsync(Func<Task> call)
    {
        try
        {
            await call();
            return StatusCode.OK;
        }
        catch (RpcException ex)
        {
            return ex.StatusCode;
        }
    }
}
