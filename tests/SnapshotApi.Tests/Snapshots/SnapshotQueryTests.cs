using Grpc.Core;
using Sts.Api.V1;

namespace Sts.SnapshotApi.Tests.Snapshots;

[Collection(ApiCollection.Name)]
public sealed class SnapshotQueryTests(ApiFixture api)
{
    [Fact]
    public async Task List_pages_newest_first_until_an_empty_token()
    {
        var room = await UpsertAsync();
        var created = new List<string>();
        for (var i = 0; i < 7; i++)
            created.Add((await CreateAsync(room.Id, i % 2 == 0 ? SnapshotType.Pdf : SnapshotType.Json)).Id);

        var pages = new List<int>();
        var seen = new List<string>();
        var token = "";
        do
        {
            var page = await api.Admin.Snapshots.ListSnapshotsAsync(new ListSnapshotsRequest { RoomId = room.Id, PageSize = 3, PageToken = token });
            pages.Add(page.Snapshots.Count);
            seen.AddRange(page.Snapshots.Select(s => s.Id));
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        Assert.Equal([3, 3, 1], pages);
        Assert.Equal(Enumerable.Reverse(created), seen);
    }

    [Fact]
    public async Task List_filters_by_type_status_and_creator()
    {
        var room = await UpsertAsync();
        var owner = api.As(TestRooms.Email(room.Id, PartyRole.Owner));
        await CreateAsync(room.Id, SnapshotType.Pdf);
        await CreateAsync(room.Id, SnapshotType.Csv);
        var ownersJson = (await owner.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = room.Id, Title = "mine", Type = SnapshotType.Json })).Snapshot;
        await api.ExecuteAsync("UPDATE snapshots SET status = 'failed' WHERE id = @p0", Guid.Parse(ownersJson.Id));

        var csv = await api.Admin.Snapshots.ListSnapshotsAsync(new ListSnapshotsRequest { RoomId = room.Id, Type = SnapshotType.Csv });
        var byOwner = await api.Admin.Snapshots.ListSnapshotsAsync(new ListSnapshotsRequest { RoomId = room.Id, CreatedBy = TestRooms.Email(room.Id, PartyRole.Owner).ToUpperInvariant() });
        var failed = await api.Admin.Snapshots.ListSnapshotsAsync(new ListSnapshotsRequest { RoomId = room.Id, Status = SnapshotStatus.Failed });
        var queued = await api.Admin.Snapshots.ListSnapshotsAsync(new ListSnapshotsRequest { RoomId = room.Id, Status = SnapshotStatus.Queued });

        Assert.Equal(SnapshotType.Csv, Assert.Single(csv.Snapshots).Type);
        Assert.Equal(ownersJson.Id, Assert.Single(byOwner.Snapshots).Id);
        Assert.Equal(ownersJson.Id, Assert.Single(failed.Snapshots).Id);
        Assert.Equal(2, queued.Snapshots.Count);
    }

    [Fact]
    public async Task Oversized_page_size_is_reduced_to_the_maximum()
    {
        var room = await UpsertAsync();
        await CreateAsync(room.Id);
        var page = await api.Admin.Snapshots.ListSnapshotsAsync(new ListSnapshotsRequest { RoomId = room.Id, PageSize = 1_000_000 });
        Assert.Single(page.Snapshots);
        Assert.Empty(page.NextPageToken);
    }

    [Fact]
    public async Task Get_task_reports_a_pending_task_for_a_new_snapshot()
    {
        var room = await UpsertAsync();
        var snapshot = await CreateAsync(room.Id);

        var task = (await api.As(TestRooms.Email(room.Id, PartyRole.Buyer)).Snapshots.GetTaskAsync(new GetTaskRequest { TaskId = snapshot.TaskId })).Task;

        Assert.Equal(snapshot.Id, task.SnapshotId);
        Assert.Equal(SnapshotTaskStatus.Pending, task.Status);
        Assert.Equal(0, task.Progress);
        Assert.Null(task.Result);
        Assert.Equal(snapshot.CreateTime, task.CreateTime);
    }

    [Fact]
    public async Task Unknown_snapshot_and_task_are_not_found()
    {
        var snapshot = await Assert.ThrowsAsync<RpcException>(() => api.Admin.Snapshots.GetSnapshotAsync(new GetSnapshotRequest { SnapshotId = Guid.NewGuid().ToString() }).ResponseAsync);
        var task = await Assert.ThrowsAsync<RpcException>(() => api.Admin.Snapshots.GetTaskAsync(new GetTaskRequest { TaskId = Guid.NewGuid().ToString() }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, snapshot.StatusCode);
        Assert.Equal(StatusCode.NotFound, task.StatusCode);
    }

    [Fact]
    public async Task Delete_of_an_unfinished_snapshot_fails_precondition()
    {
        var room = await UpsertAsync();
        var snapshot = await CreateAsync(room.Id);

        var ex = await Assert.ThrowsAsync<RpcException>(() => api.Admin.Snapshots.DeleteSnapshotAsync(new DeleteSnapshotRequest { SnapshotId = snapshot.Id }).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
        Assert.Equal(1, await api.ScalarAsync<long>("SELECT count(*) FROM snapshots WHERE id = @p0", Guid.Parse(snapshot.Id)));
    }

    [Fact]
    public async Task Delete_of_a_finished_snapshot_removes_it_and_its_task()
    {
        var room = await UpsertAsync();
        var snapshot = await CreateAsync(room.Id);
        await api.ExecuteAsync("UPDATE snapshots SET status = 'failed' WHERE id = @p0", Guid.Parse(snapshot.Id));

        await api.As(TestRooms.Email(room.Id, PartyRole.Admin)).Snapshots.DeleteSnapshotAsync(new DeleteSnapshotRequest { SnapshotId = snapshot.Id });

        var ex = await Assert.ThrowsAsync<RpcException>(() => api.Admin.Snapshots.GetSnapshotAsync(new GetSnapshotRequest { SnapshotId = snapshot.Id }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
        Assert.Equal(0, await api.ScalarAsync<long>("SELECT count(*) FROM tasks WHERE id = @p0", Guid.Parse(snapshot.TaskId)));
    }

    [Fact]
    public async Task Download_of_an_unfinished_snapshot_fails_precondition()
    {
        var room = await UpsertAsync();
        var snapshot = await CreateAsync(room.Id);

        var ex = await Assert.ThrowsAsync<RpcException>(() => api.Admin.DownloadAsync(snapshot.Id));

        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
    }

    private async Task<Room> UpsertAsync()
    {
        var room = TestRooms.WithEveryRole();
        await api.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });
        return room;
    }

    private async Task<Snapshot> CreateAsync(string roomId, SnapshotType type = SnapshotType.Pdf) =>
        (await api.Admin.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = roomId, Title = "t", Type = type })).Snapshot;
}
