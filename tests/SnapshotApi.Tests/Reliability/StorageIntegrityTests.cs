using Sts.Api.V1;
using Sts.SnapshotApi.Tests.Infrastructure;

namespace Sts.SnapshotApi.Tests.Reliability;

[Collection(PipelineCollection.Name)]
public sealed class StorageIntegrityTests(PipelineFixture cluster)
{
    [Fact]
    public async Task Verification_finds_altered_files_missing_files_and_orphans()
    {
        var room = TestRooms.WithEveryRole();
        await cluster.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });
        var altered = await CompletedAsync(room.Id, "altered");
        var missing = await CompletedAsync(room.Id, "missing");
        var intact = await CompletedAsync(room.Id, "intact");
        var alteredPath = PathOf(altered);
        var bytes = await File.ReadAllBytesAsync(alteredPath);
        bytes[0] ^= 0x01;
        await File.WriteAllBytesAsync(alteredPath, bytes);
        File.Delete(PathOf(missing));
        var orphanKey = $"rooms/{room.Id}/{Guid.NewGuid():D}.csv";
        await File.WriteAllTextAsync(Path.Combine(cluster.StorageRoot, orphanKey), "nobody's file");

        var report = await cluster.Admin.Operations.VerifyStorageAsync(new VerifyStorageRequest());

        Assert.False(report.Healthy);
        Assert.Contains(altered.Id, report.MismatchedSnapshotIds);
        Assert.DoesNotContain(intact.Id, report.MismatchedSnapshotIds);
        Assert.Contains(report.MissingFileKeys, k => k.Contains(missing.Id, StringComparison.Ordinal));
        Assert.Contains(orphanKey, report.OrphanFileKeys);
        Assert.True(report.FilesChecked >= 3);
    }

    private async Task<Snapshot> CompletedAsync(string roomId, string title)
    {
        var created = (await cluster.Admin.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = roomId, Title = title, Type = SnapshotType.Csv })).Snapshot;
        var final = (await cluster.Admin.WatchToEndAsync(created.Id))[^1];
        Assert.Equal(SnapshotStatus.Completed, final.Status);
        return final;
    }

    private string PathOf(Snapshot snapshot) =>
        Directory.GetFiles(cluster.StorageRoot, $"{snapshot.Id}.csv", SearchOption.AllDirectories).Single();
}
