using Grpc.Core;
using Sts.Api.V1;

namespace Sts.EndToEnd.Tests.Storage;

/// <summary>
/// The pipeline with Storage:Kind=s3 in the API and the worker: files land in the bucket under the prefix, byte for byte
/// what the download serves, with their SHA-256 as metadata; objects altered or removed behind the services' back are
/// DATA_LOSS. (Verification, deletion and claim-checked states on S3: StorageIntegrityOnS3Tests, ClaimCheckOnS3Tests.)
/// </summary>
[Collection(S3PipelineCollection.Name)]
public sealed class S3PipelineTests(S3PipelineFixture cluster)
{
    [Theory]
    [InlineData(SnapshotType.Pdf, ".pdf")]
    [InlineData(SnapshotType.Json, ".json")]
    [InlineData(SnapshotType.Csv, ".csv")]
    public async Task Every_type_is_stored_in_the_bucket_and_downloads_byte_for_byte(SnapshotType type, string extension)
    {
        var room = TestRooms.Fixture("medium", TestRooms.UniqueId("s3"));
        await cluster.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });

        var final = await CompletedAsync(room.Id, type);

        var (held, metadata) = (await cluster.Bucket!.GetAsync($"rooms/{room.Id}/{final.Id}{extension}"))
            ?? throw new Xunit.Sdk.XunitException("the file is not in the bucket");
        Assert.Equal(final.Sha256, SnapshotWaiting.Sha256(held));
        Assert.Equal(final.Sha256, metadata);
        Assert.Equal(final.SizeBytes, held.Length);
        var (downloadMetadata, downloaded) = await cluster.Admin.DownloadAsync(final.Id);
        Assert.Equal(held, downloaded);
        Assert.Equal(final.Sha256, downloadMetadata.Sha256);
    }

    [Fact]
    public async Task An_object_altered_in_the_bucket_downloads_as_data_loss()
    {
        var final = await CompletedAsync(await RoomAsync(), SnapshotType.Json);
        var key = $"rooms/{final.RoomId}/{final.Id}.json";
        var (held, _) = (await cluster.Bucket!.GetAsync(key))!.Value;
        held[held.Length / 2] ^= 0x01;
        await cluster.Bucket.PutAsync(key, held);

        var ex = await Assert.ThrowsAsync<RpcException>(() => cluster.Admin.DownloadAsync(final.Id));

        Assert.Equal(StatusCode.DataLoss, ex.StatusCode);
        Assert.Contains("does not match the recorded SHA-256", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_object_missing_from_the_bucket_downloads_as_data_loss()
    {
        var final = await CompletedAsync(await RoomAsync(), SnapshotType.Csv);
        await cluster.Bucket!.Client.DeleteObjectAsync(cluster.Bucket.Name, $"{TestBucket.Prefix}rooms/{final.RoomId}/{final.Id}.csv");

        var ex = await Assert.ThrowsAsync<RpcException>(() => cluster.Admin.DownloadAsync(final.Id));

        Assert.Equal(StatusCode.DataLoss, ex.StatusCode);
        Assert.Contains("missing", ex.Status.Detail, StringComparison.Ordinal);
    }

    private async Task<string> RoomAsync()
    {
        var room = TestRooms.WithEveryRole();
        await cluster.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });
        return room.Id;
    }

    private async Task<Snapshot> CompletedAsync(string roomId, SnapshotType type)
    {
        var created = (await cluster.Admin.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = roomId, Title = "S3", Type = type })).Snapshot;
        var final = (await cluster.Admin.WatchToEndAsync(created.Id))[^1];
        Assert.True(final.Status == SnapshotStatus.Completed, $"{type} ended {final.Status}: {final.Error}");
        return final;
    }
}

/// <summary>
/// S3 failing under a running API: calls that need it are answered UNAVAILABLE (the one transient classification counts
/// the store's I/O errors), never INTERNAL, and nothing is half-done. The API replica reaches s3rver through a relay
/// that the test cuts.
/// </summary>
[Collection(S3PipelineCollection.Name)]
public sealed class S3OutageTests(S3PipelineFixture cluster)
{
    [Fact]
    public async Task Calls_that_need_storage_while_it_is_unreachable_are_unavailable_not_internal()
    {
        var room = TestRooms.Fixture("large", TestRooms.UniqueId("outage"));
        await cluster.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });
        var created = (await cluster.Admin.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = room.Id, Title = "before", Type = SnapshotType.Csv })).Snapshot;
        Assert.Equal(SnapshotStatus.Completed, (await cluster.Admin.WatchToEndAsync(created.Id))[^1].Status);
        await using var relay = new TcpRelay(new Uri(TestBucket.Endpoint));
        var replica = await cluster.StartApiAsync(new Dictionary<string, string?>
        {
            ["Storage:S3:ServiceUrl"] = relay.Address.ToString(), ["Storage:S3:RequestTimeout"] = "00:00:05",
        });
        try
        {
            var admin = await cluster.AdminOfAsync(replica);
            await relay.CutAsync();

            var download = await Assert.ThrowsAsync<RpcException>(() => admin.DownloadAsync(created.Id));
            var verify = await Assert.ThrowsAsync<RpcException>(() => admin.Operations.VerifyStorageAsync(new VerifyStorageRequest()).ResponseAsync);
            // A large room is claim-checked: its create must write the state to storage first.
            var create = await Assert.ThrowsAsync<RpcException>(() => admin.Snapshots.CreateSnapshotAsync(
                new CreateSnapshotRequest { RoomId = room.Id, Title = "during", Type = SnapshotType.Csv }).ResponseAsync);

            Assert.All(new[] { download, verify, create }, ex => Assert.Equal(StatusCode.Unavailable, ex.StatusCode));
            Assert.Equal(0L, await cluster.ScalarAsync<long>("SELECT count(*) FROM snapshots WHERE room_id = @p0 AND title = 'during'", room.Id));
        }
        finally
        {
            await cluster.StopAsync(replica);
        }
    }
}
