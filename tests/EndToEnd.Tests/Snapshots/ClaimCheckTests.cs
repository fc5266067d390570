using System.IO.Compression;
using System.Text;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sts.Api.V1;
using Sts.Shared.Rooms;
using Sts.SnapshotApi.Data;
using Sts.SnapshotApi.Snapshots;
using Sts.SnapshotApi.Telemetry;

namespace Sts.EndToEnd.Tests.Snapshots;

/// <summary>Large frozen room states are written once to storage and travel by key (issue 9), on every kind of store.</summary>
public abstract class ClaimCheckTests(PipelineFixture cluster)
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
        Assert.Empty(await cluster.Store.KeysAsync($"states/{room.Id}/"));
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
            Assert.True(await cluster.Store.DeleteAsync(KeyOf(missing), CancellationToken.None));
            var state = await ReadStateAsync(KeyOf(altered));
            state[state.Length / 2] ^= 0x20; // still valid gzip, no longer the frozen room
            await WriteStateAsync(KeyOf(altered), state);
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
        var orphan = $"states/{room.Id}/{Guid.NewGuid():D}.json.gz";
        await cluster.Store.WriteAsync(orphan, [1, 2, 3]);

        // Now: the orphan is younger than the grace period and may belong to a create still committing.
        var (_, _, removedNow) = await HousekeepingAt(TimeSpan.Zero).RunOnceAsync(CancellationToken.None);
        Assert.NotNull(await cluster.Store.ReadAllAsync(orphan));

        // Two hours on (the grace is one): the orphan goes, the claimed state stays. Stores cannot backdate an object,
        // so the housekeeping's clock moves instead.
        var (_, _, removedLater) = await HousekeepingAt(TimeSpan.FromHours(2)).RunOnceAsync(CancellationToken.None);
        Assert.True(removedLater >= 1, $"removed {removedNow} now, {removedLater} two hours on");
        Assert.Null(await cluster.Store.ReadAllAsync(orphan));
        Assert.NotNull(await cluster.Store.ReadAllAsync(KeyOf(claimed)));
    }

    [Fact]
    public async Task Verification_checks_states_against_their_content_hash_and_reports_unclaimed_ones()
    {
        var room = await LargeRoomAsync();
        var intact = await CreateAsync(room.Id, "intact");
        var altered = await CreateAsync(room.Id, "altered");
        var state = await ReadStateAsync(KeyOf(altered));
        state[10] ^= 0x01;
        await WriteStateAsync(KeyOf(altered), state);
        var orphanKey = $"states/{room.Id}/{Guid.NewGuid():D}.json.gz";
        await cluster.Store.WriteAsync(orphanKey, [1, 2, 3]);

        var report = await cluster.Admin.Operations.VerifyStorageAsync(new VerifyStorageRequest());

        Assert.Contains(altered.Id, report.MismatchedSnapshotIds);
        Assert.DoesNotContain(intact.Id, report.MismatchedSnapshotIds);
        Assert.Contains(orphanKey, report.OrphanFileKeys);
        await cluster.Store.DeleteAsync(orphanKey, CancellationToken.None);
        await cluster.Admin.WatchToEndAsync(intact.Id);
        await cluster.Admin.WatchToEndAsync(altered.Id);
    }

    [Fact]
    public async Task Deleting_a_snapshot_removes_its_state()
    {
        var room = await LargeRoomAsync();
        var snapshot = await CreateAsync(room.Id, "to delete");
        await cluster.Admin.WatchToEndAsync(snapshot.Id);
        Assert.NotNull(await cluster.Store.ReadAllAsync(KeyOf(snapshot)));

        await cluster.Admin.Snapshots.DeleteSnapshotAsync(new DeleteSnapshotRequest { SnapshotId = snapshot.Id });

        Assert.Null(await cluster.Store.ReadAllAsync(KeyOf(snapshot)));
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

    /// <summary>The API's housekeeping, with a clock <paramref name="ahead"/> of the real one.</summary>
    private Housekeeping HousekeepingAt(TimeSpan ahead)
    {
        var services = cluster.Services;
        return new Housekeeping(services.GetRequiredService<IDbContextFactory<StsDbContext>>(), cluster.Store, services.GetRequiredService<IOptions<TaskOptions>>(),
            services.GetRequiredService<IOptions<RoomStateOptions>>(), new ShiftedClock(ahead), services.GetRequiredService<ApiMetrics>(),
            services.GetRequiredService<ILogger<Housekeeping>>());
    }

    private async Task<byte[]> ReadStateAsync(string key)
    {
        var stored = await cluster.Store.ReadAllAsync(key) ?? throw new InvalidOperationException($"No state {key}.");
        await using var gunzip = new GZipStream(new MemoryStream(stored), CompressionMode.Decompress);
        using var state = new MemoryStream();
        await gunzip.CopyToAsync(state);
        return state.ToArray();
    }

    private async Task WriteStateAsync(string key, byte[] state)
    {
        using var gzipped = new MemoryStream();
        await using (var gzip = new GZipStream(gzipped, CompressionLevel.Fastest, leaveOpen: true))
            await gzip.WriteAsync(state);
        await cluster.Store.WriteAsync(key, gzipped.ToArray());
    }

    private sealed class ShiftedClock(TimeSpan ahead) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + ahead;
    }
}

[Collection(PipelineCollection.Name)]
public sealed class ClaimCheckOnFileSystemTests(PipelineFixture cluster) : ClaimCheckTests(cluster);

[Collection(S3PipelineCollection.Name)]
public sealed class ClaimCheckOnS3Tests(S3PipelineFixture cluster) : ClaimCheckTests(cluster);
