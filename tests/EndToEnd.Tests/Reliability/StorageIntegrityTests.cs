using Sts.Api.V1;

namespace Sts.EndToEnd.Tests.Reliability;

/// <summary>Verification and deletion of stored files, on every kind of store (the subclasses below pick one).</summary>
public abstract class StorageIntegrityTests(PipelineFixture cluster)
{
    [Fact]
    public async Task Verification_finds_altered_files_missing_files_and_orphans()
    {
        var room = TestRooms.WithEveryRole();
        await cluster.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });
        var altered = await CompletedAsync(room.Id, "altered");
        var missing = await CompletedAsync(room.Id, "missing");
        var intact = await CompletedAsync(room.Id, "intact");
        await cluster.Store.AlterAsync(KeyOf(altered), bytes => bytes[0] ^= 0x01);
        Assert.True(await cluster.Store.DeleteAsync(KeyOf(missing), CancellationToken.None));
        var orphanKey = $"rooms/{room.Id}/{Guid.NewGuid():D}.csv";
        await cluster.Store.WriteAsync(orphanKey, "nobody's file"u8.ToArray());

        var report = await cluster.Admin.Operations.VerifyStorageAsync(new VerifyStorageRequest());

        Assert.False(report.Healthy);
        Assert.Contains(altered.Id, report.MismatchedSnapshotIds);
        Assert.DoesNotContain(intact.Id, report.MismatchedSnapshotIds);
        Assert.Contains(report.MissingFileKeys, k => k.Contains(missing.Id, StringComparison.Ordinal));
        Assert.Contains(orphanKey, report.OrphanFileKeys);
        Assert.True(report.FilesChecked >= 3);
        await cluster.Store.DeleteAsync(orphanKey, CancellationToken.None);
    }

    [Fact]
    public async Task Delete_removes_the_stored_file()
    {
        var room = TestRooms.WithEveryRole();
        await cluster.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });
        var snapshot = await CompletedAsync(room.Id, "to delete");
        Assert.NotNull(await cluster.Store.ReadAllAsync(KeyOf(snapshot)));

        await cluster.Admin.Snapshots.DeleteSnapshotAsync(new DeleteSnapshotRequest { SnapshotId = snapshot.Id });

        Assert.Null(await cluster.Store.ReadAllAsync(KeyOf(snapshot)));
    }

    private async Task<Snapshot> CompletedAsync(string roomId, string title)
    {
        var created = (await cluster.Admin.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = roomId, Title = title, Type = SnapshotType.Csv })).Snapshot;
        var final = (await cluster.Admin.WatchToEndAsync(created.Id))[^1];
        Assert.Equal(SnapshotStatus.Completed, final.Status);
        return final;
    }

    private static string KeyOf(Snapshot snapshot) => $"rooms/{snapshot.RoomId}/{snapshot.Id}.csv";
}

[Collection(PipelineCollection.Name)]
public sealed class StorageIntegrityOnFileSystemTests(PipelineFixture cluster) : StorageIntegrityTests(cluster);

[Collection(S3PipelineCollection.Name)]
public sealed class StorageIntegrityOnS3Tests(S3PipelineFixture cluster) : StorageIntegrityTests(cluster);
