using Microsoft.Extensions.DependencyInjection;
using Sts.Api.V1;
using Sts.Shared.Messaging;
using Sts.SnapshotApi.Snapshots;

namespace Sts.SnapshotApi.Tests.Snapshots;

/// <summary>Worker events applied against the real database, with no worker running: duplicates and stale events change nothing.</summary>
[Collection(ApiCollection.Name)]
public sealed class EventApplicationTests(ApiFixture api)
{
    private static readonly DateTimeOffset At = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Progress_never_goes_backwards_and_repeats_change_nothing()
    {
        var (transitions, id) = await NewSnapshotAsync();

        Assert.True(await transitions.ApplyProgressAsync(Progress(id, RenderStage.Rendered), default));
        Assert.False(await transitions.ApplyProgressAsync(Progress(id, RenderStage.Rendering), default));
        Assert.False(await transitions.ApplyProgressAsync(Progress(id, RenderStage.Rendered), default));

        var snapshot = await GetAsync(id);
        Assert.Equal(SnapshotStatus.Running, snapshot.Status);
        Assert.Equal(60, snapshot.Progress);
    }

    [Fact]
    public async Task The_first_terminal_event_wins()
    {
        var (transitions, id) = await NewSnapshotAsync();
        var completed = new SnapshotCompleted
        {
            SnapshotId = id, FileKey = $"rooms/r/{id:D}.pdf", SizeBytes = 10, Sha256 = new string('a', 64), RenderMillis = 5, Cached = false, At = At, WorkerId = "w",
        };

        Assert.True(await transitions.ApplyCompletionAsync(completed, default));
        Assert.False(await transitions.ApplyCompletionAsync(completed, default));
        Assert.False(await transitions.ApplyFailureAsync(id, "late failure", At, "test", default));
        Assert.False(await transitions.ApplyProgressAsync(Progress(id, RenderStage.Stored), default));

        var snapshot = await GetAsync(id);
        Assert.Equal(SnapshotStatus.Completed, snapshot.Status);
        Assert.Equal(100, snapshot.Progress);
        Assert.Empty(snapshot.Error);
        Assert.Equal(1, await api.ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE snapshot_id = @p0 AND action = 'SnapshotCompleted'", id));
    }

    private async Task<(SnapshotTransitions, Guid)> NewSnapshotAsync()
    {
        var room = TestRooms.WithEveryRole();
        await api.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });
        var created = (await api.Admin.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = room.Id, Title = "t", Type = SnapshotType.Pdf })).Snapshot;
        return (api.Services.GetRequiredService<SnapshotTransitions>(), Guid.Parse(created.Id));
    }

    private async Task<Snapshot> GetAsync(Guid id) =>
        (await api.Admin.Snapshots.GetSnapshotAsync(new GetSnapshotRequest { SnapshotId = id.ToString() })).Snapshot;

    private static SnapshotProgressed Progress(Guid id, RenderStage stage) => new()
    {
        SnapshotId = id, Sequence = (long)stage, Stage = stage, Percent = RenderStages.Percent(stage), At = At, WorkerId = "w",
    };
}
