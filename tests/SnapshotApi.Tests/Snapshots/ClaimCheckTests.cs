using System.IO.Compression;
using System.Text;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Sts.Api.V1;
using Sts.Shared.Rooms;
using Sts.SnapshotApi.Snapshots;
using Sts.SnapshotApi.Tests.Infrastructure;

namespace Sts.SnapshotApi.Tests.Snapshots;

/// <summary>Large frozen room states are written once to storage and travel by key (issue 9).</summary>
[Collection(PipelineCollection.Name)]
public sealed class ClaimCheckTests(PipelineFixture cluster)
{
    [Fact]
    public async Task A_large_room_is_frozen_to_storage_and_its_message_carries_only_the_key()
    {
        var room = await LargeRoomAsync();
        var created = (await cluster.Admin.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = room.Id, Title = "claim check", Type = SnapshotType.Json })).Snapshot;
        var id = Guid.Parse(created.Id);

        var stateKey = await cluster.ScalarAsync<string>("SELECT state_key FROM snapshots WHERE id = @p0", id);
        Assert.Equal($"states/{room.Id}/{id:D}.json.gz", stateKey);
        Assert.Null(await cluster.ScalarAsync<string>("SELECT room_state FROM snapshots WHERE id = @p0", id));
        var payloadBytes = await cluster.ScalarAsync<int>("SELECT octet_length(payload) FROM outbox WHERE snapshot_id = @p0", id);
        Assert.InRange(payloadBytes, 1, 2048);

        var state = await ReadStateAsync(stateKey!);
        Assert.Equal(created.ContentHash, SnapshotWaiting.Sha256(state));
        Assert.Equal(state.Length, await cluster.ScalarAsync<long>("SELECT state_bytes FROM snapshots WHERE id = @p0", id));
        var room2 = RoomState.Parse(Encoding.UTF8.GetString(state));
        Assert.Equal(room.Activities.Count, room2.Activities.Count);

        // The JSON file's "room" is the frozen state byte for byte.
        var final = (await cluster.Admin.WatchToEndAsync(created.Id))[^1];
        Assert.Equal(SnapshotStatus.Completed, final.Status);
        var (_, file) = await cluster.Admin.DownloadAsync(created.Id);
        Assert.Contains(Encoding.UTF8.GetString(state), Encoding.UTF8.GetString(file), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_state_written_for_a_snapshot_that_does_not_commit_is_removed()
    {
        var room = await LargeRoomAsync();
        // The database refuses the snapshot row as a full disk would (class 53: UNAVAILABLE), after the state was written.
        await cluster.ExecuteAsync("""
            CREATE OR REPLACE FUNCTION refuse_full_disk() RETURNS trigger LANGUAGE plpgsql AS
            $$ BEGIN IF NEW.title = 'disk full' THEN RAISE EXCEPTION 'could not extend file' USING ERRCODE = '53100'; END IF; RETURN NEW; END $$;
            CREATE TRIGGER refuse_full_disk BEFORE INSERT ON snapshots FOR EACH ROW EXECUTE FUNCTION refuse_full_disk();
            """);
        try
        {
            var failure = await Assert.ThrowsAsync<RpcException>(() => cluster.Admin.Snapshots.CreateSnapshotAsync(
                new CreateSnapshotRequest { RoomId = room.Id, Title = "disk full", Type = SnapshotType.Csv }).ResponseAsync);
            Assert.Equal(StatusCode.Unavailable, failure.StatusCode);
        }
        finally
        {
            await cluster.ExecuteAsync("DROP TRIGGER refuse_full_disk ON snapshots; DROP FUNCTION refuse_full_disk();");
        }
        Assert.Empty(StatesOf(room.Id));
        Assert.Equal(0L, await cluster.ScalarAsync<long>("SELECT count(*) FROM snapshots WHERE room_id = @p0", room.Id));
    }

    [Fact]
    public async Task A_missing_or_altered_state_fails_its_snapshot_with_the_reason()
    {
        var room = await LargeRoomAsync();
        await cluster.StopAsync(cluster.Worker);
        Snapshot missing, altered;
        try
        {
            missing = await CreateAsync(room.Id, "missing state");
            altered = await CreateAsync(room.Id, "altered state");
            File.Delete(PathOf(missing));
            var state = await ReadStateAsync(KeyOf(altered));
            state[state.Length / 2] ^= 0x20; // still valid gzip, no longer the frozen room
            await WriteStateAsync(PathOf(altered), state);
        }
        finally
        {
            await cluster.RestartWorkerAsync();
        }

        var missingEnd = (await cluster.Admin.WatchToEndAsync(missing.Id))[^1];
        Assert.Equal(SnapshotStatus.Failed, missingEnd.Status);
        Assert.Contains("missing from storage", missingEnd.Error, StringComparison.Ordinal);
        var alteredEnd = (await cluster.Admin.WatchToEndAsync(altered.Id))[^1];
        Assert.Equal(SnapshotStatus.Failed, alteredEnd.Status);
        Assert.Matches("does not match its content hash|cannot be read", alteredEnd.Error);
    }

    [Fact]
    public async Task Housekeeping_removes_only_unclaimed_states_past_the_grace_period()
    {
        var room = await LargeRoomAsync();
        var claimed = await CreateAsync(room.Id, "claimed");
        var old = DateTime.UtcNow.AddHours(-2);
        File.SetLastWriteTimeUtc(PathOf(claimed), old);
        var orphanOld = Path.Combine(cluster.StorageRoot, "states", room.Id, $"{Guid.NewGuid():D}.json.gz");
        var orphanNew = Path.Combine(cluster.StorageRoot, "states", room.Id, $"{Guid.NewGuid():D}.json.gz");
        await File.WriteAllBytesAsync(orphanOld, [1, 2, 3]);
        await File.WriteAllBytesAsync(orphanNew, [1, 2, 3]);
        File.SetLastWriteTimeUtc(orphanOld, old);

        var housekeeping = cluster.Api.Services.GetServices<IHostedService>().OfType<Housekeeping>().Single();
        var (_, _, removed) = await housekeeping.RunOnceAsync(CancellationToken.None);

        Assert.True(removed >= 1);
        Assert.False(File.Exists(orphanOld));
        Assert.True(File.Exists(orphanNew), "a state younger than the grace period may belong to a create still committing");
        Assert.True(File.Exists(PathOf(claimed)));
        File.Delete(orphanNew);
    }

    [Fact]
    public async Task Verification_checks_states_against_their_content_hash_and_reports_unclaimed_ones()
    {
        var room = await LargeRoomAsync();
        var intact = await CreateAsync(room.Id, "intact");
        var altered = await CreateAsync(room.Id, "altered");
        var state = await ReadStateAsync(KeyOf(altered));
        state[10] ^= 0x01;
        await WriteStateAsync(PathOf(altered), state);
        var orphanKey = $"states/{room.Id}/{Guid.NewGuid():D}.json.gz";
        await File.WriteAllBytesAsync(Path.Combine(cluster.StorageRoot, orphanKey), [1, 2, 3]);

        var report = await cluster.Admin.Operations.VerifyStorageAsync(new VerifyStorageRequest());

        Assert.Contains(altered.Id, report.MismatchedSnapshotIds);
        Assert.DoesNotContain(intact.Id, report.MismatchedSnapshotIds);
        Assert.Contains(orphanKey, report.OrphanFileKeys);
        File.Delete(Path.Combine(cluster.StorageRoot, orphanKey));
        await cluster.Admin.WatchToEndAsync(intact.Id);
        await cluster.Admin.WatchToEndAsync(altered.Id);
    }

    [Fact]
    public async Task Deleting_a_snapshot_removes_its_state()
    {
        var room = await LargeRoomAsync();
        var snapshot = await CreateAsync(room.Id, "to delete");
        await cluster.Admin.WatchToEndAsync(snapshot.Id);
        var path = PathOf(snapshot);
        Assert.True(File.Exists(path));

        await cluster.Admin.Snapshots.DeleteSnapshotAsync(new DeleteSnapshotRequest { SnapshotId = snapshot.Id });

        Assert.False(File.Exists(path));
    }

    /// <summary>The large sample room (about 0.9 MB of JSON), far above the 64 KiB inline limit, under an id of its own.</summary>
    private async Task<Room> LargeRoomAsync()
    {
        var room = TestRooms.Fixture("large", TestRooms.UniqueId("claim"));
        await cluster.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });
        return room;
    }

    private async Task<Snapshot> CreateAsync(string roomId, string title) =>
        (await cluster.Admin.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = roomId, Title = title, Type = SnapshotType.Csv })).Snapshot;

    private static string KeyOf(Snapshot snapshot) => $"states/{snapshot.RoomId}/{snapshot.Id}.json.gz";

    private string PathOf(Snapshot snapshot) => Path.Combine(cluster.StorageRoot, KeyOf(snapshot));

    private string[] StatesOf(string roomId)
    {
        var folder = Path.Combine(cluster.StorageRoot, "states", roomId);
        return Directory.Exists(folder) ? Directory.GetFiles(folder) : [];
    }

    private async Task<byte[]> ReadStateAsync(string key)
    {
        await using var file = File.OpenRead(Path.Combine(cluster.StorageRoot, key));
        await using var gunzip = new GZipStream(file, CompressionMode.Decompress);
        using var state = new MemoryStream();
        await gunzip.CopyToAsync(state);
        return state.ToArray();
    }

    private static async Task WriteStateAsync(string path, byte[] state)
    {
        await using var file = File.Create(path);
        await using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        await gzip.WriteAsync(state);
    }
}
