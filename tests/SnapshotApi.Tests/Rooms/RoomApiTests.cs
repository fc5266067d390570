using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Sts.Api.V1;
using Sts.Shared.Rooms;

namespace Sts.SnapshotApi.Tests.Rooms;

[Collection(ApiCollection.Name)]
public sealed class RoomApiTests(ApiFixture api)
{
    [Theory]
    [InlineData("small")]
    [InlineData("medium")]
    [InlineData("large")]
    public async Task Sample_room_round_trips_through_upsert_and_get(string fixture)
    {
        var room = TestRooms.Fixture(fixture, TestRooms.UniqueId(fixture));
        var summary = (await api.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room })).Room;

        Assert.Equal(room.Documents.Count, summary.DocumentCount);
        Assert.Equal(room.Activities.Count, summary.ActivityCount);
        var stored = (await api.Admin.Rooms.GetRoomAsync(new GetRoomRequest { RoomId = room.Id })).Room;
        Assert.Equal(1, stored.Version);
        stored.Version = 0;
        stored.UpdateTime = null;
        Assert.Equal(room, stored);
    }

    [Fact]
    public async Task Room_of_2000_documents_and_20000_activity_entries_fits()
    {
        var room = TestRooms.WithEveryRole();
        var template = room.Documents[0];
        room.Documents.Clear();
        for (var i = 0; i < 2000; i++)
        {
            var doc = template.Clone();
            doc.Id = $"doc-{i:D5}";
            doc.Notes = "Checked against original; see remarks. " + new string('x', 60);
            room.Documents.Add(doc);
        }
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        room.Activities.Clear();
        for (var i = 0; i < 20_000; i++)
            room.Activities.Add(new Activity { At = Timestamp.FromDateTimeOffset(start.AddMinutes(i)), Actor = "broker@example.com", Action = "message.posted", Detail = $"Message number {i} about the fenders and hoses" });

        var summary = (await api.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room })).Room;
        Assert.Equal(2000, summary.DocumentCount);
        Assert.Equal(20_000, summary.ActivityCount);

        var stored = (await api.Admin.Rooms.GetRoomAsync(new GetRoomRequest { RoomId = room.Id })).Room;
        Assert.Equal(20_000, stored.Activities.Count);
        Assert.Equal(room.Activities[19_999], stored.Activities[19_999]);
    }

    [Fact]
    public async Task Upsert_replaces_content_and_bumps_the_version()
    {
        var room = TestRooms.WithEveryRole();
        await api.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });
        room.Title = "Renamed";
        room.Documents.Clear();
        var summary = (await api.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room })).Room;

        Assert.Equal(2, summary.Version);
        var stored = (await api.Admin.Rooms.GetRoomAsync(new GetRoomRequest { RoomId = room.Id })).Room;
        Assert.Equal("Renamed", stored.Title);
        Assert.Empty(stored.Documents);
    }

    [Fact]
    public async Task Append_activity_continues_the_log()
    {
        var room = TestRooms.WithEveryRole();
        await api.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });
        var entry = new Activity { At = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch.AddYears(56)), Actor = "buyer@example.com", Action = "message.posted", Detail = "Ready" };

        var summary = (await api.Platform.Rooms.AppendActivityAsync(new AppendActivityRequest { RoomId = room.Id, Activities = { entry, entry } })).Room;

        Assert.Equal(3, summary.ActivityCount);
        Assert.Equal(2, summary.Version);
        var stored = (await api.Admin.Rooms.GetRoomAsync(new GetRoomRequest { RoomId = room.Id })).Room;
        Assert.Equal(entry, stored.Activities[2]);
    }

    [Fact]
    public async Task Append_to_unknown_room_is_not_found()
    {
        var entry = new Activity { At = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch), Action = "message.posted" };
        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            api.Platform.Rooms.AppendActivityAsync(new AppendActivityRequest { RoomId = TestRooms.UniqueId(), Activities = { entry } }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
    }

    [Fact]
    public async Task Writing_rooms_needs_the_rooms_write_scope()
    {
        var room = TestRooms.WithEveryRole();
        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            api.Admin.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
    }

    [Fact]
    public async Task A_room_at_every_limit_round_trips_and_one_past_the_size_limit_is_refused()
    {
        var room = Sts.Bench.Load.LimitRoom.Build(TestRooms.UniqueId("limit"), 1.0);
        Assert.InRange(room.CalculateSize(), RoomLimits.Bytes - 64 * 1024, RoomLimits.Bytes);
        var deadline = DateTime.UtcNow.AddMinutes(2);
        var summary = (await api.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room }, deadline: deadline)).Room;
        Assert.Equal(RoomLimits.Activities, summary.ActivityCount);
        var stored = (await api.Admin.Rooms.GetRoomAsync(new GetRoomRequest { RoomId = room.Id }, deadline: deadline)).Room;
        Assert.Equal(room.Documents, stored.Documents);

        // Past 15 MiB but well inside the 16 MiB message: refused by the room's own limit, with the field named.
        room.Documents[1].Notes = new string('n', RoomLimits.LongText);
        room.Activities[1].Detail = new string('d', RoomLimits.LongText);
        room.Activities[2].Detail = new string('d', RoomLimits.LongText);
        room.Activities[3].Detail = new string('d', RoomLimits.LongText);
        room.Activities[4].Detail = new string('d', RoomLimits.LongText);
        room.Activities[5].Detail = new string('d', RoomLimits.LongText);
        room.Activities[6].Detail = new string('d', RoomLimits.LongText);
        Assert.InRange(room.CalculateSize(), RoomLimits.Bytes + 1, 16 * 1024 * 1024 - 1024);
        var refused = await Assert.ThrowsAsync<RpcException>(() => api.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room }, deadline: deadline).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        var violations = refused.GetRpcStatus()?.GetDetail<Google.Rpc.BadRequest>()?.FieldViolations;
        Assert.NotNull(violations);
        Assert.Contains(violations, v => v.Field == "room" && v.Description.Contains("15 MiB", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Appending_past_the_room_size_limit_is_refused_and_changes_nothing()
    {
        var room = TestRooms.WithEveryRole();
        await api.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });
        var entry = new Activity { At = room.Activities[0].At, Action = "message.posted", Detail = new string('x', RoomLimits.LongText) };
        // As if the room had grown to just under the limit.
        await api.ExecuteAsync("UPDATE rooms SET content_bytes = @p0 WHERE id = @p1", (long)RoomLimits.Bytes - 100, room.Id);

        var refused = await Assert.ThrowsAsync<RpcException>(() => api.Platform.Rooms.AppendActivityAsync(
            new AppendActivityRequest { RoomId = room.Id, Activities = { entry } }).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Contains("limit of 15728640 bytes", refused.Status.Detail, StringComparison.Ordinal);
        var stored = (await api.Admin.Rooms.GetRoomAsync(new GetRoomRequest { RoomId = room.Id })).Room;
        Assert.Equal(1, stored.Version);
        Assert.Single(stored.Activities);
    }

    [Fact]
    public async Task A_room_stored_before_sizes_were_kept_learns_its_size_on_its_first_append()
    {
        var room = TestRooms.WithEveryRole();
        await api.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });
        await api.ExecuteAsync("UPDATE rooms SET content_bytes = NULL WHERE id = @p0", room.Id);
        var entry = new Activity { At = room.Activities[0].At, Action = "message.posted", Detail = "hello" };

        await api.Platform.Rooms.AppendActivityAsync(new AppendActivityRequest { RoomId = room.Id, Activities = { entry } });

        var stored = (await api.Admin.Rooms.GetRoomAsync(new GetRoomRequest { RoomId = room.Id })).Room;
        stored.Version = 0;
        stored.UpdateTime = null;
        Assert.Equal(stored.CalculateSize(), await api.ScalarAsync<long>("SELECT content_bytes FROM rooms WHERE id = @p0", room.Id));
    }
}
