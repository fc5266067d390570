using System.Text.Json;
using Sts.Api.V1;
using Sts.Shared.Messaging;

namespace Sts.SnapshotApi.Tests.Reliability;

/// <summary>
/// The "api" collection's RabbitMQ virtual host has never seen a worker, like a broker on the first day of a
/// deployment: a GenerateSnapshot published to an exchange with nothing bound would be confirmed and dropped.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class NoWorkerYetTests(ApiFixture api)
{
    [Fact]
    public async Task A_snapshot_created_before_any_worker_started_waits_in_the_queue()
    {
        var management = api.Broker.Management ?? throw new InvalidOperationException("This test reads the queue through RabbitMQ's management API.");
        var room = TestRooms.WithEveryRole();
        await api.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });

        var created = (await api.Admin.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = room.Id, Title = "early", Type = SnapshotType.Json })).Snapshot;

        await api.WaitUntilRelayedAsync(Guid.Parse(created.Id));
        var messageId = (await api.ScalarAsync<Guid>("SELECT message_id FROM outbox WHERE snapshot_id = @p0", Guid.Parse(created.Id))).ToString();
        var waiting = await MessageIdsInQueueAsync(management);
        Assert.True(waiting.Contains(messageId), $"message {messageId} is not among the {waiting.Count} in {GenerateSnapshot.Queue}");
    }

    /// <summary>The AMQP message ids of what waits in the queue, peeked (and put back) through the management API.</summary>
    private async Task<HashSet<string>> MessageIdsInQueueAsync(HttpClient management)
    {
        // The whole queue (this collection's every create waits in it), with a margin for the management API's
        // counts, which lag by up to its statistics interval.
        var queue = $"queues/{Uri.EscapeDataString(api.Broker.VirtualHost)}/{GenerateSnapshot.Queue}";
        using var depth = JsonDocument.Parse(await management.GetStringAsync(queue));
        var count = (depth.RootElement.TryGetProperty("messages", out var m) ? m.GetInt64() : 0) + 1000;
        using var body = new StringContent($$"""{"count":{{count}},"ackmode":"ack_requeue_true","encoding":"auto","truncate":100}""", System.Text.Encoding.UTF8, "application/json");
        using var response = await management.PostAsync($"{queue}/get", body);
        response.EnsureSuccessStatusCode();
        using var messages = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return messages.RootElement.EnumerateArray()
            .Select(m => m.GetProperty("properties").TryGetProperty("message_id", out var id) ? id.GetString() ?? "" : "")
            .ToHashSet(StringComparer.Ordinal);
    }
}
