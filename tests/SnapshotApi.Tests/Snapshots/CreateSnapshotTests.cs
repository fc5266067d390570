using System.Text.Json;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Sts.Api.V1;
using Sts.Shared.Messaging;
using Sts.Shared.Rooms;

namespace Sts.SnapshotApi.Tests.Snapshots;

[Collection(ApiCollection.Name)]
public sealed class CreateSnapshotTests(ApiFixture api)
{
    [Fact]
    public async Task Create_commits_snapshot_task_outbox_message_and_audit_record_together()
    {
        var room = await UpsertAsync(TestRooms.Fixture("small", TestRooms.UniqueId("small")));
        var owner = api.As("owner0@example.com");

        var snapshot = (await owner.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = room.Id, Title = "Pre-transfer record", Type = SnapshotType.Pdf })).Snapshot;

        Assert.Equal(SnapshotStatus.Queued, snapshot.Status);
        Assert.Equal("owner0@example.com", snapshot.CreatedBy);
        Assert.True(snapshot.Options.IncludeDocuments && snapshot.Options.IncludeActivity && snapshot.Options.IncludeApprovals);
        var id = Guid.Parse(snapshot.Id);
        await using var db = api.CreateDbContext();
        var task = await db.Tasks.SingleAsync(t => t.SnapshotId == id);
        Assert.Equal(Guid.Parse(snapshot.TaskId), task.Id);
        Assert.Equal(SnapshotTaskStatus.Pending, task.Status);

        var outbox = await db.Outbox.Where(o => o.Payload.Contains(snapshot.Id)).ToListAsync();
        var message = JsonSerializer.Deserialize<GenerateSnapshot>(Assert.Single(outbox).Payload)!;
        Assert.Equal(nameof(GenerateSnapshot), outbox[0].MessageType);
        Assert.Equal(id, message.SnapshotId);
        Assert.Equal("pdf", message.Format);
        Assert.Null(message.RoomStateKey); // a small room travels inline
        Assert.Equal(snapshot.ContentHash, RoomState.Sha256Hex(Assert.IsType<string>(message.RoomState)));

        var audit = await db.AuditLog.Where(a => a.SnapshotId == id).ToListAsync();
        Assert.Equal("SnapshotService.CreateSnapshot", Assert.Single(audit).Action);
        Assert.Equal("ok", audit[0].Outcome);
    }

    [Fact]
    public async Task Frozen_state_is_the_room_at_creation_and_later_changes_do_not_touch_it()
    {
        var room = await UpsertAsync(TestRooms.WithEveryRole());
        var first = await CreateAsync(room.Id);

        room.Title = "Changed after the snapshot";
        await api.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });
        var second = await CreateAsync(room.Id);

        await using var db = api.CreateDbContext();
        var state = Assert.IsType<string>((await db.SnapshotStates.SingleAsync(s => s.Id == Guid.Parse(first.Id))).RoomState);
        var frozen = RoomState.Parse(state);
        Assert.Equal($"STS Transfer {room.Id}", frozen.Title);
        Assert.Equal(1, frozen.Version);
        Assert.Equal(first.ContentHash, RoomState.Sha256Hex(state));
        Assert.NotEqual(first.ContentHash, second.ContentHash);
        Assert.Equal(2, second.RoomVersion);
    }

    [Fact]
    public async Task Same_room_content_gives_the_same_content_hash()
    {
        var room = await UpsertAsync(TestRooms.WithEveryRole());
        var a = await CreateAsync(room.Id);
        var b = await CreateAsync(room.Id, SnapshotType.Json);
        Assert.Equal(a.ContentHash, b.ContentHash);
        Assert.Matches("^[0-9a-f]{64}$", a.ContentHash);
    }

    [Fact]
    public async Task Repeating_a_request_id_returns_the_first_snapshot_and_creates_no_second()
    {
        var room = await UpsertAsync(TestRooms.WithEveryRole());
        var requestId = Guid.NewGuid().ToString();
        var request = new CreateSnapshotRequest { RoomId = room.Id, Title = "idempotent", Type = SnapshotType.Pdf, RequestId = requestId };

        var first = (await api.Admin.Snapshots.CreateSnapshotAsync(request)).Snapshot;
        var again = (await api.Admin.Snapshots.CreateSnapshotAsync(request)).Snapshot;

        Assert.Equal(first, again);
        Assert.Equal(1, await api.ScalarAsync<long>("SELECT count(*) FROM snapshots WHERE request_id = @p0", requestId));
        Assert.Equal(1, await api.ScalarAsync<long>("SELECT count(*) FROM outbox WHERE payload LIKE @p0", $"%{first.Id}%"));
    }

    [Fact]
    public async Task Concurrent_repeats_of_a_request_id_create_one_snapshot()
    {
        var room = await UpsertAsync(TestRooms.WithEveryRole());
        var request = new CreateSnapshotRequest { RoomId = room.Id, Title = "race", Type = SnapshotType.Csv, RequestId = Guid.NewGuid().ToString() };

        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(async _ => (await api.Admin.Snapshots.CreateSnapshotAsync(request)).Snapshot.Id));

        Assert.Single(results.Distinct());
        Assert.Equal(1, await api.ScalarAsync<long>("SELECT count(*) FROM snapshots WHERE request_id = @p0", request.RequestId));
    }

    [Fact]
    public async Task Reusing_a_request_id_for_a_different_request_is_rejected()
    {
        var room = await UpsertAsync(TestRooms.WithEveryRole());
        var request = new CreateSnapshotRequest { RoomId = room.Id, Title = "one", Type = SnapshotType.Pdf, RequestId = Guid.NewGuid().ToString() };
        await api.Admin.Snapshots.CreateSnapshotAsync(request);
        request.Title = "two";

        var ex = await Assert.ThrowsAsync<RpcException>(() => api.Admin.Snapshots.CreateSnapshotAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("request_id", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_ids_are_scoped_to_their_caller()
    {
        var room = await UpsertAsync(TestRooms.WithEveryRole());
        var request = new CreateSnapshotRequest { RoomId = room.Id, Title = "shared id", Type = SnapshotType.Pdf, RequestId = Guid.NewGuid().ToString() };

        var byOwner = (await api.As(TestRooms.Email(room.Id, PartyRole.Owner)).Snapshots.CreateSnapshotAsync(request)).Snapshot;
        var byBroker = (await api.As(TestRooms.Email(room.Id, PartyRole.Broker)).Snapshots.CreateSnapshotAsync(request)).Snapshot;

        Assert.NotEqual(byOwner.Id, byBroker.Id);
    }

    [Fact]
    public async Task Snapshot_of_a_missing_room_is_not_found_even_for_a_platform_admin()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            api.Admin.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = TestRooms.UniqueId(), Title = "t", Type = SnapshotType.Pdf }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
    }

    [Fact]
    public async Task Explicit_options_are_kept()
    {
        var room = await UpsertAsync(TestRooms.WithEveryRole());
        var options = new SnapshotOptions { IncludeDocuments = true, IncludeActivity = true, ActivityLimit = 100 };

        var created = (await api.Admin.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = room.Id, Title = "t", Type = SnapshotType.Pdf, Options = options })).Snapshot;
        var read = (await api.Admin.Snapshots.GetSnapshotAsync(new GetSnapshotRequest { SnapshotId = created.Id })).Snapshot;

        Assert.Equal(options, read.Options);
        Assert.Equal(created, read);
    }

    private async Task<Room> UpsertAsync(Room room)
    {
        await api.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });
        return room;
    }

    private async Task<Snapshot> CreateAsync(string roomId, SnapshotType type = SnapshotType.Pdf) =>
        (await api.Admin.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = roomId, Title = "t", Type = type })).Snapshot;
}
