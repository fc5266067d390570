using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Sts.Api.V1;
using Sts.Shared.Messaging;

namespace Sts.EndToEnd.Tests.Reliability;

[Collection(PipelineCollection.Name)]
public sealed class DuplicateDeliveryTests(PipelineFixture cluster)
{
    [Fact]
    public async Task The_same_generate_message_delivered_twice_by_hand_has_one_effect()
    {
        var room = TestRooms.WithEveryRole();
        await cluster.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });
        var created = (await cluster.Admin.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = room.Id, Title = "twice", Type = SnapshotType.Json })).Snapshot;
        var first = (await cluster.Admin.WatchToEndAsync(created.Id))[^1];
        var payload = await cluster.ScalarAsync<string>("SELECT payload FROM outbox WHERE payload LIKE @p0", $"%{created.Id}%");
        var message = JsonSerializer.Deserialize<GenerateSnapshot>(payload!)!;
        var bus = cluster.Api.Services.GetRequiredService<IBus>();
        var worker = cluster.Worker.Services.GetRequiredService<Sts.PdfWorker.Generation.WorkerStatistics>();
        var before = worker.Renders + worker.CachedRenders;
        var messageId = Guid.NewGuid();

        await bus.Publish(message, c => c.MessageId = messageId);
        await bus.Publish(message, c => c.MessageId = messageId);
        await SnapshotWaiting.EventuallyAsync(() => Task.FromResult(worker.Renders + worker.CachedRenders >= before + 2),
            TimeSpan.FromSeconds(20), "both deliveries to be handled");
        // A marker snapshot made afterwards: once its completion is applied, the earlier completions on the
        // same queue have been delivered to the API too.
        var marker = (await cluster.Admin.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = room.Id, Title = "marker", Type = SnapshotType.Csv })).Snapshot;
        await cluster.Admin.WatchToEndAsync(marker.Id);

        var after = (await cluster.Admin.Snapshots.GetSnapshotAsync(new GetSnapshotRequest { SnapshotId = created.Id })).Snapshot;
        Assert.Equal(first.Sha256, after.Sha256);
        Assert.Equal(first.CompleteTime, after.CompleteTime);
        Assert.Equal(1, await cluster.ScalarAsync<long>(
            "SELECT count(*) FROM audit_log WHERE snapshot_id = @p0 AND action IN ('SnapshotCompleted', 'SnapshotFailed')", Guid.Parse(created.Id)));
        Assert.Single(Directory.GetFiles(cluster.StorageRoot, $"{created.Id}.json", SearchOption.AllDirectories));
    }
}
